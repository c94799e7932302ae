/**
 * Normalized records: what every source's parser produces and what matching, planning and
 * publishing consume. Stored one per line in data/snapshots/<source>.jsonl.
 */
import { z } from 'zod';

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD date');

export const recipientSchema = z.object({
  name: z.string().min(1),
  uei: z.string().optional(),
  /** Always 9 digits, left-padded. */
  duns: z.string().optional(),
  parentName: z.string().optional(),
  parentUei: z.string().optional(),
  parentDuns: z.string().optional(),
  /** USAspending recipient hash id (`<uuid>-P|C|R`) when known; used to look up parents. */
  recipientId: z.string().optional(),
});
export type Recipient = z.infer<typeof recipientSchema>;

export const amountsSchema = z.object({
  /** Total obligated (USAspending "Award Amount" for contracts; sum of transactions' obligations). */
  obligated: z.number().optional(),
  /** Base and exercised options / current total value. */
  current: z.number().optional(),
  /** Base and all options / potential total value. */
  potential: z.number().optional(),
  outlays: z.number().optional(),
});

export const awardRecordSchema = z.object({
  recordType: z.literal('award'),
  source: z.string(),
  /**
   * USAspending's generated_unique_award_id format, e.g. CONT_AWD_<PIID>_<AGENCY>_<PARENT_PIID>_<PARENT_AGENCY>
   * or CONT_IDV_<PIID>_<AGENCY>; FPDS records build the same key so sources dedupe against each other.
   */
  awardKey: z.string().min(1),
  piid: z.string().min(1),
  parentPiid: z.string().optional(),
  kind: z.enum(['contract', 'idv']),
  /** FPDS/USAspending award type, e.g. "DELIVERY ORDER", "BPA CALL", "IDC". */
  awardType: z.string().optional(),
  recipient: recipientSchema,
  amounts: amountsSchema,
  start: isoDate.optional(),
  end: isoDate.optional(),
  /** End of the ordering period (IDVs). */
  lastDateToOrder: isoDate.optional(),
  awardingAgency: z.string().optional(),
  awardingSubAgency: z.string().optional(),
  /** 4-digit FPDS agency code of the awarding sub-tier (ICE = 7012). */
  awardingAgencyCode: z.string().optional(),
  naics: z.string().optional(),
  psc: z.string().optional(),
  description: z.string().optional(),
  lastModified: isoDate.optional(),
  /** A human-facing page for the award (usaspending.gov/award/<key>). */
  url: z.string().url(),
});
export type AwardRecord = z.infer<typeof awardRecordSchema>;

export const mentionRecordSchema = z.object({
  recordType: z.literal('mention'),
  source: z.string(),
  /** The list within the source: declined, past-partners, never-reached-out, listed, top-contractors … */
  list: z.string().min(1),
  name: z.string().min(1),
  /** Page the list lives on. */
  url: z.string().url().optional(),
  /** A link the list gives for this entry (news article, award page). */
  evidenceUrl: z.string().url().optional(),
  note: z.string().optional(),
  /** Other names the list gives for the entry ("AKA OpenFox"): matched when the name alone says nothing. */
  aliases: z.array(z.string().min(1)).optional(),
  rank: z.number().int().optional(),
  /** Exact amount in dollars, where the list gives one (e.g. FY2025 outlays). */
  amount: z.number().optional(),
  /** Award keys or PIIDs the entry links to. */
  awardRefs: z.array(z.string()).optional(),
});
export type MentionRecord = z.infer<typeof mentionRecordSchema>;

/** One contract action (a transaction) with its obligation: what an agency paid in a fiscal year. */
export const transactionRecordSchema = z.object({
  recordType: z.literal('transaction'),
  source: z.string(),
  /** `<mod>|<actionDate>|<cents>|<n>` within the award: the API gives no transaction id; n counts identical rows. */
  key: z.string().min(1),
  awardKey: z.string().min(1),
  piid: z.string().min(1),
  kind: z.enum(['contract', 'idv']),
  fiscalYear: z.number().int(),
  /** The action date: when the obligation was made, never when the award ends. */
  actionDate: isoDate,
  mod: z.string().optional(),
  /** Federal action obligation in USD; negative for de-obligations. */
  obligated: z.number(),
  recipient: z.object({ name: z.string().min(1), uei: z.string().optional(), recipientId: z.string().optional() }),
  awardingAgencyCode: z.string().regex(/^\d{4}$/),
  awardType: z.string().optional(),
  naics: z.string().optional(),
  naicsDescription: z.string().optional(),
  psc: z.string().optional(),
  pscDescription: z.string().optional(),
  /** The award page is usaspendingAwardUrl(awardKey): not stored, a snapshot of a full history stays small. */
  description: z.string().optional(),
});
export type TransactionRecord = z.infer<typeof transactionRecordSchema>;

/** How complete one listing (agency × fiscal year × award group) is: a short listing is a lower bound. */
export const coverageRecordSchema = z.object({
  recordType: z.literal('coverage'),
  source: z.string(),
  awardingAgencyCode: z.string().regex(/^\d{4}$/),
  fiscalYear: z.number().int(),
  group: z.enum(['contracts', 'idvs']),
  /** Transactions held for this listing. */
  rows: z.number().int().nonnegative(),
  /** What the count endpoint (or the recording's evidence) says the listing has, when known. */
  expected: z.number().int().nonnegative().optional(),
  complete: z.boolean(),
  /** Last action date covered (the listing's retrieval, for a year still running). */
  through: isoDate.optional(),
  /** Why it is (in)complete, in words a researcher can check. */
  basis: z.string(),
});
export type CoverageRecord = z.infer<typeof coverageRecordSchema>;

export const sourceRecordSchema = z.discriminatedUnion('recordType', [
  awardRecordSchema,
  mentionRecordSchema,
  transactionRecordSchema,
  coverageRecordSchema,
]);
export type SourceRecord = z.infer<typeof sourceRecordSchema>;

/** The identity of a record inside its snapshot: one line per key. */
export function recordKey(record: SourceRecord): string {
  switch (record.recordType) {
    case 'award':
      return record.awardKey;
    case 'mention':
      return `${record.list}\u0000${record.name.normalize('NFKC').toLowerCase()}`;
    case 'transaction':
      return `T\u0000${record.awardKey}\u0000${record.key}`;
    case 'coverage':
      return `C\u0000${record.awardingAgencyCode}\u0000${record.fiscalYear}\u0000${record.group}`;
  }
}

const AWARD_URL_PREFIX = 'https://www.usaspending.gov/award/';

export function usaspendingAwardUrl(awardKey: string): string {
  const encoded = encodeURIComponent(awardKey);
  // A key that needs no escaping (nearly all) is reused: the link then costs a reference to the key the
  // record holds anyway, not a second copy of it (a million awards held ~70 MB of copies).
  return AWARD_URL_PREFIX + (encoded === awardKey ? awardKey : encoded);
}

