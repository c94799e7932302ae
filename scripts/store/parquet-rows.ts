/**
 * Small typed tables from JavaScript to files through the engine: the published awards and a run report's
 * detail. Rows are appended, sorted by the caller's full ordering (or appended in it) and written by one
 * engine thread, so identical rows give identical bytes; Parquet is compressed as the award store is.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBAppender } from '@duckdb/node-api';
import { sqlString, withEngine, type Engine } from './engine.ts';
import { PARQUET_COPY_OPTIONS } from './partition-sql.ts';

const PARQUET_MEMORY_LIMIT = '160MB';

export type ParquetColumnType = 'VARCHAR' | 'DOUBLE' | 'DATE' | 'BOOLEAN' | 'INTEGER';
export type ParquetCell = string | number | boolean | undefined;
export type ParquetColumns = ReadonlyArray<readonly [name: string, type: ParquetColumnType]>;

function append(appender: DuckDBAppender, columns: ParquetColumns, rows: Iterable<readonly ParquetCell[]>): void {
  for (const row of rows) {
    columns.forEach(([, type], i) => {
      const value = row[i];
      if (value === undefined) appender.appendNull();
      else if (type === 'DOUBLE') appender.appendDouble(value as number);
      else if (type === 'INTEGER') appender.appendInteger(value as number);
      else if (type === 'BOOLEAN') appender.appendBoolean(value as boolean);
      else appender.appendVarchar(String(value));
    });
    appender.endRow();
  }
}

/** The project's Parquet settings (those of the award store) for a COPY of `select` into `file`. */
export function copyToParquetSql(select: string, file: string): string {
  return `COPY (${select}) TO ${sqlString(file)} (${PARQUET_COPY_OPTIONS})`;
}

/**
 * Appends `rows` (cells in `columns` order) to a temp table of the engine and runs `work` on it: the table
 * `staged` holds the cells as appended (dates as text), the view `typed` the same rows with DATE columns
 * cast. One engine thread keeps the rows in the order they were appended through any COPY of them.
 */
export async function withStagedRows<T>(
  columns: ParquetColumns,
  rows: Iterable<readonly ParquetCell[]>,
  work: (engine: Engine, tables: { staged: string; typed: string }) => Promise<T>,
): Promise<T> {
  return withEngine(
    async (engine) => {
      // Dates are appended as text and cast by the engine (the appender's DATE needs a day number).
      const staged = columns.map(([name, type]) => `${name} ${type === 'DATE' ? 'VARCHAR' : type}`).join(', ');
      await engine.run(`CREATE TEMP TABLE staged (${staged})`);
      const appender = await engine.connection.createAppender('staged');
      try {
        append(appender, columns, rows);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      // The engine's default, stated: a rows-in-order table is written in the order it was appended.
      await engine.run('SET preserve_insertion_order = true');
      const select = columns.map(([name, type]) => (type === 'DATE' ? `CAST(${name} AS DATE) AS ${name}` : name)).join(', ');
      await engine.run(`CREATE TEMP VIEW typed AS SELECT ${select} FROM staged`);
      return work(engine, { staged: 'staged', typed: 'typed' });
    },
    // The rows are a copy of what the process already holds: past this the engine sorts on disk.
    { threads: 1, memoryLimit: PARQUET_MEMORY_LIMIT },
  );
}

/**
 * The Parquet bytes of `rows` (cells in `columns` order). `orderBy` must be a total order over the rows
 * (ties would let the engine pick, and the bytes with it).
 */
export async function rowsToParquet(columns: ParquetColumns, rows: Iterable<readonly ParquetCell[]>, orderBy: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-parquet-'));
  try {
    const file = join(dir, 'table.parquet');
    await withStagedRows(columns, rows, (engine, { typed }) => engine.run(copyToParquetSql(`SELECT * FROM ${typed} ORDER BY ${orderBy}`, file)));
    return new Uint8Array(await readFile(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
