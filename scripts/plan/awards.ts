import type { Config } from '../config.ts';
import type { AwardRecord } from '../records.ts';
import type { AwardEvidence } from './types.ts';
import { bestByKey } from '../util/group.ts';

/**
 * "Active" is decided locally, never trusted from a source: a contract is active while its end date is on
 * or after the as-of date; an IDV while its last date to order is (falling back to its end date). An award
 * that had not started by the as-of date does not exist yet as far as that date is concerned.
 */
export function isAwardActive(award: AwardRecord, asOf: string): boolean {
  if (!hasStarted(award, asOf)) return false;
  const until = award.kind === 'idv' ? (award.lastDateToOrder ?? award.end) : (award.end ?? award.lastDateToOrder);
  return until !== undefined && until >= asOf;
}

export function hasStarted(award: AwardRecord, asOf: string): boolean {
  return award.start === undefined || award.start <= asOf;
}

/** The last day an award could still be active. */
export function awardEndDate(award: AwardRecord): string | undefined {
  return award.kind === 'idv' ? (award.lastDateToOrder ?? award.end) : (award.end ?? award.lastDateToOrder);
}

/** Whether an award's awarding agency is one the config counts; decided once per distinct agency name. */
export function agencyScope(config: Config): (award: AwardRecord) => boolean {
  const codes = new Set(config.agencies.map((a) => a.code));
  const names = new Set(config.agencies.map((a) => a.name.toLowerCase()));
  const byName = new Map<string, boolean>();
  return (award) => {
    // Sources that only ever query ICE leave the agency out of some formats (legacy exports); trust them.
    if (!award.awardingAgencyCode && !award.awardingSubAgency) return true;
    if (award.awardingAgencyCode !== undefined && codes.has(award.awardingAgencyCode)) return true;
    const name = award.awardingSubAgency ?? '';
    let known = byName.get(name);
    if (known !== undefined) return known;
    known = names.has(name.trim().toLowerCase());
    // A handful of spellings in real data; a flood of distinct ones is not kept.
    if (byName.size < 10_000) byName.set(name, known);
    return known;
  };
}

export function inTechScope(award: AwardRecord, config: Config): boolean {
  const naics = award.naics ?? '';
  const psc = (award.psc ?? '').toUpperCase();
  return (
    (naics !== '' && config.scope.naicsPrefixes.some((p) => naics.startsWith(p))) ||
    (psc !== '' && config.scope.pscPrefixes.some((p) => psc.startsWith(p)))
  );
}

/** Sources describe the same award; the most recently modified record wins, then this order. */
const SOURCE_PRIORITY = ['fpds', 'usaspending', 'usaspending-download'];

/** One record per award key, in key order; on a full tie the first one stays. */
export function dedupeAwards(awards: AwardRecord[]): AwardRecord[] {
  return bestByKey(awards, (a) => a.awardKey, preferred);
}

function preferred(candidate: AwardRecord, current: AwardRecord): boolean {
  const a = candidate.lastModified ?? '';
  const b = current.lastModified ?? '';
  if (a !== b) return a > b;
  const pa = rank(candidate.source);
  const pb = rank(current.source);
  if (pa !== pb) return pa < pb;
  return candidate.source < current.source;
}

function rank(source: string): number {
  const index = SOURCE_PRIORITY.indexOf(source);
  return index === -1 ? SOURCE_PRIORITY.length : index;
}

export function toAwardEvidence(award: AwardRecord, asOf: string): AwardEvidence {
  return {
    awardKey: award.awardKey,
    piid: award.piid,
    kind: award.kind,
    source: award.source,
    recipientName: award.recipient.name,
    recipientUei: award.recipient.uei,
    recipientDuns: award.recipient.duns,
    agency: award.awardingSubAgency,
    obligated: award.amounts.obligated,
    potential: award.amounts.potential,
    start: award.start,
    end: award.end,
    lastDateToOrder: award.lastDateToOrder,
    description: award.description,
    naics: award.naics,
    psc: award.psc,
    active: isAwardActive(award, asOf),
    url: award.url,
  };
}

/** U.S. federal fiscal year: FY2026 runs 2025-10-01 to 2026-09-30. */
export function fiscalYear(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month >= 10 ? year + 1 : year;
}

export function addYears(date: string, years: number): string {
  const year = Number(date.slice(0, 4)) + years;
  return `${String(year).padStart(4, '0')}${date.slice(4)}`;
}

/** Cents-exact sums: amounts are dollars with at most two decimals. */
export function sumAmounts(values: Array<number | undefined>): number {
  let cents = 0;
  for (const v of values) if (v !== undefined && Number.isFinite(v)) cents += Math.round(v * 100);
  return cents / 100;
}
