/**
 * The SQL of the partitioned award store, one named builder per statement (tested in
 * test/store/partition-sql.test.ts). Paths go in as literals: DuckDB's COPY and read_* take no parameters.
 */
import { AWARD_COLUMNS, AWARD_COLUMN_NAMES, FISCAL_YEAR_SQL, awardSelectList } from './award-table.ts';
import { sqlString } from './engine.ts';

/**
 * zstd level of the committed Parquet: 9 makes the files ~12 % smaller than DuckDB's default 3 for twice
 * the (small) write time; 19 saves 7 % more at 25 times the time (measured on the bench's 100k awards).
 */
export const ZSTD_LEVEL = 9;

/** Rows per Parquet row group: large enough for zstd to find repeats, small enough to stream. */
export const PARQUET_ROW_GROUP = 122_880;

/** Fiscal year of each group of awards and how many it holds, in year order. */
export function fiscalYearCountsSql(table: string): string {
  return `SELECT ${FISCAL_YEAR_SQL} AS fiscal_year, count(*) AS records FROM ${table} GROUP BY ALL ORDER BY fiscal_year`;
}

/** Award keys that occur more than once (the store is keyed; a duplicate is a bug upstream). */
export function duplicateKeysSql(table: string): string {
  return `SELECT award_key, count(*) AS n FROM ${table} GROUP BY award_key HAVING count(*) > 1 ORDER BY award_key LIMIT 5`;
}

/**
 * The rows of one partition (a fiscal year, or part `part` of `parts` of it), sorted by award key, in the
 * table's column order. Parts cut the sorted year into equal runs of keys, so the same rows always land
 * in the same part.
 */
function partitionRowsSql(table: string, fiscalYear: number, part: { index: number; of: number }): string {
  const columns = AWARD_COLUMN_NAMES.join(', ');
  const inYear = `${FISCAL_YEAR_SQL} = ${fiscalYear}`;
  if (part.of <= 1) return `SELECT ${columns} FROM ${table} WHERE ${inYear} ORDER BY award_key`;
  return (
    `SELECT ${columns} FROM (SELECT *, ntile(${part.of}) OVER (ORDER BY award_key) AS part__ FROM ${table} WHERE ${inYear}) ` +
    `WHERE part__ = ${part.index} ORDER BY award_key`
  );
}

/** How many rows one partition holds. */
export function partitionRowCountSql(table: string, fiscalYear: number, part: { index: number; of: number }): string {
  return `SELECT count(*) AS n FROM (${partitionRowsSql(table, fiscalYear, part)})`;
}

/** How every Parquet file the project writes is written (the store's partitions and the published tables). */
export const PARQUET_COPY_OPTIONS = `FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${ZSTD_LEVEL}, ROW_GROUP_SIZE ${PARQUET_ROW_GROUP}`;

/** How every CSV the engine writes is written: a header, RFC 4180 quoting, NULL as nothing and an empty string as "". */
export const CSV_COPY_OPTIONS = `FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"'`;

/** COPY one partition to `path`: zstd Parquet, or CSV text with a header (NULL empty, empty string ""). */
export function copyPartitionSql(
  table: string,
  fiscalYear: number,
  format: 'parquet' | 'csv',
  path: string,
  part: { index: number; of: number } = { index: 1, of: 1 },
): string {
  const options = format === 'parquet' ? PARQUET_COPY_OPTIONS : CSV_COPY_OPTIONS;
  return `COPY (${partitionRowsSql(table, fiscalYear, part)}) TO ${sqlString(path)} (${options})`;
}

/** The DuckDB column-type map read_csv needs so nothing is sniffed: the CSV reads back exactly what was written. */
function csvColumns(): string {
  return `{${AWARD_COLUMNS.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ')}}`;
}

/** A relation over one committed partition file with the award columns and types. */
export function partitionRelationSql(path: string, format: 'parquet' | 'csv'): string {
  if (format === 'parquet') return `read_parquet(${sqlString(path)})`;
  return (
    `read_csv(${sqlString(path)}, header = true, columns = ${csvColumns()}, auto_detect = false, delim = ',', ` +
    `quote = '"', escape = '"', strict_mode = true, allow_quoted_nulls = false, null_padding = false, max_line_size = ${CSV_MAX_LINE})`
  );
}

/**
 * The longest CSV row the reader accepts: DuckDB's default (2 MB) is less than a row the writer allows
 * (MAX_RECORD_CHARS, quotes doubled, 3 bytes a character); its read buffer is a multiple of this.
 */
export const CSV_MAX_LINE = 8 * 1024 * 1024;

/** The longest award (as JSON characters) the store takes, so that its CSV row stays under CSV_MAX_LINE. */
export const MAX_RECORD_CHARS = 1_000_000;

/** The header line every CSV partition starts with (the reader takes columns by position: it is checked). */
export const CSV_HEADER = AWARD_COLUMN_NAMES.join(',');

/**
 * Loads partition files into `table` (created here): Parquet columns by name, CSV by position (the header
 * is checked before), each cast to its type, with the fiscal year each row's file stands for.
 */
export function loadPartitionsSql(table: string, files: ReadonlyArray<{ path: string; format: 'parquet' | 'csv'; fiscalYear?: number }>): string {
  const columns = AWARD_COLUMNS.map(([name, type]) => `CAST(${name} AS ${type}) AS ${name}`).join(', ');
  const parts = files.map((f) => `SELECT ${columns}, ${f.fiscalYear ?? 'NULL'}::INTEGER AS partition_fiscal_year FROM ${partitionRelationSql(f.path, f.format)}`);
  const body =
    parts.length > 0
      ? parts.join(' UNION ALL ')
      : `SELECT ${columns}, NULL::INTEGER AS partition_fiscal_year FROM (SELECT ${AWARD_COLUMNS.map(([n]) => `NULL AS ${n}`).join(', ')}) WHERE false`;
  return `CREATE OR REPLACE TEMP TABLE ${table} AS ${body}`;
}

/** Rows that sit in the file of another fiscal year than their start's (an edited or misplaced row). */
export function misplacedRowsSql(table: string): string {
  return `SELECT award_key, partition_fiscal_year FROM ${table} WHERE partition_fiscal_year IS NOT NULL AND ${FISCAL_YEAR_SQL} <> partition_fiscal_year ORDER BY award_key LIMIT 3`;
}

/** Rows of a partition file's count, for verifying it against the manifest. */
export function countPartitionSql(path: string, format: 'parquet' | 'csv'): string {
  return `SELECT count(*) AS n FROM ${partitionRelationSql(path, format)}`;
}

/** Every award of a table as awardFromRow reads it, sorted by key. */
export function selectAwardsSql(table: string): string {
  return `SELECT ${awardSelectList()} FROM ${table} ORDER BY award_key`;
}

/** How many keys of each kind lastChange lists per fiscal year. */
export const CHANGE_KEYS_LISTED = 20;

/**
 * What changed between two award tables, per fiscal year of the new row (the old one when removed): counts
 * of added, removed and changed keys and the first few of each, sorted. A change is any column that is
 * not the same value (NULL-aware).
 */
export function changeByFiscalYearSql(previous: string, next: string): string {
  const differs = AWARD_COLUMN_NAMES.filter((c) => c !== 'award_key')
    .map((c) => `n.${c} IS DISTINCT FROM p.${c}`)
    .join(' OR ');
  const fy = (alias: string) => FISCAL_YEAR_SQL.replaceAll('start_date', `${alias}.start_date`);
  const keys = (kind: string) =>
    `list_slice(list(award_key ORDER BY award_key) FILTER (WHERE kind = '${kind}'), 1, ${CHANGE_KEYS_LISTED}) AS ${kind}_keys`;
  return `
    WITH diff AS (
      SELECT coalesce(n.award_key, p.award_key) AS award_key,
             CASE WHEN n.award_key IS NULL THEN ${fy('p')} ELSE ${fy('n')} END AS fiscal_year,
             CASE WHEN p.award_key IS NULL THEN 'added' WHEN n.award_key IS NULL THEN 'removed' WHEN ${differs} THEN 'changed' END AS kind
      FROM ${next} n FULL OUTER JOIN ${previous} p ON n.award_key = p.award_key
    )
    SELECT fiscal_year,
           count(*) FILTER (WHERE kind = 'added') AS added,
           count(*) FILTER (WHERE kind = 'removed') AS removed,
           count(*) FILTER (WHERE kind = 'changed') AS changed,
           ${keys('added')}, ${keys('removed')}, ${keys('changed')}
    FROM diff WHERE kind IS NOT NULL GROUP BY fiscal_year ORDER BY fiscal_year`;
}
