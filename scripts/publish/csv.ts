import { stringify } from 'csv-stringify/sync';

/**
 * CSV for researchers who open it in a spreadsheet: a cell that starts like a formula is prefixed with
 * an apostrophe so it is shown, not evaluated (text comes from outside sources).
 */
export function toCsv(header: string[], rows: Iterable<Array<string | number | boolean | undefined | null>>): string {
  return [...csvChunks(header, rows)].join('');
}

/**
 * The same text as toCsv, a batch of rows at a time, for a table written to disk as it is made: a
 * million-row table never exists as one string, nor as cleaned copies of all its rows at once.
 */
export function* csvChunks(header: string[], rows: Iterable<Array<string | number | boolean | undefined | null>>): Generator<string> {
  yield stringify([header], OPTIONS);
  let batch: string[][] = [];
  for (const row of rows) {
    batch.push(row.map(safeCell));
    if (batch.length === BATCH_ROWS) {
      yield stringify(batch, OPTIONS);
      batch = [];
    }
  }
  if (batch.length > 0) yield stringify(batch, OPTIONS);
}

// '#' is quoted too: readers that take it as a comment mark (DuckDB's, pandas with comment='#') would
// drop the rest of the line, and the engine's CSV writer (awards.csv) quotes it as well.
const OPTIONS = { record_delimiter: '\n', quoted_match: /[",\n\r#]/ } as const;
const BATCH_ROWS = 10_000;

function safeCell(cell: string | number | boolean | undefined | null): string {
  if (cell === undefined || cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  // Whatever slipped past validation, no control character reaches a spreadsheet (tab and newlines are
  // quoted by the writer).
  cell = cell.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '');
  // A plain number (a negative obligation is common) is not a formula and must stay a number.
  if (/^-?\d+(?:\.\d+)?$/.test(cell)) return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
