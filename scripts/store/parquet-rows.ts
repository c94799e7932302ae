/**
 * Small typed tables from JavaScript to Parquet through the engine: the published awards and a run
 * report's detail. Rows are appended, sorted by the caller's full ordering and written by one engine
 * thread, so identical rows give identical bytes; compressed as the award store is.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBAppender } from '@duckdb/node-api';
import { sqlString, withEngine } from './engine.ts';
import { PARQUET_ROW_GROUP, ZSTD_LEVEL } from './partition-sql.ts';

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

/**
 * The Parquet bytes of `rows` (cells in `columns` order). `orderBy` must be a total order over the rows
 * (ties would let the engine pick, and the bytes with it); undefined when the rows already come in the
 * file's order, which one engine thread keeps as appended (and no copy of them is sorted).
 */
export async function rowsToParquet(columns: ParquetColumns, rows: Iterable<readonly ParquetCell[]>, orderBy: string | undefined): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-parquet-'));
  try {
    return await withEngine(
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
        const file = join(dir, 'table.parquet');
        await engine.run(
          `COPY (SELECT ${select} FROM staged${orderBy === undefined ? '' : ` ORDER BY ${orderBy}`}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${ZSTD_LEVEL}, ROW_GROUP_SIZE ${PARQUET_ROW_GROUP})`,
        );
        return new Uint8Array(await readFile(file));
      },
      // The rows are a copy of awards the process already holds: past this the engine sorts on disk.
      { threads: 1, memoryLimit: PARQUET_MEMORY_LIMIT },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
