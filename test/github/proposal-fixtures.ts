/**
 * Proposals for the GitHub tests, built from a real recording: the ICE contract subawards download
 * (../shared/fixtures/usaspending/downloads/ICE_all_after_2020_…csv), whose prime awards are real
 * ICE awards with recipient names, UEIs, amounts and dates. Each prime awardee becomes one
 * add-company proposal shaped the way the plan shapes them (registry YAML + evidence JSON).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify as toYaml } from 'yaml';
import type { AddCompanyProposal, AwardEvidence, MentionEvidence, StatusChangeProposal } from '../../scripts/plan/types.ts';
import { usaspendingAwardUrl } from '../../scripts/records.ts';
import { shortHash } from '../../scripts/util/hash.ts';
import { stableStringify } from '../../scripts/util/stable-json.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';

export const AS_OF = '2025-03-28';
const FILE = 'usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv';

export interface RealAwardee {
  name: string;
  uei: string;
  awards: AwardEvidence[];
}

let cache: RealAwardee[] | undefined;

/** Prime awardees of the real download, in file order, with their distinct prime awards. */
export function realAwardees(): RealAwardee[] {
  if (cache) return cache;
  const rows = parse(readFileSync(sharedFixture(FILE)), { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const byUei = new Map<string, RealAwardee>();
  for (const row of rows) {
    const uei = row.prime_awardee_uei ?? '';
    const key = row.prime_award_unique_key ?? '';
    if (!uei || !key) continue;
    const awardee = byUei.get(uei) ?? { name: row.prime_awardee_name ?? uei, uei, awards: [] };
    byUei.set(uei, awardee);
    if (awardee.awards.some((a) => a.awardKey === key)) continue;
    const end = row.prime_award_period_of_performance_current_end_date || undefined;
    awardee.awards.push({
      awardKey: key,
      piid: row.prime_award_piid ?? key,
      kind: 'contract',
      source: 'usaspending-download',
      recipientName: awardee.name,
      recipientUei: uei,
      agency: row.prime_award_awarding_sub_agency_name || undefined,
      obligated: row.prime_award_amount ? Number(row.prime_award_amount) : undefined,
      start: row.prime_award_period_of_performance_start_date || undefined,
      end,
      description: row.prime_award_base_transaction_description || undefined,
      naics: row.prime_award_naics_code || undefined,
      active: end !== undefined && end >= AS_OF,
      url: usaspendingAwardUrl(key),
    });
  }
  cache = [...byUei.values()];
  return cache;
}

export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\b(llc|inc|l\.l\.c|corp|corporation|the)\b\.?/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function evidenceHash(awards: AwardEvidence[], mentions: MentionEvidence[]): string {
  return shortHash(
    stableStringify({
      awards: awards.map((a) => a.awardKey).sort(),
      mentions: mentions.map((m) => `${m.source}/${m.list}/${m.name}`).sort(),
    }),
  );
}

export interface ProposalInput {
  id: string;
  name: string;
  awards: AwardEvidence[];
  mentions?: MentionEvidence[];
  confidence?: number;
  newSinceDismissal?: string[];
}

/** An add-company proposal the way the plan builds one. */
export function addProposal(input: ProposalInput): AddCompanyProposal {
  const mentions = input.mentions ?? [];
  const confidence = input.confidence ?? 1;
  const evidence = {
    schemaVersion: 1 as const,
    candidateId: input.id,
    name: input.name,
    match: { relation: 'direct' as const, confidence, method: 'uei' as const, reason: `recipient UEI ${input.awards[0]?.recipientUei ?? '—'} (new candidate)` },
    awards: input.awards,
    mentions,
    snapshots: [{ source: 'usaspending-download', contentHash: 'a3f9c2d1e4b5a6c7', retrievedAt: '2025-03-28T03:23:17Z', origin: 'fixture' }],
  };
  const yaml = toYaml({
    id: input.id,
    name: input.name,
    aliases: { legal: [...new Set(input.awards.map((a) => a.recipientName))].sort() },
    identifiers: input.awards[0]?.recipientUei
      ? { uei: [{ value: input.awards[0].recipientUei, source: `usaspending-download: ${input.awards[0].awardKey}` }] }
      : undefined,
    roles: ['vendor'],
    evidence: input.awards.slice(0, 3).map((a) => ({
      url: a.url,
      title: `ICE award ${a.piid}`,
      publisher: 'USAspending.gov',
      date: a.start ?? AS_OF,
      kind: 'award',
      summary: `Awarded ${a.awardKey} by ICE.`,
    })),
  });
  return {
    kind: 'add-company',
    companyId: input.id,
    name: input.name,
    confidence,
    registryFile: { path: `data/registry/companies/${input.id}.yaml`, content: yaml },
    evidenceFile: { path: `data/registry/evidence/${input.id}.json`, content: `${stableStringify(evidence, 2)}\n` },
    evidence,
    evidenceHash: evidenceHash(input.awards, mentions),
    ...(input.newSinceDismissal ? { newSinceDismissal: input.newSinceDismissal } : {}),
  };
}

/** The first `n` real awardees as proposals. */
export function realProposals(n: number): AddCompanyProposal[] {
  return realAwardees()
    .slice(0, n)
    .map((a) => addProposal({ id: slug(a.name), name: a.name, awards: a.awards }));
}

export function statusProposal(id: string, name: string, awards: AwardEvidence[], files: Array<{ path: string; content: string }>): StatusChangeProposal {
  const last = awards[0];
  return {
    kind: 'status-change',
    companyId: id,
    name,
    from: 'active',
    to: 'ended',
    reason: last ? `its last active ICE award ${last.awardKey} ended (${last.end})` : 'no ICE award is active any more',
    awards,
    mentions: [],
    evidenceHash: evidenceHash(awards, []),
    files,
  };
}

/** A made-up extra award for "new evidence" scenarios (clearly not a real key). */
export function madeUpAward(base: AwardEvidence, suffix: string): AwardEvidence {
  const awardKey = `CONT_AWD_70CTEST25F${suffix}_7012_-NONE-_-NONE-`;
  return { ...base, awardKey, piid: `70CTEST25F${suffix}`, start: '2025-01-15', end: '2026-01-14', active: true, obligated: 125000, url: usaspendingAwardUrl(awardKey) };
}
