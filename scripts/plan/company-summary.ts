import type { Company, Registry } from '../registry/schema.ts';
import type { Attribution } from './attribute.ts';
import { awardEndDate, hasStarted, isAwardActive, sumAmounts } from './awards.ts';
import type { CompanyObligations, ObligationsResult } from './obligations.ts';
import type { CompanyStatus } from './types.ts';

export interface CompanySummary {
  id: string;
  name: string;
  parent?: string;
  roles: Company['roles'];
  status: CompanyStatus;
  awardCount: number;
  activeAwardCount: number;
  obligated: number;
  activeObligated: number;
  firstAwardStart?: string;
  lastAwardEnd?: string;
  awardKeys: string[];
  activeAwardKeys: string[];
  /** Awards through resellers naming this company's products; totals are lower bounds. */
  resellerChannel: { awardCount: number; activeAwardCount: number; obligatedLowerBound: number };
  lists: Array<{ source: string; list: string; name: string; evidenceUrl?: string }>;
  /** ICE obligations by fiscal year from transactions, when any were attributed. */
  obligations?: CompanyObligations;
}

/** Status and totals per registry company, as of a date. Awards that had not started by then are left out. */
export function summarizeCompanies(
  registry: Registry,
  attribution: Attribution,
  asOf: string,
  obligations?: ObligationsResult,
): CompanySummary[] {
  return registry.companies.map((company) => {
    const awards = (attribution.awards.get(company.id) ?? []).map((a) => a.award).filter((a) => hasStarted(a, asOf));
    const unique = new Map(awards.map((a) => [a.awardKey, a]));
    const list = [...unique.values()].sort((a, b) => (a.awardKey < b.awardKey ? -1 : 1));
    const active = list.filter((a) => isAwardActive(a, asOf));
    const reseller = new Map(
      (attribution.resellerAwards.get(company.id) ?? [])
        .map((a) => a.award)
        .filter((a) => hasStarted(a, asOf))
        .map((a) => [a.awardKey, a]),
    );
    const starts = list.map((a) => a.start).filter((d): d is string => Boolean(d)).sort();
    const ends = list.map((a) => awardEndDate(a)).filter((d): d is string => Boolean(d)).sort();
    const lists = (attribution.mentions.get(company.id) ?? [])
      .map(({ mention }) => ({ source: mention.source, list: mention.list, name: mention.name, evidenceUrl: mention.evidenceUrl }))
      .sort((a, b) => `${a.source}/${a.list}/${a.name}`.localeCompare(`${b.source}/${b.list}/${b.name}`));
    const paid = obligations?.companies.get(company.id);
    // Recent money on an award without a known end is its own status; a dated award decides otherwise.
    const undatedRecent = (paid?.recentAwardKeys ?? []).filter((k) => !obligations?.datedAwardKeys.has(k));
    const status: CompanyStatus =
      active.length > 0
        ? 'active'
        : undatedRecent.length > 0
          ? 'recent-obligations'
          : list.length > 0 || (paid?.transactions ?? 0) > 0
            ? 'ended'
            : 'no-record';
    return {
      id: company.id,
      name: company.name,
      parent: company.parent,
      roles: company.roles,
      status,
      awardCount: list.length,
      activeAwardCount: active.length,
      obligated: sumAmounts(list.map((a) => a.amounts.obligated)),
      activeObligated: sumAmounts(active.map((a) => a.amounts.obligated)),
      firstAwardStart: starts[0],
      lastAwardEnd: ends[ends.length - 1],
      awardKeys: list.map((a) => a.awardKey),
      activeAwardKeys: active.map((a) => a.awardKey),
      resellerChannel: {
        awardCount: reseller.size,
        activeAwardCount: [...reseller.values()].filter((a) => isAwardActive(a, asOf)).length,
        obligatedLowerBound: sumAmounts([...reseller.values()].map((a) => a.amounts.obligated)),
      },
      lists,
      ...(paid ? { obligations: paid } : {}),
    };
  });
}
