/**
 * The run report's JSON: the plan, bounded. Past these limits a section keeps its largest rows (by
 * obligated, then its own order) and says how many it left out; every row is in the detail Parquet beside
 * it (report-detail.ts), and the full proposals are in the plan file (`run --plan-out`) and the dry run.
 * So a first run over ICE's whole history writes a report of a few megabytes, not hundreds.
 */
import type { AwardEvidence, Candidate, Plan, Proposal } from '../plan/types.ts';
import { reportDetailCounts, reportDetailFile } from './report-detail.ts';

export const REPORT_JSON_LIMITS = {
  candidates: 100,
  /** Awards and mentions shown per candidate, proposal and status change. */
  evidencePerCompany: 5,
  newAwards: 500,
  reviewQueue: 500,
  /** Names per watchdog list change. */
  listNames: 200,
  /** The rest of the candidates, listed by id, name, award count and total. */
  moreCandidates: 1000,
  proposals: 500,
} as const;

/** The `limit` rows with the most money, in their original order. */
export function largest<T>(rows: readonly T[], limit: number, amount: (row: T) => number | undefined): T[] {
  if (rows.length <= limit) return [...rows];
  return rows
    .map((row, i) => ({ row, i, amount: amount(row) ?? -Infinity }))
    .sort((a, b) => b.amount - a.amount || a.i - b.i)
    .slice(0, limit)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.row);
}

function shownAwards(awards: readonly AwardEvidence[]): AwardEvidence[] {
  return largest(awards, REPORT_JSON_LIMITS.evidencePerCompany, (a) => a.obligated);
}

function boundedCandidate(c: Candidate): Candidate & { awardCount?: number; mentionCount?: number } {
  const limit = REPORT_JSON_LIMITS.evidencePerCompany;
  if (c.awards.length <= limit && c.mentions.length <= limit) return c;
  return { ...c, awards: shownAwards(c.awards), mentions: c.mentions.slice(0, limit), awardCount: c.awards.length, mentionCount: c.mentions.length };
}

/** What a proposal changes and why, without the file contents (the dry run writes those). */
function proposalSummary(p: Proposal): Record<string, unknown> {
  const limit = REPORT_JSON_LIMITS.evidencePerCompany;
  if (p.kind === 'add-company') {
    const { registryFile, evidenceFile, evidence, ...rest } = p;
    return {
      ...rest,
      registryFile: registryFile.path,
      evidenceFile: evidenceFile.path,
      match: evidence.match,
      awards: shownAwards(evidence.awards),
      awardCount: evidence.awards.length,
      mentions: evidence.mentions.slice(0, limit),
      mentionCount: evidence.mentions.length,
      snapshots: evidence.snapshots,
    };
  }
  const { files, awards, mentions, ...rest } = p;
  return { ...rest, files: files.map((f) => f.path), awards: shownAwards(awards), awardCount: awards.length, mentions: mentions.slice(0, limit), mentionCount: mentions.length };
}

export interface ReportDocument {
  schemaVersion: 2;
  plan: Record<string, unknown>;
  /** Rows left out of each section here (all of them are in the detail file). */
  omitted?: Record<string, number>;
  /** The detail file beside this report and its rows per section; absent when there are none. */
  detail?: { file: string; rows: Record<string, number> };
  obligationsByFiscalYear: Array<{ fiscalYear: number; obligated: number }>;
}

export function reportDocument(plan: Plan, obligationsByFiscalYear: ReportDocument['obligationsByFiscalYear']): ReportDocument {
  const omitted: Record<string, number> = {};
  const cut = <T>(key: string, rows: readonly T[], limit: number, amount?: (row: T) => number | undefined): T[] => {
    if (rows.length > limit) omitted[key] = rows.length - limit;
    return amount ? largest(rows, limit, amount) : rows.slice(0, limit);
  };
  const candidates = cut('candidates', plan.candidates, REPORT_JSON_LIMITS.candidates).map(boundedCandidate);
  const rest = plan.candidates.slice(REPORT_JSON_LIMITS.candidates);
  const moreCandidates = cut('moreCandidates', rest, REPORT_JSON_LIMITS.moreCandidates).map((c) => ({
    companyId: c.companyId,
    name: c.name,
    awards: c.awards.length,
    totalObligated: c.totalObligated,
    isNew: c.isNew,
  }));
  const listChanges = plan.listChanges.map((l) => {
    const limit = REPORT_JSON_LIMITS.listNames;
    if (l.added.length <= limit && l.removed.length <= limit) return l;
    return { ...l, added: l.added.slice(0, limit), removed: l.removed.slice(0, limit), addedCount: l.added.length, removedCount: l.removed.length };
  });
  const bounded: Record<string, unknown> = {
    ...plan,
    candidates,
    ...(moreCandidates.length > 0 ? { moreCandidates } : {}),
    newAwards: cut('newAwards', plan.newAwards, REPORT_JSON_LIMITS.newAwards, (n) => n.award.obligated),
    transitions: plan.transitions.map((t) => (t.awards.length > REPORT_JSON_LIMITS.evidencePerCompany ? { ...t, awards: shownAwards(t.awards), awardCount: t.awards.length } : t)),
    listChanges,
    reviewQueue: cut('reviewQueue', plan.reviewQueue, REPORT_JSON_LIMITS.reviewQueue),
    proposals: cut('proposals', plan.proposals, REPORT_JSON_LIMITS.proposals).map(proposalSummary),
  };
  const rows = reportDetailCounts(plan);
  return {
    schemaVersion: 2,
    plan: bounded,
    ...(Object.keys(omitted).length > 0 ? { omitted } : {}),
    ...(Object.keys(rows).length > 0 ? { detail: { file: reportDetailFile(plan.asOf), rows } } : {}),
    obligationsByFiscalYear,
  };
}
