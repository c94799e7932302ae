/**
 * The contract CSVs through DuckDB's CSV reader: the engine splits every row of the 286-column file in C++
 * and hands JavaScript only the columns the source reads, as one JSON array a row (one value to convert
 * instead of 27). Measured on the bench's real-layout file: 100k rows in 0.8 s against 5.4 s for
 * csv-parse.
 *
 * The reader is strict (fixed delimiter and quote, no sniffing, every row exactly as wide as the header).
 * Anything it refuses (a short or long row, mixed line endings, invalid UTF-8, a quote left open) is
 * EngineCsvRefused, and the caller reads that file with the JavaScript reader instead, which names each
 * bad row with its line: the engine only ever speeds a clean file up, it never decides what a bad one says.
 */
import { openEngine, sqlString, streamChunks, type Engine } from '../../store/engine.ts';

/** The engine could not read the file the strict way; read it with the JavaScript reader. */
export class EngineCsvRefused extends Error {}

// read_csv takes its path as a glob pattern: a path with pattern characters is left to the JS reader.
const GLOB = /[*?[\]{}]/;
const MAX_LINE_BYTES = 1_000_000;

/**
 * Data rows (after the header, unless `header` is false) as arrays of the cells at `positions` (-1: a
 * column the file lacks, read as empty). `columnCount` is the file's width; every row must have it.
 */
export async function* readColumnsWithEngine(
  path: string,
  columnCount: number,
  positions: readonly number[],
  options: { header?: boolean } = {},
): AsyncGenerator<string[]> {
  if (GLOB.test(path) || columnCount < 1) throw new EngineCsvRefused(`${path}: not read by the engine`);
  // Names of our own: a header may repeat a column the source does not read, and read_csv wants them unique.
  const columns = Array.from({ length: columnCount }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const cells = positions.map((p) => (p < 0 ? "''" : `coalesce(c${p}, '')`)).join(', ');
  const sql =
    `SELECT to_json([${cells}]) AS cells FROM read_csv(${sqlString(path)}, header = ${options.header !== false}, auto_detect = false, ` +
    `delim = ',', quote = '"', escape = '"', strict_mode = true, max_line_size = ${MAX_LINE_BYTES}, columns = {${columns}})`;
  let engine: Engine | undefined;
  try {
    // One engine thread: with two, on a 2-core machine, the engine raced V8's collector for the cores and a
    // 1M-row parse took 21–46 s (at up to 2.8 GiB) instead of 21–24 s (1.9 GiB).
    engine = await openEngine({ threads: 1, memoryLimit: '256MB' });
    const { connection } = engine;
    for await (const chunk of streamChunks(connection, sql)) {
      const vector = chunk.getColumnVector(0);
      for (let row = 0; row < chunk.rowCount; row++) yield JSON.parse(vector.getItem(row) as string) as string[];
    }
  } catch (error) {
    // Whatever the engine could not do, the JavaScript reader does (and names the row that is wrong).
    throw new EngineCsvRefused(((error as Error).message ?? String(error)).split('\n')[0]!);
  } finally {
    engine?.close();
  }
}
