/**
 * zod schemas for the USAspending API v2 responses this source reads, each converting into the
 * normalized `award` record (or, for the recipient endpoint, into parent facts):
 * - POST /api/v2/search/spending_by_award/  (one page: `results` rows + `page_metadata`)
 * - GET  /api/v2/awards/{generated_unique_award_id}/  (one award in full)
 * - GET  /api/v2/recipient/{recipient_id}/  (recipient profile with its parent)
 * Shapes follow fedspendingtransparency/usaspending-api `api_contracts` and the recordings in
 * ../shared/fixtures/usaspending/api.
 */
import { z } from 'zod';
import { usaspendingAwardUrl } from '../../records.ts';
import type { AwardRecord } from '../../records.ts';
import { toPlainText } from '../../util/sanitize.ts';
import { compact } from '../../util/compact.ts';

export const USASPENDING_SOURCE_ID = 'usaspending';

/** Descriptions carry the product terms matching looks for, so keep more than the default cap. */
const DESCRIPTION_LIMIT = 1000;

// ---- value schemas -------------------------------------------------------------------------

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$/;

/** API dates are `YYYY-MM-DD`, sometimes with a time (`2019-10-27 20:06:44`); records keep the date. */
export const apiDate = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    if (value === null || value === undefined || value.trim() === '') return undefined;
    const match = DATE_PREFIX.exec(value.trim());
    const [, y, m, d] = match ?? [];
    const date = match ? new Date(`${y}-${m}-${d}T00:00:00Z`) : undefined;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${y}-${m}-${d}`) {
      ctx.issues.push({ code: 'custom', message: `expected a YYYY-MM-DD date, got ${JSON.stringify(value.slice(0, 40))}`, input: value });
      return z.NEVER;
    }
    return `${y}-${m}-${d}`;
  });

const amount = z
  .number()
  .nullish()
  .transform((value) => (value === null || value === undefined ? undefined : value));

const text = (limit?: number) =>
  z
    .string()
    .nullish()
    .transform((value) => {
      if (value === null || value === undefined) return undefined;
      const plain = toPlainText(value, limit);
      return plain === '' ? undefined : plain;
    });

const identifier = z
  .string()
  .nullish()
  .transform((value) => {
    const trimmed = value?.trim().toUpperCase();
    return trimmed ? trimmed : undefined;
  });

/** DUNS are 9 digits; upstream exports often lost the leading zeros. */
export function padDuns(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  return /^\d{1,9}$/.test(trimmed) ? trimmed.padStart(9, '0') : undefined;
}

const duns = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    if (value === null || value === undefined || value.trim() === '') return undefined;
    const padded = padDuns(value);
    if (!padded) {
      ctx.issues.push({ code: 'custom', message: `expected a DUNS of up to 9 digits, got ${JSON.stringify(value.slice(0, 20))}`, input: value });
      return z.NEVER;
    }
    return padded;
  });

/** `NAICS`/`PSC` come as `{code, description}` objects in current responses, as bare codes in older ones. */
const codeField = z
  .union([z.object({ code: z.string().nullish(), description: z.string().nullish() }), z.string()])
  .nullish()
  .transform((value) => {
    const code = typeof value === 'string' ? value : value?.code;
    const trimmed = code?.trim();
    return trimmed ? trimmed : undefined;
  });

// ---- award keys ----------------------------------------------------------------------------

export interface AwardKeyParts {
  kind: 'contract' | 'idv';
  piid: string;
  agency: string;
  parentPiid?: string;
  parentAgency?: string;
}

/**
 * USAspending's generated_unique_award_id: `CONT_AWD_<PIID>_<AGENCY>_<PARENT PIID>_<PARENT AGENCY>` for
 * contracts (`-NONE-` where there is no parent IDV) and `CONT_IDV_<PIID>_<AGENCY>` for IDVs. Assistance
 * awards (`ASST_…`) are not procurement and are not this source's business.
 */
export function parseAwardKey(key: string): AwardKeyParts | undefined {
  const parts = key.split('_');
  if (parts[0] !== 'CONT') return undefined;
  const none = (value: string | undefined) => (value === undefined || value === '-NONE-' || value === '' ? undefined : value);
  if (parts[1] === 'IDV' && parts.length === 4 && parts[2] && parts[3]) {
    return { kind: 'idv', piid: parts[2], agency: parts[3] };
  }
  if (parts[1] === 'AWD' && parts.length === 6 && parts[2] && parts[3]) {
    const parentPiid = none(parts[4]);
    const parentAgency = none(parts[5]);
    return { kind: 'contract', piid: parts[2], agency: parts[3], ...(parentPiid ? { parentPiid } : {}), ...(parentAgency ? { parentAgency } : {}) };
  }
  return undefined;
}

const awardKey = z
  .string()
  .trim()
  .min(1)
  .transform((key, ctx) => {
    const parts = parseAwardKey(key);
    if (!parts) {
      ctx.issues.push({
        code: 'custom',
        message: `not a contract or IDV award id (expected CONT_AWD_… or CONT_IDV_…): ${JSON.stringify(key.slice(0, 80))}`,
        input: key,
      });
      return z.NEVER;
    }
    return { key, ...parts };
  });

// ---- spending_by_award ---------------------------------------------------------------------

export const CONTRACT_AWARD_TYPE_CODES = ['A', 'B', 'C', 'D'] as const;
export const IDV_AWARD_TYPE_CODES = ['IDV_A', 'IDV_B', 'IDV_B_A', 'IDV_B_B', 'IDV_B_C', 'IDV_C', 'IDV_D', 'IDV_E'] as const;

/** One row of a spending_by_award page, converted into an award record. */
export const searchRowSchema = z
  .object({
    generated_internal_id: awardKey,
    'Award ID': z.string().nullish(),
    'Recipient Name': text(),
    'Recipient UEI': identifier,
    'Recipient DUNS Number': duns,
    recipient_id: z.string().nullish(),
    'Start Date': apiDate,
    'End Date': apiDate,
    'Last Date to Order': apiDate,
    'Award Amount': amount,
    'Total Outlays': amount,
    Description: text(DESCRIPTION_LIMIT),
    'Contract Award Type': text(),
    NAICS: codeField,
    PSC: codeField,
    'Last Modified Date': apiDate,
    'Awarding Agency': text(),
    'Awarding Sub Agency': text(),
    'Awarding Sub Agency Code': identifier,
  })
  .transform((row, ctx): AwardRecord => {
    const key = row.generated_internal_id;
    if (!row['Recipient Name']) {
      ctx.issues.push({ code: 'custom', message: 'recipient name is missing', input: row, path: ['Recipient Name'] });
      return z.NEVER;
    }
    return compact<AwardRecord>({
      recordType: 'award',
      source: USASPENDING_SOURCE_ID,
      awardKey: key.key,
      piid: row['Award ID']?.trim() || key.piid,
      parentPiid: key.parentPiid,
      kind: key.kind,
      awardType: row['Contract Award Type'],
      recipient: compact({
        name: row['Recipient Name'],
        uei: row['Recipient UEI'],
        duns: row['Recipient DUNS Number'],
        recipientId: row.recipient_id?.trim() || undefined,
      }),
      amounts: compact({ obligated: row['Award Amount'], outlays: row['Total Outlays'] }),
      start: row['Start Date'],
      // IDVs have no period-of-performance end in search results; their horizon is the ordering period.
      end: key.kind === 'contract' ? row['End Date'] : undefined,
      lastDateToOrder: key.kind === 'idv' ? row['Last Date to Order'] : undefined,
      awardingAgency: row['Awarding Agency'],
      awardingSubAgency: row['Awarding Sub Agency'],
      awardingAgencyCode: row['Awarding Sub Agency Code'] ?? key.agency,
      naics: row.NAICS,
      psc: row.PSC,
      description: row.Description,
      lastModified: row['Last Modified Date'],
      url: usaspendingAwardUrl(key.key),
    });
  });

/**
 * A page's frame. Rows are checked one by one (a bad row is tolerated and reported), the frame is not:
 * without `results` and `page_metadata` the page is unusable.
 */
export const searchPageSchema = z.object({
  limit: z.number().int().positive().optional(),
  results: z.array(z.record(z.string(), z.unknown())),
  page_metadata: z.object({
    page: z.number().int().positive(),
    hasNext: z.boolean(),
    last_record_unique_id: z.number().int().nullish(),
    // The server writes str(sort value): epoch milliseconds for a date sort, and "None" both on the last
    // page and for a record whose sort field is empty. It is an opaque token that goes back as written.
    last_record_sort_value: z
      .union([z.string(), z.number()])
      .nullish()
      .transform((value) => (value === null || value === undefined ? undefined : String(value))),
  }),
  messages: z.array(z.unknown()).optional(),
});

/** POST /api/v2/search/spending_by_award_count/ (api_contracts v2/search/spending_by_award_count.md). */
export const awardCountSchema = z.object({
  results: z.looseObject({
    contracts: z.number().int().nonnegative(),
    idvs: z.number().int().nonnegative(),
  }),
  spending_level: z.string().optional(),
  messages: z.array(z.unknown()).optional(),
});
export type AwardCount = z.infer<typeof awardCountSchema>;
export type SearchPage = z.infer<typeof searchPageSchema>;

// ---- award detail --------------------------------------------------------------------------

const agencySchema = z
  .object({
    toptier_agency: z.object({ name: z.string().nullish(), code: z.string().nullish() }).nullish(),
    subtier_agency: z.object({ name: z.string().nullish(), code: z.string().nullish() }).nullish(),
  })
  .nullish();

const hierarchySchema = z
  .object({ base_code: z.object({ code: z.string().nullish() }).partial().nullish() })
  .nullish();

export const awardDetailSchema = z
  .object({
    generated_unique_award_id: awardKey,
    piid: z.string().nullish(),
    category: z.string(),
    type_description: text(),
    description: text(DESCRIPTION_LIMIT),
    total_obligation: amount,
    base_exercised_options: amount,
    base_and_all_options: amount,
    total_outlay: amount,
    date_signed: apiDate,
    parent_award: z.object({ piid: z.string().nullish(), generated_unique_award_id: z.string().nullish() }).nullish(),
    latest_transaction_contract_data: z
      .object({ naics: z.string().nullish(), product_or_service_code: z.string().nullish() })
      .nullish(),
    awarding_agency: agencySchema,
    period_of_performance: z.object({
      start_date: apiDate,
      end_date: apiDate,
      last_modified_date: apiDate,
    }),
    recipient: z.object({
      recipient_hash: z.string().nullish(),
      recipient_name: text(),
      recipient_uei: identifier,
      recipient_unique_id: duns,
      parent_recipient_name: text(),
      parent_recipient_uei: identifier,
      parent_recipient_unique_id: duns,
    }),
    naics_hierarchy: hierarchySchema,
    psc_hierarchy: hierarchySchema,
  })
  .transform((award, ctx): AwardRecord => {
    const key = award.generated_unique_award_id;
    if (award.category !== 'contract' && award.category !== 'idv') {
      ctx.issues.push({ code: 'custom', message: `category ${JSON.stringify(award.category)} is not a contract or IDV`, input: award.category, path: ['category'] });
      return z.NEVER;
    }
    if (!award.recipient.recipient_name) {
      ctx.issues.push({ code: 'custom', message: 'recipient name is missing', input: award.recipient, path: ['recipient', 'recipient_name'] });
      return z.NEVER;
    }
    const pop = award.period_of_performance;
    const contract = award.latest_transaction_contract_data;
    return compact<AwardRecord>({
      recordType: 'award',
      source: USASPENDING_SOURCE_ID,
      awardKey: key.key,
      piid: award.piid?.trim() || key.piid,
      parentPiid: award.parent_award?.piid?.trim() || key.parentPiid,
      kind: key.kind,
      awardType: award.type_description,
      recipient: compact({
        name: award.recipient.recipient_name,
        uei: award.recipient.recipient_uei,
        duns: award.recipient.recipient_unique_id,
        parentName: award.recipient.parent_recipient_name,
        parentUei: award.recipient.parent_recipient_uei,
        parentDuns: award.recipient.parent_recipient_unique_id,
        recipientId: award.recipient.recipient_hash?.trim() || undefined,
      }),
      amounts: compact({
        obligated: award.total_obligation,
        current: award.base_exercised_options,
        potential: award.base_and_all_options,
        outlays: award.total_outlay,
      }),
      start: pop.start_date,
      // For IDVs the API fills period_of_performance.end_date from ordering_period_end_date
      // (usaspending-api awards/v2/data_layer/orm.py, construct_idv_response).
      end: key.kind === 'contract' ? pop.end_date : undefined,
      lastDateToOrder: key.kind === 'idv' ? pop.end_date : undefined,
      awardingAgency: award.awarding_agency?.toptier_agency?.name ? toPlainText(award.awarding_agency.toptier_agency.name) : undefined,
      awardingSubAgency: award.awarding_agency?.subtier_agency?.name ? toPlainText(award.awarding_agency.subtier_agency.name) : undefined,
      awardingAgencyCode: award.awarding_agency?.subtier_agency?.code?.trim() || key.agency,
      naics: award.naics_hierarchy?.base_code?.code?.trim() || contract?.naics?.trim() || undefined,
      psc: award.psc_hierarchy?.base_code?.code?.trim() || contract?.product_or_service_code?.trim() || undefined,
      description: award.description,
      lastModified: pop.last_modified_date,
      url: usaspendingAwardUrl(key.key),
    });
  });

// ---- recipient profile ---------------------------------------------------------------------

export interface RecipientParent {
  recipientId: string;
  level: 'P' | 'C' | 'R';
  parentName?: string;
  parentUei?: string;
  parentDuns?: string;
}

export const recipientOverviewSchema = z
  .object({
    recipient_id: z.string().min(1),
    recipient_level: z.enum(['P', 'C', 'R']),
    parent_name: text(),
    parent_uei: identifier,
    parent_duns: duns,
  })
  .transform(
    (recipient): RecipientParent =>
      compact({
        recipientId: recipient.recipient_id,
        level: recipient.recipient_level,
        parentName: recipient.parent_name,
        parentUei: recipient.parent_uei,
        parentDuns: recipient.parent_duns,
      }),
  );

// ---- errors --------------------------------------------------------------------------------

/** `page_metadata.hasNext`, `results[3].Award Amount`: the path a person can look for in the file. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function firstIssue(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): { path: string; message: string } {
  const issue = error.issues[0];
  const path = formatPath([...prefix, ...(issue?.path ?? [])]);
  return { path: path || '(root)', message: issue?.message ?? 'invalid' };
}
