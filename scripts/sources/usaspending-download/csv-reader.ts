/**
 * Streaming CSV rows with their line numbers, for USAspending downloads and the legacy history
 * export. Rows are yielded one at a time from the byte stream, so a multi-gigabyte download never
 * sits in memory as a string.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { z } from 'zod';
import type { RowIssue } from '../types.ts';
import { SourceFormatError } from '../../util/errors.ts';

export interface CsvRow {
  /** 1-based line where the record starts (a quoted field may continue onto later lines). */
  line: number;
  fields: string[];
}

export interface CsvPlace {
  sourceId: string;
  /** The file name used in errors and row issues. */
  file: string;
}

// A record longer than this is a quote that never closed swallowing the rest of the file.
const MAX_RECORD_CHARS = 1_000_000;

export async function* readCsvRows(input: Readable, place: CsvPlace): AsyncGenerator<CsvRow> {
  const parser = parse({
    bom: true,
    info: true,
    // Column counts are checked per row by the caller: a short row is a RowIssue, not a dead file.
    relax_column_count: true,
    relax_quotes: false,
    // Both, so a file that mixes CRLF and LF still splits; bare LF inside quotes stays in the field.
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  // Lines are counted here rather than taken from csv-parse's info.lines, which counts a CRLF
  // inside a quoted field twice when both CRLF and LF are record delimiters.
  let nextLine = 1;
  let previousEmpty = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { empty_lines: number } }>) {
      const line = nextLine + (item.info.empty_lines - previousEmpty);
      previousEmpty = item.info.empty_lines;
      nextLine = line + 1 + countLineBreaks(item.record);
      yield { line, fields: item.record };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new SourceFormatError(place.sourceId, `not valid CSV: ${error.message}`, {
        file: place.file,
        ...(line === undefined ? {} : { line }),
      });
    }
    throw error;
  } finally {
    input.unpipe(parser);
    if (!input.destroyed) input.destroy();
  }
}

function countLineBreaks(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    if (field.includes('\n')) count += field.split('\n').length - 1;
  }
  return count;
}

/**
 * A column USAspending renamed: files from before `since` carry `previous`. Declared once per source so
 * a file from either side of the rename parses, and the error for a file with neither names both.
 */
export interface ColumnRename {
  current: string;
  previous: string;
  /** The day the rename reached the download code (YYYY-MM-DD). */
  since: string;
  /** Upstream commit or document. */
  reference: string;
}

/**
 * Column positions by name (the current name, whichever spelling the file used); a file missing any
 * `required` column is a SourceFormatError naming it (and its older name, when it was renamed).
 */
export function indexHeader(header: readonly string[], required: readonly string[], place: CsvPlace, renames: readonly ColumnRename[] = []): Map<string, number> {
  const index = new Map<string, number>();
  const duplicated = new Set<string>();
  const renamedFrom = new Map(renames.map((r) => [r.previous, r]));
  header.forEach((raw, position) => {
    const name = renamedFrom.get(raw)?.current ?? raw;
    if (index.has(name)) duplicated.add(name);
    else index.set(name, position);
  });
  const missing = required.filter((name) => !index.has(name));
  if (missing.length > 0) {
    const described = missing.map((name) => {
      const rename = renames.find((r) => r.current === name);
      return rename ? `${name} (called ${rename.previous} before ${rename.since})` : name;
    });
    throw new SourceFormatError(place.sourceId, `header lacks required column(s): ${described.join(', ')}`, {
      file: place.file,
      line: 1,
    });
  }
  const ambiguous = required.filter((name) => duplicated.has(name));
  if (ambiguous.length > 0) {
    throw new SourceFormatError(place.sourceId, `header repeats column(s): ${ambiguous.join(', ')}`, { file: place.file, line: 1 });
  }
  return index;
}

/** The named cells of a row as an object (absent optional columns read as empty). */
export function pickColumns(fields: readonly string[], index: ReadonlyMap<string, number>, columns: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const column of columns) {
    const position = index.get(column);
    picked[column] = position === undefined ? '' : (fields[position] ?? '');
  }
  return picked;
}

/** The first record of a file (its header, where it has one), or undefined for an empty file. */
export async function readHeader(path: string, place: CsvPlace): Promise<string[] | undefined> {
  for await (const row of readCsvRows(createReadStream(path), place)) return row.fields;
  return undefined;
}

/**
 * The line each data record starts on (record 0 is the first after the header, or the first of a
 * header-less file), and how many data records there are: what the engine's reader, which knows no lines,
 * needs to name a bad row.
 */
export async function recordLines(
  path: string,
  place: CsvPlace,
  wanted: ReadonlySet<number>,
  { header }: { header: boolean },
): Promise<{ lines: Map<number, number>; records: number }> {
  const lines = new Map<number, number>();
  let record = header ? -1 : 0;
  for await (const row of readCsvRows(createReadStream(path), place)) {
    if (record >= 0 && wanted.has(record)) lines.set(record, row.line);
    record += 1;
  }
  return { lines, records: Math.max(0, record) };
}

/** One RowIssue per rejected cell, naming the column. */
export function rowIssuesFromZod(error: z.ZodError, file: string, line: number): RowIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
    return {
      file,
      line,
      ...(field ? { field } : {}),
      message: field ? `column ${field}: ${issue.message}` : issue.message,
    };
  });
}

export function columnCountIssue(file: string, line: number, actual: number, expected: number): RowIssue {
  return {
    file,
    line,
    message: `row has ${actual} field(s), the header has ${expected}: columns are shifted, row skipped`,
  };
}
