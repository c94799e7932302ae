/**
 * The matcher index published as data/published/v1/check-index.json: what `icewatch check` and the site's
 * check page need beyond companies.json to answer "is this name an ICE contractor, as of a date?" — the
 * registry's matching fields (names, aliases, identifiers, units, false friends, products) and a compact
 * award timeline per company, so the status can be decided for any as-of date without the snapshots.
 * Built at publish time from the same registry and attribution as companies.json; deterministic.
 */
import type { Attribution } from '../plan/attribute.ts';
import { awardEndDate } from '../plan/awards.ts';
import type { Company, Registry } from '../registry/schema.ts';

export const CHECK_INDEX_VERSION = '1.0.0';

/**
 * A registry company as the matcher reads it: everything but the curator's prose and the evidence list
 * (those are in companies.json). Copied whole rather than field by field, so fields the matcher learns
 * to read (ownership dates, platform names …) reach the browser without a change here.
 */
export type IndexCompany = Omit<Company, 'evidence' | 'notes' | 'partnership'>;

/**
 * One award as a tuple: [awardKey, start, lastDay, obligated, recipientName, url]. `lastDay` is the end date
 * (contracts) or last date to order (IDVs) — the day the award can last be active. Tuples keep the file small.
 */
export type IndexAward = [string, string | null, string | null, number | null, string, string];

export interface CheckIndex {
  schemaVersion: string;
  asOf: string;
  companies: IndexCompany[];
  /** Direct and unit awards per company id. */
  awards: Record<string, IndexAward[]>;
  /** Awards through a reseller naming the company's products (lower bounds), per company id. */
  resellerAwards: Record<string, IndexAward[]>;
}

function awardTuples(list: Attribution['awards'] | undefined, companyId: string): IndexAward[] {
  const byKey = new Map<string, IndexAward>();
  for (const { award } of list?.get(companyId) ?? []) {
    byKey.set(award.awardKey, [
      award.awardKey,
      award.start ?? null,
      awardEndDate(award) ?? null,
      award.amounts.obligated ?? null,
      award.recipient.name,
      award.url,
    ]);
  }
  return [...byKey.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function buildCheckIndex(registry: Registry, attribution: Attribution, asOf: string): CheckIndex {
  const companies = registry.companies.slice().sort((a, b) => a.id.localeCompare(b.id));
  const awards: Record<string, IndexAward[]> = {};
  const resellerAwards: Record<string, IndexAward[]> = {};
  for (const c of companies) {
    const own = awardTuples(attribution.awards, c.id);
    if (own.length) awards[c.id] = own;
    const via = awardTuples(attribution.resellerAwards, c.id);
    if (via.length) resellerAwards[c.id] = via;
  }
  return {
    schemaVersion: CHECK_INDEX_VERSION,
    asOf,
    companies: companies.map(({ evidence: _e, notes: _n, partnership: _p, ...matching }) => matching),
    awards,
    resellerAwards,
  };
}

/** Back to the registry shape the matcher takes (the evidence list it never reads is empty). */
export function indexCompaniesForMatcher(index: CheckIndex): Company[] {
  return index.companies.map((c) => ({ ...c, evidence: [] }));
}
