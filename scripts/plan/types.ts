/**
 * The Plan: everything a run decided, before anything is written. Publishing, the report and the
 * pull requests are all renderings of this one value, so a dry run shows exactly what a real run does.
 */
import type { Match } from '../match/types.ts';
import type { CompanyObligations, CoverageSummary } from './obligations.ts';

/**
 * `recent-obligations`: ICE obligated money to the company within the configured window on an award
 * whose end date is not known; transactions carry action dates, which are not end dates.
 */
export type CompanyStatus = 'active' | 'recent-obligations' | 'ended' | 'no-record';
/**
 * partial: the snapshot is usable but the last fetch brought less than the service counted (or could
 * not be checked); its figures are a lower bound until a complete fetch.
 */
export type SourceHealthState = 'ok' | 'partial' | 'stale' | 'failed';

export interface SourceHealth {
  source: string;
  title: string;
  state: SourceHealthState;
  /** Last successful fetch or import. */
  lastSuccess?: string;
  /** Days since lastSuccess when stale. */
  ageDays?: number;
  /** Date (YYYY-MM-DD) after which the snapshot counts as stale: lastSuccess + the configured days. */
  staleAfter?: string;
  records: number;
  /** What went wrong, for failed/stale. */
  message?: string;
  /** Structural state reported by the parser (e.g. 'lists-removed'). */
  sourceState?: string;
  contentHash?: string;
  origin?: string;
  /**
   * Award stores fetched this run: the keys the write added, removed and changed, per fiscal year of the
   * award's start (counts, and the first few keys of each), as the engine computed them.
   */
  storeChanges?: Array<{
    fiscalYear: number;
    added: number;
    removed: number;
    changed: number;
    addedKeys: string[];
    removedKeys: string[];
    changedKeys: string[];
  }>;
}

/** An award as evidence: every claim in a report or PR carries these. */
export interface AwardEvidence {
  awardKey: string;
  piid: string;
  kind: 'contract' | 'idv';
  source: string;
  recipientName: string;
  recipientUei?: string;
  recipientDuns?: string;
  agency?: string;
  obligated?: number;
  potential?: number;
  start?: string;
  end?: string;
  lastDateToOrder?: string;
  description?: string;
  naics?: string;
  psc?: string;
  active: boolean;
  url: string;
}

export interface MentionEvidence {
  source: string;
  list: string;
  name: string;
  url?: string;
  evidenceUrl?: string;
  note?: string;
}

/** The schema-validated evidence file that travels with a proposal (data/registry/evidence/<id>.json). */
export interface EvidenceFile {
  schemaVersion: 1;
  candidateId: string;
  name: string;
  match: Pick<Match, 'relation' | 'confidence' | 'method' | 'reason'>;
  awards: AwardEvidence[];
  mentions: MentionEvidence[];
  snapshots: Array<{ source: string; contentHash: string; retrievedAt: string; origin: string }>;
}

export interface AddCompanyProposal {
  kind: 'add-company';
  /** Stable proposal id; the branch is icewatch/add-<companyId>. */
  companyId: string;
  name: string;
  confidence: number;
  /** The YAML file the PR adds, at data/registry/companies/<companyId>.yaml. */
  registryFile: { path: string; content: string };
  evidenceFile: { path: string; content: string };
  evidence: EvidenceFile;
  /** Hash over the evidence's award keys and mentions: changes only when the evidence does. */
  evidenceHash: string;
  /** Set when the candidate had been dismissed and comes back with new evidence: the new award keys. */
  newSinceDismissal?: string[];
}

export interface StatusChangeProposal {
  kind: 'status-change';
  companyId: string;
  name: string;
  from: CompanyStatus;
  to: CompanyStatus;
  /** Why: the award(s) that ended, or the list that dropped the company. */
  reason: string;
  awards: AwardEvidence[];
  mentions: MentionEvidence[];
  evidenceHash: string;
  /** Files the PR changes (usually the company's YAML with a note/evidence entry). */
  files: Array<{ path: string; content: string }>;
}

export type Proposal = AddCompanyProposal | StatusChangeProposal;

export interface Candidate {
  companyId: string;
  name: string;
  confidence: number;
  match: Pick<Match, 'relation' | 'confidence' | 'method' | 'reason'>;
  awards: AwardEvidence[];
  mentions: MentionEvidence[];
  totalObligated: number;
  /** Why it is a candidate: 'tech-scope-award' | 'watchdog-mention'. */
  because: string[];
  /** false when the last run already had this candidate (the report and feed only announce new ones). */
  isNew: boolean;
  /** ICE obligations by fiscal year (usaspending-transactions), when its evidence includes transactions. */
  obligations?: CompanyObligations;
}

/** Per-company obligations and the completeness of each fiscal year, for the report. */
export interface PlanObligations {
  /** Start of the recent-obligations window. */
  recentSince: string;
  coverage: CoverageSummary[];
  companies: Array<{ companyId: string; name: string; status: CompanyStatus } & CompanyObligations>;
}

export interface NewAward {
  companyId: string;
  relation: Match['relation'];
  confidence: number;
  reason: string;
  award: AwardEvidence;
}

export interface StatusTransition {
  companyId: string;
  name: string;
  from: CompanyStatus;
  to: CompanyStatus;
  awards: AwardEvidence[];
}

export interface ListChange {
  source: string;
  list: string;
  added: string[];
  removed: string[];
  /** Removed names are never read as "dropped ICE" on their own: flagged for review. */
  needsReview: boolean;
  /**
   * The list is missing while the page has lists the parser does not recognise (a renamed heading):
   * a structure change, not removals. Its names are kept as they were.
   */
  structureChange?: string;
}

export interface ReviewItem {
  kind: 'award' | 'mention';
  name: string;
  source: string;
  awardKey?: string;
  list?: string;
  matches: Array<Pick<Match, 'companyId' | 'relation' | 'confidence' | 'method' | 'reason'>>;
  url?: string;
  /** Why a registry name did not count: "\"CSRA LLC\" was acquired by general-dynamics on 2018-04-03, after …". */
  note?: string;
}

export interface Plan {
  asOf: string;
  sources: SourceHealth[];
  candidates: Candidate[];
  newAwards: NewAward[];
  transitions: StatusTransition[];
  listChanges: ListChange[];
  reviewQueue: ReviewItem[];
  proposals: Proposal[];
  /** Sources whose snapshot could not be read this run: unknown, and nothing was inferred from them. */
  unknownSources?: string[];
  /** Add proposals left out of this plan by its bound (their candidates are in `candidates`). */
  proposalsDeferred?: number;
  obligations?: PlanObligations;
}
