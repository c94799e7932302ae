/**
 * Shapes of the USAspending custom award download: the API's request/status responses
 * (api_contracts v2/bulk_download/awards.md and v2/download/status.md) and the two contract CSVs
 * in the zip. Row schemas validate each cell strictly and convert the row to an `award` record.
 */
import { z } from 'zod';
import { awardRecordSchema, usaspendingAwardUrl, type AwardRecord } from '../../records.ts';
import {
  cellsShape,
  decodeCells,
  optionalCell,
  parseAmount,
  parseAwardOrIdvFlag,
  parseDigitCode,
  parseDuns,
  parseIsoDate,
  parseUei,
  requiredCell,
  type CellRule,
  type CellValue,
} from '../../util/csv-values.ts';
import { compact } from '../../util/compact.ts';
import type { StringPool } from '../../util/string-pool.ts';
import { toPlainText } from '../../util/sanitize.ts';
import type { ColumnRename } from './csv-reader.ts';

export const SOURCE_ID = 'usaspending-download';

// ---------------------------------------------------------------------------------------------
// API responses

/** POST /api/v2/bulk_download/awards/ (and the other download endpoints) answer with this. */
export const downloadRequestResponseSchema = z.object({
  status_url: z.string().min(1),
  file_name: z.string().min(1),
  file_url: z.string().min(1),
  download_request: z.record(z.string(), z.unknown()).optional(),
});
export type DownloadRequestResponse = z.infer<typeof downloadRequestResponseSchema>;

/** GET /api/v2/download/status?file_name=… */
export const downloadStatusSchema = z.object({
  status: z.enum(['ready', 'running', 'finished', 'failed']),
  message: z.string().nullable(),
  file_name: z.string().min(1),
  file_url: z.string().min(1),
  total_size: z.number().nullable().optional(),
  total_columns: z.number().nullable().optional(),
  total_rows: z.number().nullable().optional(),
  seconds_elapsed: z.string().nullable().optional(),
});
export type DownloadStatus = z.infer<typeof downloadStatusSchema>;

// ---------------------------------------------------------------------------------------------
// CSV cells

// Columns whose values repeat across awards share one string per value (see StringPool): agency names,
// award types, codes, dates, recipient and parent names. Identifiers (UEI, DUNS), descriptions and parent
// PIIDs are not pooled: their maps grow to a hundred thousand entries and more, and looking every cell up
// in them cost a 1M-row parse 4–6 s (32 s against 26–28 s) for ~100 MB less held.
const shared = { shared: true };
const text = (limit = 300, options: { shared?: boolean } = {}) => optionalCell((raw) => ({ ok: true, value: toPlainText(raw, limit) || undefined }), options);
const label = (limit = 300) => text(limit, shared);
const amount = optionalCell((raw) => parseAmount(raw));
const date = optionalCell((raw) => parseIsoDate(raw), shared);
const dateTime = optionalCell((raw) => parseIsoDate(raw, { allowTime: true }), shared);
const duns = optionalCell(parseDuns);
const uei = optionalCell(parseUei);
const naics = optionalCell((raw) => parseDigitCode(raw, { min: 2, max: 6 }), shared);
const piid = requiredCell((raw) => ({ ok: true, value: toPlainText(raw, 60) || undefined }), 'the PIID');
const awardOrIdv = requiredCell(parseAwardOrIdvFlag, 'the award or IDV flag');
// generated_unique_award_id: CONT_AWD_<piid>_<agency>_<parent piid|-NONE->_<parent agency|-NONE->, CONT_IDV_<piid>_<agency>.
const awardKey = requiredCell((raw) => {
  const key = raw.trim();
  if (key === '') return { ok: true, value: undefined };
  // Only the prefix is checked: legacy PIIDs come in odd shapes, and the key is USAspending's own.
  if (/^CONT_(?:AWD|IDV)_[\x21-\x7e]+$/.test(key)) return { ok: true, value: key };
  return { ok: false, message: `${JSON.stringify(toPlainText(key, 60))} is not a contract award key (CONT_AWD_… or CONT_IDV_…)` };
}, 'the award key');

/** What building a record from valid cells can still find wrong (a rule across columns). */
type Built<T> = { value: T } | { issue: { path: string[]; message: string } };

/**
 * One row's record from its decoded cells: the clean rows' whole path, and the zod schema's transform for
 * the rest. Cells that passed their rules make a record awardRecordSchema accepts (its dates come from
 * parseIsoDate, its url from the key), so only the zod path checks it again.
 */
function rowParser<R extends Record<string, CellRule>, T>(rules: R, build: (row: { [K in keyof R]: CellValue<R[K]> }) => Built<T>, check: (value: T, ctx: z.RefinementCtx) => T) {
  const schema = z.object(cellsShape(rules)).transform((row, ctx): T => {
    const built = build(row as { [K in keyof R]: CellValue<R[K]> });
    if ('issue' in built) {
      ctx.addIssue({ code: 'custom', ...built.issue });
      return z.NEVER;
    }
    return check(built.value, ctx);
  });
  const entries = Object.entries(rules) as Array<[keyof R & string, CellRule]>;
  const columns = entries.map(([column]) => column);
  /** The row's value, or the zod error that names each rejected cell; `cells` in `columns` order. */
  const parseList = (cells: readonly string[], pool?: StringPool): { success: true; data: T } | { success: false; error: z.ZodError } => {
    const row = decodeCells<R>(entries, cells, pool);
    if (row) {
      const built = build(row);
      if ('value' in built) return { success: true, data: built.value };
    }
    const named: Record<string, string> = {};
    columns.forEach((column, i) => (named[column] = cells[i] ?? ''));
    const parsed = schema.safeParse(named);
    return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
  };
  return {
    columns,
    /** The zod path alone, which every row once took (tests hold the clean-row path to it). */
    schema,
    parseList,
    /** parseList for a row of named cells (a column it lacks reads as empty). */
    parse: (cells: Readonly<Record<string, string>>, pool?: StringPool) => parseList(columns.map((c) => cells[c] ?? ''), pool),
  };
}

function kindOfKey(key: string): AwardRecord['kind'] {
  return key.startsWith('CONT_IDV_') ? 'idv' : 'contract';
}

function finish(record: AwardRecord, ctx: z.RefinementCtx): AwardRecord {
  const checked = awardRecordSchema.safeParse(record);
  if (checked.success) return checked.data;
  for (const issue of checked.error.issues) {
    ctx.addIssue({ code: 'custom', message: `record field ${issue.path.join('.')}: ${issue.message}` });
  }
  return z.NEVER;
}

// ---------------------------------------------------------------------------------------------
// Contracts_PrimeAwardSummaries_*.csv (286 columns; contracts and IDVs together)

export const PRIME_REQUIRED_COLUMNS = [
  'contract_award_unique_key',
  'award_id_piid',
  'parent_award_id_piid',
  'total_obligated_amount',
  'current_total_value_of_award',
  'potential_total_value_of_award',
  'period_of_performance_start_date',
  'period_of_performance_current_end_date',
  'ordering_period_end_date',
  'awarding_agency_name',
  'awarding_sub_agency_code',
  'awarding_sub_agency_name',
  'recipient_uei',
  'recipient_duns',
  'recipient_name',
  'recipient_parent_uei',
  'recipient_parent_duns',
  'recipient_parent_name',
  'award_or_idv_flag',
  'award_type',
  'idv_type',
  'prime_award_base_transaction_description',
  'product_or_service_code',
  'naics_code',
  'last_modified_date',
] as const;

/** Read when present: older download layouts lack them. */
export const PRIME_OPTIONAL_COLUMNS = ['total_outlayed_amount', 'recipient_name_raw'] as const;

const primeCells = {
  contract_award_unique_key: awardKey,
  award_id_piid: piid,
  parent_award_id_piid: text(60),
  total_obligated_amount: amount,
  total_outlayed_amount: amount,
  current_total_value_of_award: amount,
  potential_total_value_of_award: amount,
  period_of_performance_start_date: date,
  period_of_performance_current_end_date: date,
  ordering_period_end_date: date,
  awarding_agency_name: label(),
  awarding_sub_agency_code: label(10),
  awarding_sub_agency_name: label(),
  recipient_uei: uei,
  recipient_duns: duns,
  recipient_name: label(),
  recipient_name_raw: text(),
  recipient_parent_uei: uei,
  recipient_parent_duns: duns,
  recipient_parent_name: label(),
  award_or_idv_flag: awardOrIdv,
  award_type: label(80),
  idv_type: label(80),
  prime_award_base_transaction_description: text(),
  product_or_service_code: label(10),
  naics_code: naics,
  last_modified_date: dateTime,
} satisfies Record<(typeof PRIME_REQUIRED_COLUMNS)[number] | (typeof PRIME_OPTIONAL_COLUMNS)[number], CellRule>;

/** A prime award summary row → its award record. */
export const primeRow = rowParser(
  primeCells,
  (row): Built<AwardRecord> => {
    const key = row.contract_award_unique_key;
    const kind = kindOfKey(key);
    if ((kind === 'idv') !== (row.award_or_idv_flag === 'IDV')) {
      return { issue: { path: ['award_or_idv_flag'], message: `${row.award_or_idv_flag} contradicts the award key ${key}` } };
    }
    const name = row.recipient_name ?? row.recipient_name_raw;
    if (!name) return { issue: { path: ['recipient_name'], message: 'is empty, a recipient name is required' } };
    return {
      value: compact({
        recordType: 'award',
        source: SOURCE_ID,
        awardKey: key,
        piid: row.award_id_piid,
        parentPiid: row.parent_award_id_piid,
        kind,
        awardType: kind === 'idv' ? row.idv_type : row.award_type,
        recipient: compact({
          name,
          uei: row.recipient_uei,
          duns: row.recipient_duns,
          parentName: row.recipient_parent_name,
          parentUei: row.recipient_parent_uei,
          parentDuns: row.recipient_parent_duns,
        }),
        amounts: compact({
          obligated: row.total_obligated_amount,
          current: row.current_total_value_of_award,
          potential: row.potential_total_value_of_award,
          outlays: row.total_outlayed_amount,
        }),
        start: row.period_of_performance_start_date,
        end: row.period_of_performance_current_end_date,
        lastDateToOrder: row.ordering_period_end_date,
        awardingAgency: row.awarding_agency_name,
        awardingSubAgency: row.awarding_sub_agency_name,
        awardingAgencyCode: row.awarding_sub_agency_code,
        naics: row.naics_code,
        psc: row.product_or_service_code,
        description: row.prime_award_base_transaction_description,
        lastModified: row.last_modified_date,
        // Built from the key rather than copied from usaspending_permalink, so every source links an
        // award the same way and an untrusted cell never becomes a link.
        url: usaspendingAwardUrl(key),
      }),
    };
  },
  finish,
);

export const PRIME_COLUMNS = primeRow.columns;

// ---------------------------------------------------------------------------------------------
// Contracts_Subawards_*.csv (118 columns): one row per subaward; the prime_* columns describe the
// prime award and its recipient, which is what this source keeps.

/**
 * Columns renamed in the download (usaspending-api download/v2/download_column_historical_lookups.py).
 * Only renames of columns this source reads matter, but the whole rename is listed so the table stays
 * a faithful record of it.
 */
export const DOWNLOAD_COLUMN_RENAMES: readonly ColumnRename[] = [
  { current: 'subaward_sam_report_last_modified_date', previous: 'subaward_fsrs_report_last_modified_date', since: '2025-03-31', reference: 'usaspending-api 91baac264 (DEV-12262)' },
  { current: 'subaward_sam_report_id', previous: 'subaward_fsrs_report_id', since: '2025-03-31', reference: 'usaspending-api 1705856fd (DEV-12262)' },
  { current: 'subaward_sam_report_year', previous: 'subaward_fsrs_report_year', since: '2025-03-31', reference: 'usaspending-api 1705856fd (DEV-12262)' },
  { current: 'subaward_sam_report_month', previous: 'subaward_fsrs_report_month', since: '2025-03-31', reference: 'usaspending-api 1705856fd (DEV-12262)' },
];

export const SUBAWARD_REQUIRED_COLUMNS = [
  'prime_award_unique_key',
  'prime_award_piid',
  'prime_award_parent_piid',
  'prime_award_amount',
  'prime_award_period_of_performance_start_date',
  'prime_award_period_of_performance_current_end_date',
  'prime_award_awarding_agency_name',
  'prime_award_awarding_sub_agency_code',
  'prime_award_awarding_sub_agency_name',
  'prime_awardee_uei',
  'prime_awardee_duns',
  'prime_awardee_name',
  'prime_awardee_parent_uei',
  'prime_awardee_parent_duns',
  'prime_awardee_parent_name',
  'prime_award_base_transaction_description',
  'prime_award_naics_code',
  'subaward_sam_report_last_modified_date',
] as const;

export const SUBAWARD_OPTIONAL_COLUMNS = ['prime_award_total_outlayed_amount'] as const;

const subawardCells = {
  prime_award_unique_key: awardKey,
  prime_award_piid: piid,
  prime_award_parent_piid: text(60),
  prime_award_amount: amount,
  prime_award_total_outlayed_amount: amount,
  prime_award_period_of_performance_start_date: date,
  prime_award_period_of_performance_current_end_date: date,
  prime_award_awarding_agency_name: label(),
  prime_award_awarding_sub_agency_code: label(10),
  prime_award_awarding_sub_agency_name: label(),
  prime_awardee_uei: uei,
  prime_awardee_duns: duns,
  prime_awardee_name: label(),
  prime_awardee_parent_uei: uei,
  prime_awardee_parent_duns: duns,
  prime_awardee_parent_name: label(),
  prime_award_base_transaction_description: text(),
  prime_award_naics_code: naics,
  subaward_sam_report_last_modified_date: dateTime,
} satisfies Record<(typeof SUBAWARD_REQUIRED_COLUMNS)[number] | (typeof SUBAWARD_OPTIONAL_COLUMNS)[number], CellRule>;

/** A prime award seen through one subaward row, plus the date of the report it came with. */
export interface SubawardPrime {
  record: AwardRecord;
  reportModified?: string;
}

/** A subaward row → the prime award it was reported against (and the report's date). */
export const subawardRow = rowParser(
  subawardCells,
  (row): Built<SubawardPrime> => {
    if (!row.prime_awardee_name) return { issue: { path: ['prime_awardee_name'], message: 'is empty, a recipient name is required' } };
    const key = row.prime_award_unique_key;
    const record: AwardRecord = compact({
      recordType: 'award',
      source: SOURCE_ID,
      awardKey: key,
      piid: row.prime_award_piid,
      parentPiid: row.prime_award_parent_piid,
      kind: kindOfKey(key),
      recipient: compact({
        name: row.prime_awardee_name,
        uei: row.prime_awardee_uei,
        duns: row.prime_awardee_duns,
        parentName: row.prime_awardee_parent_name,
        parentUei: row.prime_awardee_parent_uei,
        parentDuns: row.prime_awardee_parent_duns,
      }),
      amounts: compact({
        // The broker fills prime_award_amount from the FSRS report's dollars obligated on the prime
        // (data-act-broker-backend populate_subaward_table_contracts.sql), as of that report.
        obligated: row.prime_award_amount,
        outlays: row.prime_award_total_outlayed_amount,
      }),
      start: row.prime_award_period_of_performance_start_date,
      end: row.prime_award_period_of_performance_current_end_date,
      awardingAgency: row.prime_award_awarding_agency_name,
      awardingSubAgency: row.prime_award_awarding_sub_agency_name,
      awardingAgencyCode: row.prime_award_awarding_sub_agency_code,
      naics: row.prime_award_naics_code,
      description: row.prime_award_base_transaction_description,
      url: usaspendingAwardUrl(key),
    });
    return { value: compact({ record, reportModified: row.subaward_sam_report_last_modified_date }) };
  },
  (prime, ctx) => compact({ record: finish(prime.record, ctx), reportModified: prime.reportModified }),
);

export const SUBAWARD_COLUMNS = subawardRow.columns;
