/**
 * Shapes this source reads: spending_by_transaction pages and spending_by_transaction_count answers
 * (usaspending-api api_contracts v2/search), the listing manifest the live fetch writes beside its pages,
 * and the CSV a third-party dashboard wrote from the same endpoint (the recordings).
 */
import { LIMITS } from './limits.ts';
import { z } from 'zod';
import { CONTRACT_AWARD_TYPE_CODES, IDV_AWARD_TYPE_CODES } from '../usaspending/schema.ts';

export const TRANSACTIONS_SOURCE_ID = 'usaspending-transactions';

export type AwardGroup = 'contracts' | 'idvs';
export const AWARD_GROUPS: Record<AwardGroup, readonly string[]> = {
  contracts: CONTRACT_AWARD_TYPE_CODES,
  idvs: IDV_AWARD_TYPE_CODES,
};

/** The API's page size ceiling, and the Elasticsearch window (settings.ES_TRANSACTIONS_MAX_RESULT_WINDOW). */
export const PAGE_SIZE = LIMITS.pageSize;
export const MAX_RESULT_WINDOW = LIMITS.resultWindow;

/** Sub-tier agencies by the abbreviation the recordings use, with their FPDS codes. */
export const KNOWN_AGENCIES: Record<string, { code: string; name: string }> = {
  ICE: { code: '7012', name: 'U.S. Immigration and Customs Enforcement' },
  CBP: { code: '7014', name: 'U.S. Customs and Border Protection' },
};

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const amount = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : Number(value.trim());
  if (typeof value === 'string' && value.trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'expected an amount, got an empty value' });
    return z.NEVER;
  }
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected an amount in USD, got ${JSON.stringify(String(value).slice(0, 40))}` });
    return z.NEVER;
  }
  return Math.round(n * 100) / 100;
});
const date = z
  .string()
  .transform((s) => s.trim().slice(0, 10))
  .refine((s) => isoDate.test(s), 'expected a YYYY-MM-DD date');
const text = z
  .string()
  .nullish()
  .transform((s) => (s ?? '').replace(/\s+/g, ' ').trim() || undefined);
/** generated_unique_award_id: CONT_AWD_<PIID>_<AGENCY>_<PARENT>_<PARENT AGENCY> or CONT_IDV_<PIID>_<AGENCY>. */
export const generatedAwardId = z
  .string()
  .trim()
  .regex(/^CONT_(AWD|IDV)_[A-Za-z0-9_.-]+$/, 'expected a generated award id like CONT_AWD_<PIID>_<agency>_…');

/** The dashboard's CSV header, in order (shared/fixtures README, usaspending/transactions). */
export const DASHBOARD_COLUMNS = [
  'Agency',
  'Award ID',
  'Recipient Name',
  'Federal Action Obligation',
  'Action Date',
  'Modification',
  'Product/Service Description',
  'NAICS Description',
  'Transaction Description',
  'Generated Award ID',
] as const;

export const dashboardRowSchema = z.object({
  Agency: z.string().trim().min(1, 'expected the agency (ICE or CBP)'),
  'Award ID': z.string().trim().min(1, 'expected the PIID'),
  'Recipient Name': z.string().trim().min(1, 'expected a recipient name'),
  'Federal Action Obligation': amount,
  'Action Date': date,
  Modification: text,
  'Product/Service Description': text,
  'NAICS Description': text,
  'Transaction Description': text,
  'Generated Award ID': generatedAwardId,
});
export type DashboardRow = z.infer<typeof dashboardRowSchema>;

const codeAndDescription = z
  .object({ code: z.string().nullish(), description: z.string().nullish() })
  .nullish();

/** One row of a spending_by_transaction page (TransactionResponse + the fields this source asks for). */
export const apiRowSchema = z.object({
  generated_internal_id: generatedAwardId,
  'Award ID': z.string().trim().min(1, 'expected the PIID'),
  'Recipient Name': z.string().trim().min(1, 'expected a recipient name'),
  'Transaction Amount': amount,
  'Action Date': date,
  Mod: text,
  'Recipient UEI': text,
  recipient_id: text,
  'Awarding Sub Agency': text,
  'Award Type': text,
  'Transaction Description': text,
  NAICS: codeAndDescription,
  PSC: codeAndDescription,
});
export type ApiRow = z.infer<typeof apiRowSchema>;

export const apiPageSchema = z.looseObject({
  results: z.array(z.unknown()),
  page_metadata: z.looseObject({ page: z.number().int(), hasNext: z.boolean() }),
});

export const countResponseSchema = z.looseObject({
  results: z.looseObject({ contracts: z.number().int().nonnegative(), idvs: z.number().int().nonnegative() }),
});

export const LISTING_MARKER = 'icewatch/usaspending-transactions-listing';

/** Written by the live fetch for each listing (agency × fiscal year × group), naming its pages. */
export const listingManifestSchema = z.strictObject({
  kind: z.literal(LISTING_MARKER),
  awardingAgencyCode: z.string().regex(/^\d{4}$/),
  awardingSubAgency: z.string(),
  fiscalYear: z.number().int(),
  group: z.enum(['contracts', 'idvs']),
  /** spending_by_transaction_count for the same filters. */
  expected: z.number().int().nonnegative(),
  /** Basenames of the page files, in order. */
  pages: z.array(z.string()),
  /** Set when the listing stopped before hasNext was false (window reached). */
  stoppedEarly: z.string().optional(),
  retrievedAt: z.string(),
});
export type ListingManifest = z.infer<typeof listingManifestSchema>;

export function firstIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0];
  return { path: issue?.path.map(String).join('.') || '(root)', message: issue?.message ?? 'invalid' };
}
