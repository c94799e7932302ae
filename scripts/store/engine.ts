/**
 * The embedded engine: one in-process DuckDB per job. Bulk award data is read, joined and aggregated here;
 * JavaScript sees distinct recipients and bounded aggregates. Settings are explicit so a run's memory stays
 * inside what the benchmark promises and spills to disk instead of growing.
 */
import { tmpdir } from 'node:os';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBDataChunk, type DuckDBValue } from '@duckdb/node-api';
import { StoreError } from '../util/errors.ts';

export interface EngineOptions {
  /** Worker threads (DuckDB's own). Outputs are identical for any value: every write is ordered. */
  threads?: number;
  /** DuckDB's memory limit, e.g. '700MB'; it spills to tempDirectory past it. */
  memoryLimit?: string;
  tempDirectory?: string;
}

export type Row = Record<string, unknown>;

export interface Engine {
  connection: DuckDBConnection;
  /** Runs statements (no result). Values bind to `$1…` / `?` placeholders. */
  run(sql: string, values?: DuckDBValue[]): Promise<void>;
  /** Runs one query and returns its rows as plain JS values (BIGINT as number when safe, DATE as string). */
  all<T extends Row = Row>(sql: string, values?: DuckDBValue[]): Promise<T[]>;
  close(): void;
}

export const DEFAULT_MEMORY_LIMIT = '700MB';

export async function openEngine(options: EngineOptions = {}): Promise<Engine> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads ?? 2),
      memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      temp_directory: options.tempDirectory ?? tmpdir(),
      // No extension may be fetched at run time: the job runs offline and from the lock file only.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
  } catch (error) {
    throw new StoreError(`cannot start the embedded DuckDB engine: ${(error as Error).message}`);
  }
  const connection = await instance.connect();
  const engine: Engine = {
    connection,
    async run(sql, values) {
      await withContext(sql, () => connection.run(sql, values));
    },
    async all<T extends Row = Row>(sql: string, values?: DuckDBValue[]): Promise<T[]> {
      const reader = await withContext(sql, () => connection.runAndReadAll(sql, values));
      const numeric = new Set(
        reader.columnTypes().flatMap((type, i) => (NUMERIC_AS_TEXT.has(type.typeId) ? [reader.columnNames()[i]!] : [])),
      );
      return reader.getRowObjectsJson().map((row) => plain(row as Row, numeric) as T);
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
  return engine;
}

/** Opens an engine for the duration of `work` and always closes it. */
export async function withEngine<T>(work: (engine: Engine) => Promise<T>, options?: EngineOptions): Promise<T> {
  const engine = await openEngine(options);
  try {
    return await work(engine);
  } finally {
    engine.close();
  }
}

let engineMs = 0;

/**
 * Milliseconds this process has spent waiting on the engine's statements so far (a running total), so a
 * caller can tell the engine's share of a stage from the project's own code.
 */
export function engineTime(): number {
  return engineMs;
}

/** Runs engine work (a statement, a streamed result's next chunk) and counts its time as the engine's. */
export async function engineWork<T>(work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    engineMs += performance.now() - started;
  }
}

/**
 * A query's result a chunk (up to 2,048 rows) at a time, each fetch counted as the engine's time, so a
 * caller turns rows into what it keeps as they arrive instead of holding the whole result.
 */
export async function* streamChunks(connection: DuckDBConnection, sql: string): AsyncGenerator<DuckDBDataChunk> {
  const result = await engineWork(() => connection.stream(sql));
  for (;;) {
    const chunk = await engineWork(() => result.fetchChunk());
    if (!chunk || chunk.rowCount === 0) return;
    yield chunk;
  }
}

async function withContext<T>(sql: string, run: () => Promise<T>): Promise<T> {
  try {
    return await engineWork(run);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const first = sql.trim().split('\n')[0]?.slice(0, 120) ?? '';
    throw new StoreError(`the award store query failed (${first}…): ${(error as Error).message}`);
  }
}

const NUMERIC_AS_TEXT = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT, DuckDBTypeId.DECIMAL]);

/** getRowObjectsJson gives BIGINT/HUGEINT/DECIMAL as text (to lose no digit); counts and cents fit a double. */
function plain(row: Row, numeric: ReadonlySet<string>): Row {
  if (numeric.size === 0) return row;
  const out: Row = { ...row };
  for (const key of numeric) {
    const value = out[key];
    if (typeof value === 'string') out[key] = Number(value);
  }
  return out;
}

/** Quotes a string as a SQL literal (for paths in COPY/read_* calls, which take no bound parameters). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes an identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
