/**
 * What ICE pays now: transactions (usaspending-transactions) attributed to registry companies through
 * the same matcher as awards, and summed per fiscal year. A fiscal year's figure is complete only when
 * every configured agency's listing for that year was complete; otherwise it is a lower bound.
 *
 * Transactions carry action dates, never end dates: they can say "ICE obligated money to this company
 * recently", never "this company has an active contract". That is decided by dated awards alone.
 */
import { transactionsConfig, type Config } from '../config.ts';
import { PROPOSAL_THRESHOLD, type Matcher } from '../match/types.ts';
import { usaspendingAwardUrl, type AwardRecord, type CoverageRecord, type TransactionRecord } from '../records.ts';
import { awardEndDate, fiscalYear, sumAmounts } from './awards.ts';
import { appendAll, appendTo } from '../util/group.ts';
import { compareText } from '../util/text-key.ts';

export interface FiscalYearFigure {
  fiscalYear: number;
  obligated: number;
  transactions: number;
  /** false: the listing for this year was incomplete, so the figure is a lower bound. */
  complete: boolean;
}

export interface ObligationAward {
  awardKey: string;
  piid: string;
  recipientName: string;
  obligated: number;
  transactions: number;
  lastActionDate: string;
  url: string;
}

export interface CompanyObligations {
  byFiscalYear: FiscalYearFigure[];
  lastActionDate?: string;
  /** By obligations summed over the years held, largest first (at most MAX_LARGEST). */
  largestAwards: ObligationAward[];
  /** Positive obligations within the recent window (USD). */
  recentObligated: number;
  /** Awards with a positive obligation within the recent window. */
  recentAwardKeys: string[];
  transactions: number;
}

export interface CoverageSummary {
  fiscalYear: number;
  complete: boolean;
  /** Transactions held for the year (all configured agencies). */
  transactions: number;
  obligated: number;
  listings: Array<{
    agencyCode: string;
    group: 'contracts' | 'idvs';
    rows: number;
    expected?: number;
    shortfall?: number;
    complete: boolean;
    through?: string;
    basis: string;
  }>;
}

export interface ObligationsResult {
  companies: Map<string, CompanyObligations>;
  coverage: CoverageSummary[];
  /** Award keys ICE paid on (in-scope transactions) that have a dated award record (an end date or last date to order) in some snapshot. */
  datedAwardKeys: Set<string>;
  /** Transactions of awards no registry company matched at all (candidate material). */
  unmatched: TransactionRecord[];
  recentSince: string;
  yearComplete: Map<number, boolean>;
}

export const MAX_LARGEST = 5;

function daysBefore(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** A year counts as complete when each configured agency's contract listing (and IDV listing, if held) is. */
export function yearCompleteness(coverage: CoverageRecord[], config: Config): Map<number, boolean> {
  const years = new Map<number, boolean>();
  const byYear = new Map<number, CoverageRecord[]>();
  for (const c of coverage) appendTo(byYear, c.fiscalYear, c);
  for (const [year, list] of byYear) {
    const ok = config.agencies.every((agency) => {
      const mine = list.filter((c) => c.awardingAgencyCode === agency.code);
      const contracts = mine.find((c) => c.group === 'contracts');
      const idvs = mine.find((c) => c.group === 'idvs');
      return contracts?.complete === true && (idvs === undefined || idvs.complete);
    });
    years.set(year, ok);
  }
  return years;
}

export function summarizeObligations(
  transactions: TransactionRecord[],
  yearComplete: ReadonlyMap<number, boolean>,
  recentSince: string,
  asOf: string,
): CompanyObligations {
  const years = new Map<number, TransactionRecord[]>();
  const awards = new Map<string, TransactionRecord[]>();
  let last: string | undefined;
  const recent = new Set<string>();
  const recentAmounts: number[] = [];
  for (const t of transactions) {
    appendTo(years, t.fiscalYear, t);
    appendTo(awards, t.awardKey, t);
    if (!last || t.actionDate > last) last = t.actionDate;
    if (t.actionDate >= recentSince && t.actionDate <= asOf && t.obligated > 0) {
      recent.add(t.awardKey);
      recentAmounts.push(t.obligated);
    }
  }
  const byFiscalYear = [...years]
    .sort(([a], [b]) => a - b)
    .map(([year, list]) => ({
      fiscalYear: year,
      obligated: sumAmounts(list.map((t) => t.obligated)),
      transactions: list.length,
      complete: yearComplete.get(year) ?? false,
    }));
  const largestAwards = [...awards]
    .map(([awardKey, list]) => {
      const latest = list.reduce((a, b) => (b.actionDate > a.actionDate ? b : a));
      return {
        awardKey,
        piid: latest.piid,
        recipientName: latest.recipient.name,
        obligated: sumAmounts(list.map((t) => t.obligated)),
        transactions: list.length,
        lastActionDate: latest.actionDate,
        url: usaspendingAwardUrl(awardKey),
      };
    })
    .sort((a, b) => b.obligated - a.obligated || a.awardKey.localeCompare(b.awardKey))
    .slice(0, MAX_LARGEST);
  return {
    byFiscalYear,
    ...(last ? { lastActionDate: last } : {}),
    largestAwards,
    recentObligated: sumAmounts(recentAmounts),
    recentAwardKeys: [...recent].sort(),
    transactions: transactions.length,
  };
}

/** The award a group of transactions belongs to, in the shape the matcher reads. */
function asAward(list: TransactionRecord[]): AwardRecord {
  const first = list.reduce((a, b) => (b.actionDate < a.actionDate ? b : a));
  const latest = list.reduce((a, b) => (b.actionDate > a.actionDate ? b : a));
  return {
    recordType: 'award',
    source: latest.source,
    awardKey: latest.awardKey,
    piid: latest.piid,
    kind: latest.kind,
    recipient: { name: latest.recipient.name, ...(latest.recipient.uei ? { uei: latest.recipient.uei } : {}) },
    amounts: { obligated: sumAmounts(list.map((t) => t.obligated)) },
    // The first action date stands in for the award's date, for ownership that changed over time.
    start: first.actionDate,
    ...(latest.naics ? { naics: latest.naics } : {}),
    ...(latest.psc ? { psc: latest.psc } : {}),
    ...(latest.description ? { description: latest.description } : {}),
    url: usaspendingAwardUrl(latest.awardKey),
  };
}

export function attributeObligations(options: {
  transactions: TransactionRecord[];
  coverage: CoverageRecord[];
  datedAwards: AwardRecord[];
  matcher: Matcher;
  config: Config;
  asOf: string;
}): ObligationsResult {
  const { config, asOf } = options;
  const codes = new Set(config.agencies.map((a) => a.code));
  const inScope = options.transactions.filter((t) => codes.has(t.awardingAgencyCode) && t.actionDate <= asOf);
  // Years that had not begun by the as-of date do not exist yet as far as that date is concerned.
  const coverage = options.coverage.filter((c) => codes.has(c.awardingAgencyCode) && c.fiscalYear <= fiscalYear(asOf));
  const yearComplete = yearCompleteness(coverage, config);
  const recentSince = daysBefore(asOf, transactionsConfig(config).recentWindowDays);

  // One match per award and recipient spelling: the matcher is the same one awards go through.
  const groups = new Map<string, TransactionRecord[]>();
  for (const t of inScope) {
    const key = `${t.awardKey}\u0000${t.recipient.name}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  const byCompany = new Map<string, TransactionRecord[]>();
  const unmatched: TransactionRecord[] = [];
  for (const [, list] of [...groups].sort(([a], [b]) => compareText(a, b))) {
    const matches = options.matcher.matchAward(asAward(list));
    const strong = matches.filter((m) => m.confidence >= PROPOSAL_THRESHOLD && m.relation !== 'via-reseller');
    for (const id of new Set(strong.map((m) => m.companyId))) appendAll(byCompany, id, list);
    if (matches.length === 0) unmatched.push(...list);
  }
  const companies = new Map<string, CompanyObligations>();
  for (const [id, list] of byCompany) companies.set(id, summarizeObligations(list, yearComplete, recentSince, asOf));

  // Asked only of the awards ICE paid on (a status's recent money, enrichment): a full history's awards
  // without a transaction need no entry.
  const paidAwards = new Set(inScope.map((t) => t.awardKey));
  const datedAwardKeys = new Set<string>();
  if (paidAwards.size > 0) {
    for (const a of options.datedAwards) if (paidAwards.has(a.awardKey) && awardEndDate(a) !== undefined) datedAwardKeys.add(a.awardKey);
  }
  return {
    companies,
    coverage: coverageSummary(coverage, inScope, yearComplete),
    datedAwardKeys,
    unmatched,
    recentSince,
    yearComplete,
  };
}

function coverageSummary(coverage: CoverageRecord[], transactions: TransactionRecord[], yearComplete: Map<number, boolean>): CoverageSummary[] {
  const years = new Set([...coverage.map((c) => c.fiscalYear), ...transactions.map((t) => t.fiscalYear)]);
  return [...years]
    .sort((a, b) => a - b)
    .map((year) => {
      const mine = transactions.filter((t) => t.fiscalYear === year);
      return {
        fiscalYear: year,
        complete: yearComplete.get(year) ?? false,
        transactions: mine.length,
        obligated: sumAmounts(mine.map((t) => t.obligated)),
        listings: coverage
          .filter((c) => c.fiscalYear === year)
          .sort((a, b) => a.awardingAgencyCode.localeCompare(b.awardingAgencyCode) || a.group.localeCompare(b.group))
          .map((c) => ({
            agencyCode: c.awardingAgencyCode,
            group: c.group,
            rows: c.rows,
            ...(c.expected !== undefined ? { expected: c.expected, shortfall: Math.max(0, c.expected - c.rows) } : {}),
            complete: c.complete,
            ...(c.through ? { through: c.through } : {}),
            basis: c.basis,
          })),
      };
    });
}

/** Technology scope for transactions: codes when the API gave them, else the PSC names since FY2021. */
export function transactionInTechScope(t: TransactionRecord, config: Config): boolean {
  const naics = t.naics ?? '';
  const psc = (t.psc ?? '').toUpperCase();
  if (naics && config.scope.naicsPrefixes.some((p) => naics.startsWith(p))) return true;
  if (psc) return config.scope.pscPrefixes.some((p) => psc.startsWith(p));
  const name = (t.pscDescription ?? '').toUpperCase();
  // "IT AND TELECOM - …" names the D (services) and 7A–7K (products) codes of the FY2021 PSC manual.
  return name.startsWith('IT AND TELECOM') && config.scope.pscPrefixes.some((p) => p === 'D' || /^7[A-K]$/.test(p));
}

/** Fiscal years "current" and "last" relative to the as-of date. */
export function currentAndLastFiscalYear(asOf: string): [number, number] {
  const current = fiscalYear(asOf);
  return [current, current - 1];
}

