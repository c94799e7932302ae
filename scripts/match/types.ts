import type { AwardRecord, MentionRecord } from '../records.ts';

export type Relation = 'direct' | 'subsidiary' | 'via-reseller';

export type MatchMethod =
  | 'uei'
  | 'duns'
  | 'cage'
  | 'parent-uei'
  | 'parent-duns'
  | 'legal-name'
  | 'strong-alias'
  | 'subsidiary-name'
  /** A recipient name cut at 30 characters that starts exactly one registry name. */
  | 'name-prefix'
  | 'weak-alias'
  | 'parent-name'
  | 'product-term'
  | 'fuzzy';

export interface Match {
  companyId: string;
  relation: Relation;
  /** 0..1. ≥ 0.9 may drive a proposal; 0.7–0.9 goes to the review queue; below 0.7 is never emitted. */
  confidence: number;
  method: MatchMethod;
  /** A sentence a maintainer can check: what matched what. */
  reason: string;
  /** For via-reseller: the reseller's registry id (when the reseller is in the registry). */
  resellerId?: string;
}

/** The fields of a procurement recipient (or watchdog name) the matcher looks at. */
export interface MatchInput {
  name: string;
  uei?: string;
  duns?: string;
  cage?: string;
  parentName?: string;
  parentUei?: string;
  parentDuns?: string;
  description?: string;
  /**
   * YYYY-MM-DD the record is about: an award's start, a transaction's action date. Ownership dates
   * (since/until of units, parents, product terms, identifiers) are checked against it; without it the
   * record is taken as of now.
   */
  date?: string;
}

/** Why a name the registry knows was not attributed: the record falls outside the unit's ownership dates. */
export interface OwnershipNote {
  /** The registry company that owns (or owned) the unit at another time. */
  companyId: string;
  /** The unit's registry name (or the id of a company file with a dated parent). */
  unit: string;
  since?: string;
  until?: string;
  /** The record's date, when it had one. */
  date?: string;
  /** "\"Vigilant Solutions\" was acquired by motorola-solutions on 2019-01-11, after …" */
  text: string;
}

export interface DetailedMatch {
  matches: Match[];
  notes: readonly OwnershipNote[];
}

export interface Matcher {
  match(input: MatchInput): Match[];
  /** The matches and, for names of units owned only for a time, why they did not count on this record's date. */
  matchDetailed?(input: MatchInput): DetailedMatch;
  matchAward(award: AwardRecord): Match[];
  matchMention(mention: MentionRecord): Match[];
}

export const PROPOSAL_THRESHOLD = 0.9;
export const REVIEW_THRESHOLD = 0.7;
