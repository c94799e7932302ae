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
  /** YYYY-MM-DD the record is about (award start); identifiers with validFrom/validTo are checked against it. */
  date?: string;
}

export interface Matcher {
  match(input: MatchInput): Match[];
  matchAward(award: AwardRecord): Match[];
  matchMention(mention: MentionRecord): Match[];
}

export const PROPOSAL_THRESHOLD = 0.9;
export const REVIEW_THRESHOLD = 0.7;
