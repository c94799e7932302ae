/**
 * The award table: one flat row per award record, the same columns in the engine, in the committed
 * partitions and in the published awards.parquet. AwardRecord (scripts/records.ts) is the JS shape; these
 * two functions are the only place the two meet.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { usaspendingAwardUrl, type AwardRecord } from '../records.ts';

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

/**
 * A select list that turns award rows back into what awardFromRow reads: dates as YYYY-MM-DD text.
 * `alias` prefixes every column (e.g. 'a.').
 */
export function awardSelectList(alias = ''): string {
  return AWARD_COLUMNS.map(([name, type]) =>
    type === 'DATE'
      ? `strftime(${alias}${name}, '%Y-%m-%d') AS ${name}`
      : type === 'VARCHAR'
        ? `${sqlTextMark} || ${alias}${name} AS ${name}`
        : `${alias}${name}`,
  ).join(', ');
}

/**
 * Text columns are read with one character in front: the client decodes each string with a default
 * TextDecoder, which drops a leading U+FEFF, so a value that starts with one would not come back whole.
 * awardFromRow takes the character off again (NULL stays NULL: NULL || x is NULL).
 */
const sqlTextMark = `'~'`;

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

function text(row: Record<string, unknown>, column: string): string | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : String(value).slice(1);
}

/** A DATE column as awardSelectList gives it (YYYY-MM-DD text, unmarked). */
function day(row: Record<string, unknown>, column: string): string | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : String(value);
}

function num(row: Record<string, unknown>, column: string): number | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : Number(value);
}

/** An AwardRecord from a row selected with awardSelectList() (text marked, see sqlTextMark). Absent values stay absent. */
export function awardFromRow(row: Record<string, unknown>): AwardRecord {
  const awardKey = text(row, 'award_key')!;
  const defined = <T extends Record<string, unknown>>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defined({
    recordType: 'award' as const,
    source: text(row, 'source')!,
    awardKey,
    piid: text(row, 'piid')!,
    parentPiid: text(row, 'parent_piid'),
    kind: text(row, 'kind') as AwardRecord['kind'],
    awardType: text(row, 'award_type'),
    recipient: defined({
      name: text(row, 'recipient_name')!,
      uei: text(row, 'recipient_uei'),
      duns: text(row, 'recipient_duns'),
      parentName: text(row, 'recipient_parent_name'),
      parentUei: text(row, 'recipient_parent_uei'),
      parentDuns: text(row, 'recipient_parent_duns'),
      recipientId: text(row, 'recipient_id'),
    }),
    amounts: defined({
      obligated: num(row, 'obligated'),
      current: num(row, 'current_value'),
      potential: num(row, 'potential_value'),
      outlays: num(row, 'outlays'),
    }),
    start: day(row, 'start_date'),
    end: day(row, 'end_date'),
    lastDateToOrder: day(row, 'last_date_to_order'),
    awardingAgency: text(row, 'awarding_agency'),
    awardingSubAgency: text(row, 'awarding_sub_agency'),
    awardingAgencyCode: text(row, 'awarding_agency_code'),
    naics: text(row, 'naics'),
    psc: text(row, 'psc'),
    description: text(row, 'description'),
    lastModified: day(row, 'last_modified'),
    url: text(row, 'url') ?? usaspendingAwardUrl(awardKey),
  });
}
