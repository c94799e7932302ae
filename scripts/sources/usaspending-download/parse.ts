/**
 * Download zip (or one CSV from it) → award records. Prime award summaries give the full award;
 * subaward rows give the prime award and its recipient (with parent UEI) for awards that have
 * subcontracts. A file is split into rows by DuckDB's CSV reader (engine-csv.ts; a zip entry is first
 * streamed to a private temp file), or, when the engine refuses it, by csv-parse; either way every row is
 * validated here and only the resulting records are kept.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import type { AwardRecord } from '../../records.ts';
import { bestByKey } from '../../util/group.ts';
import { StringPool } from '../../util/string-pool.ts';
import { SourceFormatError } from '../../util/errors.ts';
import { forLog } from '../../util/sanitize.ts';
import { stableStringify } from '../../util/stable-json.ts';
import type { ParseContext, ParseResult, RawInput, RowIssue, Shortfall } from '../types.ts';
import { columnCountIssue, indexHeader, readCsvRows, readHeader, recordLines, rowIssuesFromZod, type CsvPlace } from './csv-reader.ts';
import {
  DOWNLOAD_COLUMN_RENAMES,
  PRIME_COLUMNS,
  PRIME_REQUIRED_COLUMNS,
  SOURCE_ID,
  SUBAWARD_COLUMNS,
  SUBAWARD_REQUIRED_COLUMNS,
  primeRow,
  subawardRow,
} from './schema.ts';
import { EngineCsvRefused, readColumnsWithEngine } from './engine-csv.ts';
import { forEachZipEntry, isZipFile } from './zip.ts';

export type DownloadFileKind = 'prime' | 'subaward';

const PRIME_FILE = /(?:^|[/_])Contracts_PrimeAwardSummaries_[^/]*\.csv$/i;
const SUBAWARD_FILE = /(?:^|[/_])Contracts_Subawards_[^/]*\.csv$/i;

/** What a file name says it is; undefined for a renamed file (then the header decides). */
export function kindFromName(name: string): DownloadFileKind | undefined {
  if (PRIME_FILE.test(name)) return 'prime';
  if (SUBAWARD_FILE.test(name)) return 'subaward';
  return undefined;
}

function kindFromHeader(header: readonly string[], place: CsvPlace): DownloadFileKind {
  if (header.includes('contract_award_unique_key')) return 'prime';
  if (header.includes('prime_award_unique_key')) return 'subaward';
  throw new SourceFormatError(
    SOURCE_ID,
    'not a Contracts_PrimeAwardSummaries or Contracts_Subawards CSV: the header has neither contract_award_unique_key nor prime_award_unique_key',
    { file: place.file, line: 1 },
  );
}

interface Kept {
  record: AwardRecord;
  /** Prime summaries outrank subaward rows for the same award. */
  fromPrime: boolean;
  /** Tie-break among rows of the same rank: last_modified_date or the subaward report's date. */
  stamp: string;
}

/**
 * Collects records, keeping per award key the most authoritative and most recent view. Rows are kept in
 * arrival order and settled once (bestByKey): no map of a million keys, no wrapper a row.
 */
class AwardCollector {
  private readonly offered: AwardRecord[] = [];
  private readonly fromPrime: boolean[] = [];
  private readonly stamps: string[] = [];
  /** The repeated values of every file of this parse, held once. */
  readonly pool = new StringPool();
  /** Award keys seen twice with equal last-modified dates and different content. */
  readonly conflicts: string[] = [];

  offer(candidate: Kept): void {
    this.offered.push(candidate.record);
    this.fromPrime.push(candidate.fromPrime);
    this.stamps.push(candidate.stamp);
  }

  /** How many rows are held, to take back the rows of a file whose reading was abandoned. */
  mark(): number {
    return this.offered.length;
  }

  rollback(mark: number): void {
    this.offered.length = mark;
    this.fromPrime.length = mark;
    this.stamps.length = mark;
  }

  /** One record per award key, in key order; rows of one key are weighed in the order they came. */
  records(): AwardRecord[] {
    const { offered } = this;
    const rows = Array.from({ length: offered.length }, (_, i) => i);
    return bestByKey(rows, (i) => offered[i]!.awardKey, (i, best) => this.prefer(i, best)).map((i) => offered[i]!);
  }

  /** Whether row `candidate` replaces row `current` (the same award key; `candidate` came later). */
  private prefer(candidate: number, current: number): boolean {
    if (this.fromPrime[current] !== this.fromPrime[candidate]) return this.fromPrime[candidate]!;
    // Later windows of a fetch and later subaward reports carry the newer state of the award.
    if (this.stamps[candidate] !== this.stamps[current]) return this.stamps[candidate]! > this.stamps[current]!;
    // Equal stamps, different content: the row that sorts first by its content wins, so the result never
    // depends on row order, and the conflict is reported (the source has two versions of one award).
    const a = stableStringify(this.offered[candidate]);
    const b = stableStringify(this.offered[current]);
    if (a === b) return false;
    this.conflicts.push(this.offered[candidate]!.awardKey);
    return a < b;
  }
}

/** What a file's header says: its kind, where each column is, and the columns the source reads. */
interface FileLayout {
  kind: DownloadFileKind;
  /** Where each column the source reads is in the file, in the kind's column order (-1: absent). */
  positions: readonly number[];
}

function fileLayout(header: readonly string[], nameKind: DownloadFileKind | undefined, place: CsvPlace): FileLayout {
  const kind = nameKind ?? kindFromHeader(header, place);
  const index = indexHeader(header, kind === 'prime' ? PRIME_REQUIRED_COLUMNS : SUBAWARD_REQUIRED_COLUMNS, place, DOWNLOAD_COLUMN_RENAMES);
  return { kind, positions: (kind === 'prime' ? PRIME_COLUMNS : SUBAWARD_COLUMNS).map((c) => index.get(c) ?? -1) };
}

/** One row's cells (in the kind's column order): what the collector keeps, or why the row is rejected. */
function readRow(kind: DownloadFileKind, cells: readonly string[], pool: StringPool): { kept: Kept } | { error: z.ZodError } {
  if (kind === 'prime') {
    const parsed = primeRow.parseList(cells, pool);
    return parsed.success ? { kept: { record: parsed.data, fromPrime: true, stamp: parsed.data.lastModified ?? '' } } : { error: parsed.error };
  }
  const parsed = subawardRow.parseList(cells, pool);
  return parsed.success ? { kept: { record: parsed.data.record, fromPrime: false, stamp: parsed.data.reportModified ?? '' } } : { error: parsed.error };
}

function picked(fields: readonly string[], positions: readonly number[]): string[] {
  return positions.map((p) => (p < 0 ? '' : (fields[p] ?? '')));
}

async function parseCsvStream(
  stream: Readable,
  file: string,
  nameKind: DownloadFileKind | undefined,
  collector: AwardCollector,
  rowIssues: RowIssue[],
): Promise<{ kind: DownloadFileKind; rows: number }> {
  const place: CsvPlace = { sourceId: SOURCE_ID, file };
  let header: string[] | undefined;
  let layout: FileLayout | undefined;
  let rows = 0;
  for await (const row of readCsvRows(stream, place)) {
    if (!header || !layout) {
      header = row.fields;
      layout = fileLayout(header, nameKind, place);
      continue;
    }
    rows += 1;
    if (row.fields.length !== header.length) {
      rowIssues.push(columnCountIssue(file, row.line, row.fields.length, header.length));
      continue;
    }
    const read = readRow(layout.kind, picked(row.fields, layout.positions), collector.pool);
    if ('error' in read) rowIssues.push(...rowIssuesFromZod(read.error, file, row.line));
    else collector.offer(read.kept);
  }
  if (!layout) throw new SourceFormatError(SOURCE_ID, 'the CSV is empty (no header row)', { file });
  return { kind: layout.kind, rows };
}

/**
 * One contract CSV on disk through the engine: the same records, row issues and row count as
 * parseCsvStream, or why the engine refused the file (then the caller reads it with csv-parse).
 * A refusal half-way takes back the rows offered so far, so it leaves nothing behind.
 */
async function parseCsvFileWithEngine(
  path: string,
  file: string,
  nameKind: DownloadFileKind | undefined,
  collector: AwardCollector,
  rowIssues: RowIssue[],
): Promise<{ kind: DownloadFileKind; rows: number } | { refused: string }> {
  const place: CsvPlace = { sourceId: SOURCE_ID, file };
  const header = await readHeader(path, place);
  if (!header) throw new SourceFormatError(SOURCE_ID, 'the CSV is empty (no header row)', { file });
  const { kind, positions } = fileLayout(header, nameKind, place);
  // The engine hands over the source's columns in their order (a column the file lacks as empty).
  const mark = collector.mark();
  const bad: Array<{ record: number; error: z.ZodError }> = [];
  let rows = 0;
  try {
    for await (const cells of readColumnsWithEngine(path, header.length, positions)) {
      const read = readRow(kind, cells, collector.pool);
      if ('error' in read) bad.push({ record: rows, error: read.error });
      else collector.offer(read.kept);
      rows += 1;
    }
  } catch (error) {
    collector.rollback(mark);
    if (error instanceof EngineCsvRefused) return { refused: error.message };
    throw error;
  }
  if (bad.length > 0) {
    // Rows that fail are rare: only then is the file read again, by csv-parse, for the lines they start on.
    // The two readers must agree on what a record is; if they count differently, csv-parse's reading stands.
    const { lines, records } = await recordLines(path, place, new Set(bad.map((b) => b.record)), { header: true });
    if (records !== rows) {
      collector.rollback(mark);
      return { refused: `the engine read ${rows} record(s), csv-parse ${records}` };
    }
    for (const b of bad) rowIssues.push(...rowIssuesFromZod(b.error, file, lines.get(b.record)!));
  }
  return { kind, rows };
}

/** A contract CSV on disk: through the engine, or csv-parse when the engine refuses it. */
async function parseCsvFile(
  path: string,
  file: string,
  nameKind: DownloadFileKind | undefined,
  collector: AwardCollector,
  rowIssues: RowIssue[],
  options: DownloadParseOptions,
  ctx: ParseContext | undefined,
): Promise<{ kind: DownloadFileKind; rows: number }> {
  if (options.engine !== false) {
    const read = await parseCsvFileWithEngine(path, file, nameKind, collector, rowIssues);
    if (!('refused' in read)) return read;
    ctx?.log(`${file}: read with csv-parse, row by row (the engine's strict reader refused it: ${forLog(read.refused, 200)})`);
  }
  return parseCsvStream(createReadStream(path), file, nameKind, collector, rowIssues);
}

/** ICE's whole history as one download is well under 1 GB of CSV. */
const MAX_STAGED_ENTRY_BYTES = 4 * 2 ** 30;

export interface DownloadParseOptions {
  /** false: split rows with csv-parse only (the engine's result is compared with it in tests). */
  engine?: boolean;
}

/** Data rows of a CSV the source does not read, so a zip's total can be held against its status. */
async function countRows(stream: Readable, file: string): Promise<number> {
  let rows = -1;
  for await (const _row of readCsvRows(stream, { sourceId: SOURCE_ID, file })) rows += 1;
  return Math.max(0, rows);
}

/**
 * Parses download zips and/or their contract CSVs together: an award present in several inputs
 * (one zip per fiscal-year window) becomes one record. A zip whose files hold fewer rows than its
 * download status's total_rows is a shortfall: the file was cut, so the source is partial.
 */
export async function parseDownloadInputs(inputs: readonly RawInput[], ctx?: ParseContext, options: DownloadParseOptions = {}): Promise<ParseResult> {
  const collector = new AwardCollector();
  const rowIssues: RowIssue[] = [];
  const shortfalls: Shortfall[] = [];
  for (const input of inputs) {
    const label = basename(input.path);
    let rows = 0;
    if (await isZipFile(input.path)) {
      let contractFiles = 0;
      await forEachZipEntry(input.path, SOURCE_ID, label, async (entry) => {
        const kind = kindFromName(entry.name);
        if (!kind) {
          if (input.expectedRows !== undefined && /\.csv$/i.test(entry.name)) rows += await countRows(await entry.open(), `${label}/${entry.name}`);
          ctx?.log(`${label}: skipping ${forLog(entry.name)} (not a contract prime award or subaward file)`);
          return;
        }
        contractFiles += 1;
        const file = `${label}/${entry.name}`;
        const stream = async () => (await parseCsvStream(await entry.open(), file, kind, collector, rowIssues)).rows;
        // An entry larger than any real ICE download is read as a stream rather than staged on disk.
        if (options.engine === false || entry.uncompressedSize > MAX_STAGED_ENTRY_BYTES) {
          rows += await stream();
          return;
        }
        // The engine reads files, not streams: the entry is streamed to a private folder and removed after.
        let dir: string | undefined;
        try {
          let path: string;
          try {
            dir = await mkdtemp(join(tmpdir(), 'icewatch-download-'));
            path = join(dir, 'entry.csv');
            await pipeline(await entry.open(), createWriteStream(path, { flags: 'wx', mode: 0o600 }));
          } catch (error) {
            // The temp folder failing (missing, a full disk) is ours, not the zip's: read the entry as a stream.
            if ((error as NodeJS.ErrnoException).syscall === undefined) throw error;
            ctx?.log(`${file}: could not stage the entry on disk (${forLog((error as Error).message, 120)}); reading it as a stream`);
            rows += await stream();
            return;
          }
          rows += (await parseCsvFile(path, file, kind, collector, rowIssues, options, ctx)).rows;
        } finally {
          if (dir) await rm(dir, { recursive: true, force: true });
        }
      });
      if (contractFiles === 0) {
        throw new SourceFormatError(SOURCE_ID, 'the zip holds no Contracts_PrimeAwardSummaries_*.csv or Contracts_Subawards_*.csv', { file: label });
      }
    } else {
      rows = (await parseCsvFile(input.path, label, kindFromName(label), collector, rowIssues, options, ctx)).rows;
    }
    if (input.expectedRows !== undefined && rows < input.expectedRows) {
      shortfalls.push({ what: `${label} (download status total_rows)`, expected: input.expectedRows, got: rows });
    }
  }
  // Settling the records finds the conflicts.
  const records = collector.records();
  if (collector.conflicts.length > 0) {
    const keys = [...new Set(collector.conflicts)].sort();
    ctx?.log(
      `warning: ${keys.length} award key(s) appear twice with the same last_modified_date and different values; kept the version that sorts first by content (deterministic): ${keys.slice(0, 10).map((k) => forLog(k, 80)).join(', ')}${keys.length > 10 ? ', …' : ''}`,
    );
  }
  return { records, rowIssues, ...(shortfalls.length > 0 ? { shortfalls } : {}) };
}
