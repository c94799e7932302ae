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

type Ids = { uei?: IndexIdentifier[]; duns?: IndexIdentifier[]; cage?: IndexIdentifier[] };
export interface IndexIdentifier {
  value: string;
  validFrom?: string;
  validTo?: string;
}

/** The fields of a registry company the matcher reads; nothing else (no notes, no evidence). */
export interface IndexCompany {
  id: string;
  name: string;
  parent?: string;
  roles: Array<'vendor' | 'reseller'>;
  website?: string;
  aliases?: { legal?: string[]; strong?: string[]; weak?: string[] };
  products?: Array<{ term: string; specificity: 'high' | 'medium' | 'low' }>;
  falseFriends?: string[];
  identifiers?: Ids;
  subsidiaries?: Array<{ name: string; aliases?: string[]; identifiers?: Ids }>;
}

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

function ids(value: Company['identifiers']): Ids | undefined {
  if (!value) return undefined;
  const out: Ids = {};
  for (const type of ['uei', 'duns', 'cage'] as const) {
    const list = value[type];
    if (list?.length) out[type] = list.map((i) => ({ value: i.value, validFrom: i.validFrom, validTo: i.validTo }));
  }
  return Object.keys(out).length ? out : undefined;
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
    companies: companies.map((c) => ({
      id: c.id,
      name: c.name,
      parent: c.parent,
      roles: c.roles,
      website: c.website,
      aliases: c.aliases,
      products: c.products,
      falseFriends: c.falseFriends,
      identifiers: ids(c.identifiers),
      subsidiaries: c.subsidiaries?.map((s) => ({ name: s.name, aliases: s.aliases, identifiers: ids(s.identifiers) })),
    })),
    awards,
    resellerAwards,
  };
}

/** Back to the registry shape the matcher takes (the parts it does not read get neutral values). */
export function indexCompaniesForMatcher(index: CheckIndex): Company[] {
  const withSource = (list: IndexIdentifier[] | undefined) => list?.map((i) => ({ ...i, source: 'check-index' }));
  const fullIds = (value: Ids | undefined) =>
    value ? { uei: withSource(value.uei), duns: withSource(value.duns), cage: withSource(value.cage) } : undefined;
  return index.companies.map((c) => ({
    ...c,
    identifiers: fullIds(c.identifiers),
    subsidiaries: c.subsidiaries?.map((s) => ({ ...s, identifiers: fullIds(s.identifiers) })),
    evidence: [],
  }));
}
