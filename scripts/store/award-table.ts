/**
 * The award table: one flat row per award record, the same columns in the engine, in the committed
 * partitions and in the published awards.parquet. AwardRecord (scripts/records.ts) is the JS shape; these
 * two functions are the only place the two meet.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { usaspendingAwardUrl, type AwardRecord } from '../records.ts';
import { compact } from '../util/compact.ts';
import type { StringPool } from '../util/string-pool.ts';

type ColumnType = 'VARCHAR' | 'DOUBLE' | 'DATE' | 'INTEGER';

/** Column, SQL type, and how it is read from an AwardRecord. Order is the partition files' column order. */
export const AWARD_COLUMNS: ReadonlyArray<readonly [name: string, type: ColumnType, get: (a: AwardRecord) => string | number | undefined]> = [
  ['award_key', 'VARCHAR', (a) => a.awardKey],
  ['source', 'VARCHAR', (a) => a.source],
  ['piid', 'VARCHAR', (a) => a.piid],
  ['parent_piid', 'VARCHAR', (a) => a.parentPiid],
  ['kind', 'VARCHAR', (a) => a.kind],
  ['award_type', 'VARCHAR', (a) => a.awardType],
  ['recipient_name', 'VARCHAR', (a) => a.recipient.name],
  ['recipient_uei', 'VARCHAR', (a) => a.recipient.uei],
  ['recipient_duns', 'VARCHAR', (a) => a.recipient.duns],
  ['recipient_parent_name', 'VARCHAR', (a) => a.recipient.parentName],
  ['recipient_parent_uei', 'VARCHAR', (a) => a.recipient.parentUei],
  ['recipient_parent_duns', 'VARCHAR', (a) => a.recipient.parentDuns],
  ['recipient_id', 'VARCHAR', (a) => a.recipient.recipientId],
  ['obligated', 'DOUBLE', (a) => a.amounts.obligated],
  ['current_value', 'DOUBLE', (a) => a.amounts.current],
  ['potential_value', 'DOUBLE', (a) => a.amounts.potential],
  ['outlays', 'DOUBLE', (a) => a.amounts.outlays],
  ['start_date', 'DATE', (a) => a.start],
  ['end_date', 'DATE', (a) => a.end],
  ['last_date_to_order', 'DATE', (a) => a.lastDateToOrder],
  ['awarding_agency', 'VARCHAR', (a) => a.awardingAgency],
  ['awarding_sub_agency', 'VARCHAR', (a) => a.awardingSubAgency],
  ['awarding_agency_code', 'VARCHAR', (a) => a.awardingAgencyCode],
  ['naics', 'VARCHAR', (a) => a.naics],
  ['psc', 'VARCHAR', (a) => a.psc],
  ['description', 'VARCHAR', (a) => a.description],
  ['last_modified', 'DATE', (a) => a.lastModified],
  ['url', 'VARCHAR', (a) => (a.url === usaspendingAwardUrl(a.awardKey) ? undefined : a.url)],
];

export const AWARD_COLUMN_NAMES = AWARD_COLUMNS.map(([name]) => name);

/** `CREATE TABLE <name> (...)` with the award columns (award_key NOT NULL). */
export function createAwardTableSql(name: string, options: { temp?: boolean } = {}): string {
  const columns = AWARD_COLUMNS.map(([column, type]) => `${column} ${type}${column === 'award_key' ? ' NOT NULL' : ''}`);
  return `CREATE OR REPLACE ${options.temp ? 'TEMP ' : ''}TABLE ${name} (${columns.join(', ')})`;
}

/**
 * The fiscal year an award belongs to for partitioning: the U.S. federal fiscal year of its start
 * (FY2026 = 2025-10-01 … 2026-09-30), 0 when the start is unknown. SQL over any relation with start_date.
 */
export const FISCAL_YEAR_SQL = `coalesce(CAST(year(start_date) + CASE WHEN month(start_date) >= 10 THEN 1 ELSE 0 END AS INTEGER), 0)`;

/** The award columns that come back as text (dates as YYYY-MM-DD), in one JSON array a row. */
const TEXT_COLUMNS = AWARD_COLUMNS.filter(([, type]) => type !== 'DOUBLE').map(([name, type]) => ({ name, date: type === 'DATE' }));
const TEXT_AT = new Map(TEXT_COLUMNS.map((c, i) => [c.name, i]));

/** The amounts, as DOUBLE columns beside the array. */
export const AMOUNT_COLUMNS = AWARD_COLUMNS.filter(([, type]) => type === 'DOUBLE').map(([name]) => name);

/**
 * A select list of what awardFromRow reads: every text and date column in one JSON array (`cells`; one
 * string to decode a row instead of twenty-four, and a JSON string keeps a leading U+FEFF that the
 * client's per-value decoding would drop), then the amounts. `alias` prefixes every column (e.g. 'a.').
 */
export function awardSelectList(alias = ''): string {
  const cells = TEXT_COLUMNS.map(({ name, date }) => (date ? `strftime(${alias}${name}, '%Y-%m-%d')` : `${alias}${name}`));
  return [`to_json([${cells.join(', ')}]) AS cells`, ...AMOUNT_COLUMNS.map((name) => `${alias}${name}`)].join(', ');
}

/** The result columns of awardSelectList(), in order. */
export const AWARD_SELECT_COLUMNS = ['cells', ...AMOUNT_COLUMNS];

/** Appends records to a table made by createAwardTableSql. Dates go in as text and are cast by the engine. */
export function appendAwards(appender: DuckDBAppender, records: Iterable<AwardRecord>): number {
  let n = 0;
  for (const record of records) {
    for (const [, type, get] of AWARD_COLUMNS) {
      const value = get(record);
      if (value === undefined) appender.appendNull();
      else if (type === 'DOUBLE') appender.appendDouble(value as number);
      else if (type === 'INTEGER') appender.appendInteger(value as number);
      else appender.appendVarchar(String(value));
    }
    appender.endRow();
    n++;
  }
  return n;
}

/**
 * Creates `table` (award columns, dates as VARCHAR for the appender) and fills it, then converts the dates.
 * Use for records that arrive as JS pages (API, FPDS); bulk files go straight through read_csv.
 */
export async function loadAwardRecords(
  engine: { run(sql: string): Promise<void>; connection: { createAppender(table: string): Promise<DuckDBAppender> } },
  table: string,
  records: Iterable<AwardRecord>,
): Promise<number> {
  const staging = `${table}__staging`;
  const columns = AWARD_COLUMNS.map(([column, type]) => `${column} ${type === 'DATE' ? 'VARCHAR' : type}`);
  await engine.run(`CREATE OR REPLACE TEMP TABLE ${staging} (${columns.join(', ')})`);
  const appender = await engine.connection.createAppender(staging);
  let n: number;
  try {
    n = appendAwards(appender, records);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await engine.run(createAwardTableSql(table));
  await engine.run(
    `INSERT INTO ${table} SELECT ${AWARD_COLUMNS.map(([c, type]) => (type === 'DATE' ? `CAST(${c} AS DATE)` : c)).join(', ')} FROM ${staging}`,
  );
  await engine.run(`DROP TABLE ${staging}`);
  return n;
}

/**
 * An AwardRecord from a row selected with awardSelectList(). Absent values stay absent. With a pool, text columns share one string per value across the records read.
 */
export function awardFromRow(row: Record<string, unknown>, pool?: StringPool): AwardRecord {
  const cells = JSON.parse(String(row.cells)) as Array<string | null>;
  const text = (column: string): string | undefined => {
    const value = cells[TEXT_AT.get(column)!];
    if (value === null || value === undefined) return undefined;
    return pool && !UNSHARED.has(column) ? pool.share(column, value) : value;
  };
  const num = (column: string): number | undefined => {
    const value = row[column];
    return value === null || value === undefined ? undefined : Number(value);
  };
  const awardKey = text('award_key')!;
  return compact({
    recordType: 'award' as const,
    source: text('source')!,
    awardKey,
    piid: text('piid')!,
    parentPiid: text('parent_piid'),
    kind: text('kind') as AwardRecord['kind'],
    awardType: text('award_type'),
    recipient: compact({
      name: text('recipient_name')!,
      uei: text('recipient_uei'),
      duns: text('recipient_duns'),
      parentName: text('recipient_parent_name'),
      parentUei: text('recipient_parent_uei'),
      parentDuns: text('recipient_parent_duns'),
      recipientId: text('recipient_id'),
    }),
    amounts: compact({
      obligated: num('obligated'),
      current: num('current_value'),
      potential: num('potential_value'),
      outlays: num('outlays'),
    }),
    start: text('start_date'),
    end: text('end_date'),
    lastDateToOrder: text('last_date_to_order'),
    awardingAgency: text('awarding_agency'),
    awardingSubAgency: text('awarding_sub_agency'),
    awardingAgencyCode: text('awarding_agency_code'),
    naics: text('naics'),
    psc: text('psc'),
    description: text('description'),
    lastModified: text('last_modified'),
    url: text('url') ?? usaspendingAwardUrl(awardKey),
  });
}

/**
 * Columns not pooled: the award's own values, and those whose maps would hold a hundred thousand entries
 * and more (identifiers, descriptions, parent PIIDs), where a lookup per cell costs more than the sharing
 * saves (measured on the download parse, which pools the same way).
 */
const UNSHARED = new Set([
  'award_key',
  'piid',
  'url',
  'parent_piid',
  'description',
  'recipient_uei',
  'recipient_duns',
  'recipient_parent_uei',
  'recipient_parent_duns',
  'recipient_id',
]);

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (value: string | undefined) => value === undefined || DAY.test(value);
const isAmount = (value: number | undefined) => value === undefined || Number.isFinite(value);
const nonEmpty = (value: string | undefined) => typeof value === 'string' && value.length > 0;

/**
 * Checks that imply awardRecordSchema's for a record built by awardFromRow (every member a string or
 * number already): required text non-empty, kind known, dates YYYY-MM-DD, amounts finite, and the link
 * the one the key gives. A record that fails any goes to the schema, which has the last word.
 */
export function isPlainAward(a: AwardRecord): boolean {
  return (
    nonEmpty(a.awardKey) &&
    nonEmpty(a.piid) &&
    (a.kind === 'contract' || a.kind === 'idv') &&
    nonEmpty(a.recipient.name) &&
    isDay(a.start) &&
    isDay(a.end) &&
    isDay(a.lastDateToOrder) &&
    isDay(a.lastModified) &&
    isAmount(a.amounts.obligated) &&
    isAmount(a.amounts.current) &&
    isAmount(a.amounts.potential) &&
    isAmount(a.amounts.outlays) &&
    a.url === usaspendingAwardUrl(a.awardKey)
  );
}
