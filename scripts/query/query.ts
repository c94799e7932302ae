/**
 * `icewatch query "SQL"`: one read-only SQL statement over the published tables and the award stores, in
 * the embedded DuckDB. The tables are loaded first, then the engine's access to files is switched off and
 * its settings locked, so a query can read and compute but never read another file, write one, or load
 * an extension.
 */
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DuckDBTypeId, StatementType } from '@duckdb/node-api';
import { join } from 'node:path';
import { verifiedManifest } from '../store/award-store-read.ts';
import { AWARD_COLUMN_NAMES } from '../store/award-table.ts';
import { openEngine, sqlIdent, sqlString, type Engine, type Row } from '../store/engine.ts';
import { storeDir } from '../store/partition-files.ts';
import { loadPartitionsSql } from '../store/partition-sql.ts';
import { toCsv } from '../publish/csv.ts';
import { IcewatchError, StoreError, UsageError } from '../util/errors.ts';

export type QueryFormat = 'table' | 'csv' | 'json';

export interface QueryTable {
  name: string;
  description: string;
  /** Where it is read from, relative to the data folder. */
  from: string;
}

/** What a query can read, in the order `--tables` lists them. */
export const QUERY_TABLES: readonly QueryTable[] = [
  { name: 'awards', from: 'published/v1/awards.parquet', description: 'every ICE award matched to a registry company or a candidate, with the match fields (one row per company and award)' },
  { name: 'companies', from: 'published/v1/companies.csv', description: 'the registry: one row per company with its status, totals and lists' },
  { name: 'obligations', from: 'published/v1/obligations-by-fiscal-year.csv', description: 'ICE obligations per company and fiscal year, from the transactions' },
  { name: 'snapshot_awards', from: 'snapshots/<source>/', description: 'every award of the procurement sources\' award stores, matched or not (column source names the store)' },
];

export const AWARD_STORE_SOURCES = ['usaspending', 'usaspending-download', 'fpds'] as const;

const BIG_INTEGERS: ReadonlySet<DuckDBTypeId> = new Set([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);
/** SELECT only: EXPLAIN ANALYZE runs the statement it explains, whatever it is. */
const READ_ONLY: ReadonlySet<StatementType> = new Set([StatementType.SELECT]);

export interface QueryResult {
  columns: string[];
  rows: Row[];
  /** Tables whose files were missing (a fresh clone before `icewatch publish`). */
  missing: string[];
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isFile() ?? false;
}

async function loadTables(engine: Engine, dataDir: string): Promise<string[]> {
  const missing: string[] = [];
  const published = (file: string) => join(dataDir, 'published', 'v1', file);
  const awards = published('awards.parquet');
  if (await exists(awards)) await engine.run(`CREATE TABLE awards AS SELECT * FROM read_parquet(${sqlString(awards)})`);
  else missing.push('awards');
  for (const [name, file] of [['companies', 'companies.csv'], ['obligations', 'obligations-by-fiscal-year.csv']] as const) {
    if (await exists(published(file))) await engine.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv(${sqlString(published(file))}, header = true)`);
    else missing.push(name);
  }
  // Verified exactly as the pipeline reads them (a damaged store is an error, never fewer rows), before
  // and after loading: a commit landing in between would give a mix, so the load is tried again.
  for (let attempt = 1; ; attempt++) {
    const files: Array<{ path: string; format: 'parquet' | 'csv' }> = [];
    const hashes: Array<string | undefined> = [];
    for (const source of AWARD_STORE_SOURCES) {
      const meta = await verifiedManifest(dataDir, source);
      hashes.push(meta?.contentHash);
      for (const p of meta?.partitions ?? []) files.push({ path: join(storeDir(dataDir, source), p.file), format: p.format });
    }
    await engine.run(loadPartitionsSql('snapshot_awards_all', files));
    const after = await Promise.all(AWARD_STORE_SOURCES.map(async (source) => (await verifiedManifest(dataDir, source).catch(() => undefined))?.contentHash));
    if (after.every((h, i) => h === hashes[i])) break;
    if (attempt >= 3) throw new StoreError('query: the award stores changed three times while they were loaded (a fetch is writing them); try again');
  }
  await engine.run(`CREATE TABLE snapshot_awards AS SELECT ${AWARD_COLUMN_NAMES.join(', ')} FROM snapshot_awards_all ORDER BY source, award_key`);
  await engine.run('DROP TABLE snapshot_awards_all');
  return missing;
}

/** Runs one statement; the tables it can read are QUERY_TABLES. */
export async function runQuery(dataDir: string, sql: string): Promise<QueryResult> {
  if (sql.trim() === '') throw new UsageError('give the SQL to run, e.g. icewatch query "SELECT count(*) FROM awards"');
  // Its own spill folder: DuckDB keeps the temp directory readable and writable even with file access
  // off, so a shared one (the OS temp dir) would be open to the query.
  const spill = await mkdtemp(join(tmpdir(), 'icewatch-query-'));
  const engine = await openEngine({ threads: 2, tempDirectory: spill });
  try {
    const missing = await loadTables(engine, dataDir);
    await engine.run('SET enable_external_access = false');
    await engine.run('SET lock_configuration = true');
    let reader;
    try {
      const statements = await engine.connection.extractStatements(sql);
      if (statements.count !== 1) throw new UsageError(`query runs one statement, got ${statements.count}`);
      const prepared = await statements.prepare(0);
      // The engine's file switch does not cover COPY … TO or ATTACH: only SELECT runs at all.
      if (!READ_ONLY.has(prepared.statementType)) {
        throw new UsageError(`query runs SELECT only, got ${StatementType[prepared.statementType] ?? 'another statement'}: nothing here writes`);
      }
      reader = await prepared.runAndReadAll();
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const hint = missing.length > 0 ? ` (not loaded: ${missing.join(', ')}; run \`icewatch publish\` first)` : '';
      throw new IcewatchError(`query: ${(error as Error).message.split('\n')[0]}${hint}`);
    }
    const columns = reader.columnNames();
    // Counts and sums come as BIGINT/HUGEINT text (to lose no digit); a safe integer is shown as a number.
    const integers = columns.filter((_, i) => BIG_INTEGERS.has(reader.columnTypes()[i]!.typeId));
    const rows = (reader.getRowObjectsJson() as Row[]).map((row) => {
      for (const c of integers) {
        const value = row[c];
        if (typeof value === 'string' && Number.isSafeInteger(Number(value))) row[c] = Number(value);
      }
      return row;
    });
    return { columns, rows, missing };
  } catch (error) {
    if (error instanceof IcewatchError) throw error;
    throw new StoreError(`query: ${(error as Error).message}`);
  } finally {
    engine.close();
    await rm(spill, { recursive: true, force: true });
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** No terminal control sequence from the data reaches the screen. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
}

export function renderQuery(result: QueryResult, format: QueryFormat, options: { maxRows?: number } = {}): string {
  if (format === 'json') return `${JSON.stringify(result.rows, null, 2)}\n`;
  if (format === 'csv') return toCsv(result.columns, result.rows.map((r) => result.columns.map((c) => cellText(r[c]))));
  const maxRows = options.maxRows ?? 100;
  const shown = result.rows.slice(0, maxRows).map((r) => result.columns.map((c) => printable(cellText(r[c])).slice(0, 80)));
  const widths = result.columns.map((c, i) => Math.max(printable(c).length, ...shown.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(result.columns.map(printable)), line(widths.map((w) => '-'.repeat(w))), ...shown.map(line)];
  const rest = result.rows.length - shown.length;
  out.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${rest > 0 ? `; ${rest} not shown: use --format csv or json for all` : ''})`);
  return `${out.join('\n')}\n`;
}

/** `--tables`: what can be queried, with its columns. */
export async function describeTables(dataDir: string): Promise<string> {
  const spill = await mkdtemp(join(tmpdir(), 'icewatch-query-'));
  const engine = await openEngine({ threads: 1, tempDirectory: spill });
  try {
    const missing = await loadTables(engine, dataDir);
    const out: string[] = [];
    for (const table of QUERY_TABLES) {
      if (missing.includes(table.name)) {
        out.push(`${table.name}: not found (${table.from}; run \`icewatch publish\`)`, '');
        continue;
      }
      const columns = await engine.all<{ column_name: string; column_type: string }>(`DESCRIBE ${sqlIdent(table.name)}`);
      const [{ n } = { n: 0 }] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM ${sqlIdent(table.name)}`);
      out.push(`${table.name} (${n} rows, from ${table.from}): ${table.description}`);
      out.push(`  ${columns.map((c) => `${c.column_name} ${c.column_type}`).join(', ')}`, '');
    }
    return `${out.join('\n')}`;
  } finally {
    engine.close();
    await rm(spill, { recursive: true, force: true });
  }
}
