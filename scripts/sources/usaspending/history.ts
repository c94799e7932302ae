/**
 * The legacy ICE transaction exports for FY2013–FY2017 (`fy13_ICE_transactions_selected_vendors.NOHEADER.csv`
 * …): USAspending contract transactions, header-less, re-saved by a spreadsheet (dates `DD/MM/YYYY`
 * or `DD/MM/YY HH:MM`, DUNS without leading zeros, booleans `t`/`f`). Transactions are folded into
 * awards keyed like USAspending's generated_unique_award_id, so they merge with the API's records.
 * Rows are split by DuckDB's strict CSV reader (engine-csv.ts), or by csv-parse when it refuses a file.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { awardRecordSchema, usaspendingAwardUrl, type AwardRecord } from '../../records.ts';
import { awardOrIdvFlag, csvField, csvRequired, parseAmount, parseDigitCode, parseDuns, parseHistoryDate, type ValueResult } from '../../util/csv-values.ts';
import { SourceFormatError } from '../../util/errors.ts';
import { forLog, toPlainText } from '../../util/sanitize.ts';
import type { ParseContext, ParseResult, RawInput, RowIssue } from '../types.ts';
import { columnCountIssue, pickColumns, readCsvRows, readHeader, recordLines, rowIssuesFromZod } from '../usaspending-download/csv-reader.ts';
import { EngineCsvRefused, readColumnsWithEngine } from '../usaspending-download/engine-csv.ts';
import { HISTORY_COLUMNS } from './history-columns.ts';
import { USASPENDING_SOURCE_ID } from './schema.ts';

export { HISTORY_COLUMNS };

const COLUMN_INDEX = new Map<string, number>(HISTORY_COLUMNS.map((name, position) => [name, position]));

const text = (limit = 300) =>
  z.string().transform((raw) => {
    const plain = toPlainText(raw, limit);
    return plain === '' ? undefined : plain;
  });
const historyDate = csvField(parseHistoryDate);
const amount = csvField((raw) => parseAmount(raw));
const duns = csvField(parseDuns);

/** FPDS agency identifiers are 4 characters (7012 = ICE); a shorter one lost a leading zero. */
function parseAgencyId(raw: string): ValueResult<string> {
  const value = raw.trim().toUpperCase();
  if (value === '') return { ok: true, value: undefined };
  if (/^[0-9A-Z]{4}$/.test(value)) return { ok: true, value };
  return { ok: false, message: `${JSON.stringify(toPlainText(raw, 20))} is not a 4-character agency id (a lost leading zero is not restored)` };
}

const transactionShape = {
  award_id_piid: csvRequired((raw) => ({ ok: true, value: toPlainText(raw, 60).toUpperCase() || undefined }), 'the PIID'),
  modification_number: text(40),
  transaction_number: text(20),
  parent_award_agency_id: csvField(parseAgencyId),
  parent_award_id: z.string().transform((raw) => toPlainText(raw, 60).toUpperCase() || undefined),
  federal_action_obligation: amount,
  current_total_value_of_award: amount,
  potential_total_value_of_award: amount,
  action_date: csvRequired(parseHistoryDate, 'the action date'),
  period_of_performance_start_date: historyDate,
  period_of_performance_current_end_date: historyDate,
  ordering_period_end_date: historyDate,
  awarding_agency_name: text(),
  awarding_sub_agency_code: csvRequired(parseAgencyId, 'the awarding agency id'),
  awarding_sub_agency_name: text(),
  recipient_duns: duns,
  recipient_name: csvRequired((raw) => ({ ok: true, value: toPlainText(raw) || undefined }), 'a recipient name'),
  recipient_parent_name: text(),
  recipient_parent_duns: duns,
  award_or_idv_flag: awardOrIdvFlag,
  award_type: text(80),
  idv_type: text(80),
  award_description: text(),
  product_or_service_code: text(10),
  naics_code: csvField((raw) => parseDigitCode(raw, { min: 2, max: 6 })),
  last_modified_date: historyDate,
} satisfies Partial<Record<(typeof HISTORY_COLUMNS)[number], z.ZodType>>;

const TRANSACTION_COLUMNS = Object.keys(transactionShape) as (keyof typeof transactionShape)[];

/** USAspending's generated_unique_award_id for a contract or IDV (upper case, `-NONE-` for blanks). */
export function historyAwardKey(parts: { kind: AwardRecord['kind']; piid: string; agencyId: string; parentPiid?: string; parentAgencyId?: string }): string {
  if (parts.kind === 'idv') return `CONT_IDV_${parts.piid}_${parts.agencyId}`.toUpperCase();
  return `CONT_AWD_${parts.piid}_${parts.agencyId}_${parts.parentPiid || '-NONE-'}_${parts.parentAgencyId || '-NONE-'}`.toUpperCase();
}

const transactionSchema = z.object(transactionShape).transform((row) => {
  const kind: AwardRecord['kind'] = row.award_or_idv_flag === 'IDV' ? 'idv' : 'contract';
  const key = historyAwardKey({
    kind,
    piid: row.award_id_piid,
    agencyId: row.awarding_sub_agency_code,
    ...(row.parent_award_id ? { parentPiid: row.parent_award_id } : {}),
    ...(row.parent_award_agency_id ? { parentAgencyId: row.parent_award_agency_id } : {}),
  });
  return { key, kind, ...row };
});
type Transaction = z.infer<typeof transactionSchema>;

/** Which of two transactions of an award is later: action date, then modification time, then numbers. */
function isLater(a: Transaction, b: Transaction): boolean {
  const left = [a.action_date, a.last_modified_date ?? '', a.modification_number ?? '', a.transaction_number ?? ''];
  const right = [b.action_date, b.last_modified_date ?? '', b.modification_number ?? '', b.transaction_number ?? ''];
  for (let i = 0; i < left.length; i += 1) {
    const l = left[i] ?? '';
    const r = right[i] ?? '';
    if (l !== r) return l > r;
  }
  return false;
}

const maxDate = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a >= b ? a : b);
const minDate = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a <= b ? a : b);

/** One award's transactions so far, folded as they stream past. */
interface Fold {
  /** Sum of federal_action_obligation in cents, so adding hundreds of rows does not drift. */
  obligatedCents?: number;
  start?: string;
  end?: string;
  lastDateToOrder?: string;
  lastModified?: string;
  latest: Transaction;
  /**
   * The earliest transaction that carries a description: USAspending's award description is the base
   * transaction's, and later ones are often closeouts ("IGF::OT::IGF DHS BULK CLOSE OUT") that would hide
   * the brand names reseller attribution looks for.
   */
  baseDescribed?: Transaction;
}

function fold(into: Fold | undefined, tx: Transaction): Fold {
  const cents = tx.federal_action_obligation === undefined ? undefined : Math.round(tx.federal_action_obligation * 100);
  if (!into) {
    return {
      ...(cents === undefined ? {} : { obligatedCents: cents }),
      ...(tx.period_of_performance_start_date ? { start: tx.period_of_performance_start_date } : {}),
      ...(tx.period_of_performance_current_end_date ? { end: tx.period_of_performance_current_end_date } : {}),
      ...(tx.ordering_period_end_date ? { lastDateToOrder: tx.ordering_period_end_date } : {}),
      ...(tx.last_modified_date ? { lastModified: tx.last_modified_date } : {}),
      latest: tx,
      ...(tx.award_description ? { baseDescribed: tx } : {}),
    };
  }
  const next: Fold = { ...into };
  if (cents !== undefined) next.obligatedCents = (into.obligatedCents ?? 0) + cents;
  const start = minDate(into.start, tx.period_of_performance_start_date);
  const end = maxDate(into.end, tx.period_of_performance_current_end_date);
  const lastDateToOrder = maxDate(into.lastDateToOrder, tx.ordering_period_end_date);
  const lastModified = maxDate(into.lastModified, tx.last_modified_date);
  if (start) next.start = start;
  if (end) next.end = end;
  if (lastDateToOrder) next.lastDateToOrder = lastDateToOrder;
  if (lastModified) next.lastModified = lastModified;
  if (isLater(tx, into.latest)) next.latest = tx;
  if (tx.award_description && (!into.baseDescribed || isLater(into.baseDescribed, tx))) next.baseDescribed = tx;
  return next;
}

function toRecord(award: Fold): AwardRecord {
  const tx = award.latest;
  const record = {
    recordType: 'award' as const,
    source: USASPENDING_SOURCE_ID,
    awardKey: tx.key,
    piid: tx.award_id_piid,
    ...(tx.kind === 'contract' && tx.parent_award_id ? { parentPiid: tx.parent_award_id } : {}),
    kind: tx.kind,
    ...optional('awardType', tx.kind === 'idv' ? tx.idv_type : tx.award_type),
    recipient: {
      name: tx.recipient_name,
      ...optional('duns', tx.recipient_duns),
      ...optional('parentName', tx.recipient_parent_name),
      ...optional('parentDuns', tx.recipient_parent_duns),
    },
    amounts: {
      ...optional('obligated', award.obligatedCents === undefined ? undefined : award.obligatedCents / 100),
      // Award-level totals: every transaction row repeats them, the latest one is current.
      ...optional('current', tx.current_total_value_of_award),
      ...optional('potential', tx.potential_total_value_of_award),
    },
    ...optional('start', award.start),
    ...optional('end', award.end),
    ...optional('lastDateToOrder', award.lastDateToOrder),
    ...optional('awardingAgency', tx.awarding_agency_name),
    ...optional('awardingSubAgency', tx.awarding_sub_agency_name),
    awardingAgencyCode: tx.awarding_sub_agency_code,
    ...optional('naics', tx.naics_code),
    ...optional('psc', tx.product_or_service_code),
    ...optional('description', award.baseDescribed?.award_description),
    ...optional('lastModified', award.lastModified),
    url: usaspendingAwardUrl(tx.key),
  };
  return awardRecordSchema.parse(record);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Reads the first record of a file and says whether it looks like this export: exactly the
 * dictionary's column count and no header row. Lets a router tell it from other CSVs.
 */
export async function isHistoryCsv(path: string): Promise<boolean> {
  try {
    for await (const row of readCsvRows(createReadStream(path), { sourceId: USASPENDING_SOURCE_ID, file: basename(path) })) {
      return row.fields.length === HISTORY_COLUMNS.length && row.fields[0] !== HISTORY_COLUMNS[0];
    }
  } catch {
    return false;
  }
  return false;
}

/** What one data record of a history file comes to, before the file's rows are applied in order. */
type Entry =
  | { record: number; line?: number; width: number }
  | { record: number; line?: number; error: z.ZodError }
  | { record: number; line?: number; tx: Transaction; duplicate: boolean };

const POSITIONS = TRANSACTION_COLUMNS.map((c) => COLUMN_INDEX.get(c)!);
const PROJECTED = new Map<string, number>(TRANSACTION_COLUMNS.map((c, i) => [c, i]));

function transactionEntry(record: number, cells: Record<string, string>, line?: number): Entry {
  const parsed = transactionSchema.safeParse(cells);
  return parsed.success ? { record, line, tx: parsed.data, duplicate: false } : { record, line, error: parsed.error };
}

const transactionId = (tx: Transaction) => `${tx.key}\u0000${tx.modification_number ?? ''}\u0000${tx.transaction_number ?? ''}`;

/** The file row by row with csv-parse, each record with its line. */
async function entriesWithCsvParse(path: string, file: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let record = 0;
  for await (const row of readCsvRows(createReadStream(path), { sourceId: USASPENDING_SOURCE_ID, file })) {
    entries.push(
      row.fields.length === HISTORY_COLUMNS.length
        ? transactionEntry(record, pickColumns(row.fields, COLUMN_INDEX, TRANSACTION_COLUMNS), row.line)
        : { record, line: row.line, width: row.fields.length },
    );
    record += 1;
  }
  return entries;
}

/**
 * The file through DuckDB's strict reader (every row exactly 259 wide, or the engine refuses and the caller
 * reads it with csv-parse). The engine knows no lines: only when a record needs one for an issue (a
 * rejected row, a transaction read twice) is the file read again by csv-parse for them, and if the two
 * readers count records differently, csv-parse's reading stands (refused, and the caller reads it so).
 */
async function entriesWithEngine(path: string, file: string, seen: ReadonlySet<string>): Promise<Entry[] | { refused: string }> {
  const entries: Entry[] = [];
  try {
    for await (const cells of readColumnsWithEngine(path, HISTORY_COLUMNS.length, POSITIONS, { header: false })) {
      entries.push(transactionEntry(entries.length, pickColumns(cells, PROJECTED, TRANSACTION_COLUMNS)));
    }
  } catch (error) {
    if (error instanceof EngineCsvRefused) return { refused: error.message };
    throw error;
  }
  markDuplicates(entries, seen);
  const wanted = new Set(entries.filter((e) => !('tx' in e) || e.duplicate).map((e) => e.record));
  if (wanted.size === 0) return entries;
  const { lines, records } = await recordLines(path, { sourceId: USASPENDING_SOURCE_ID, file }, wanted, { header: false });
  if (records !== entries.length) return { refused: `the engine read ${entries.length} record(s), csv-parse ${records}` };
  for (const e of entries) if (wanted.has(e.record)) e.line = lines.get(e.record);
  return entries;
}

/** A transaction seen before (in an earlier file, or earlier in this one) counts once. */
function markDuplicates(entries: Entry[], seen: ReadonlySet<string>): void {
  const here = new Set<string>();
  for (const e of entries) {
    if (!('tx' in e)) continue;
    const id = transactionId(e.tx);
    e.duplicate = seen.has(id) || here.has(id);
    here.add(id);
  }
}

export interface HistoryParseOptions {
  /** false: split rows with csv-parse only (the engine's result is compared with it in tests). */
  engine?: boolean;
}

/**
 * Parses one or more history files together: an award's transactions may sit in several fiscal
 * years' files, and fold into one record. A transaction seen twice (same award, modification and
 * transaction number) counts once.
 */
export async function parseHistoryCsv(inputs: RawInput[], ctx?: ParseContext, options: HistoryParseOptions = {}): Promise<ParseResult> {
  const awards = new Map<string, Fold>();
  const seen = new Set<string>();
  const rowIssues: RowIssue[] = [];
  for (const input of inputs) {
    const file = basename(input.path);
    const first = await readHeader(input.path, { sourceId: USASPENDING_SOURCE_ID, file });
    if (first?.[0] === HISTORY_COLUMNS[0]) {
      throw new SourceFormatError(USASPENDING_SOURCE_ID, 'this CSV has a header row; the history import reads the header-less FY2013–FY2017 ICE export', { file, line: 1 });
    }
    let entries: Entry[] | undefined;
    if (options.engine !== false) {
      const read = await entriesWithEngine(input.path, file, seen);
      if ('refused' in read) ctx?.log(`${file}: read with csv-parse, row by row (the engine's strict reader refused it: ${forLog(read.refused, 200)})`);
      else entries = read;
    }
    if (!entries) {
      entries = await entriesWithCsvParse(input.path, file);
      markDuplicates(entries, seen);
    }
    const widths = new Set<number>();
    for (const e of entries) {
      const line = e.line ?? 0;
      if ('width' in e) {
        widths.add(e.width);
        rowIssues.push(columnCountIssue(file, line, e.width, HISTORY_COLUMNS.length));
      } else if ('error' in e) {
        rowIssues.push(...rowIssuesFromZod(e.error, file, line));
      } else if (e.duplicate) {
        rowIssues.push({ file, line, message: `transaction ${e.tx.award_id_piid} modification ${e.tx.modification_number ?? '(none)'} already read; counted once` });
      } else {
        seen.add(transactionId(e.tx));
        awards.set(e.tx.key, fold(awards.get(e.tx.key), e.tx));
      }
    }
    if (entries.length > 0 && entries.every((e) => 'width' in e)) {
      throw new SourceFormatError(
        USASPENDING_SOURCE_ID,
        `no row has the history export's ${HISTORY_COLUMNS.length} columns (found ${[...widths].sort((a, b) => a - b).join(', ')}): not the FY2013–FY2017 ICE export`,
        { file },
      );
    }
  }
  const records = [...awards.values()].map(toRecord).sort((a, b) => (a.awardKey < b.awardKey ? -1 : a.awardKey > b.awardKey ? 1 : 0));
  return { records, rowIssues };
}
