/**
 * The contract every source implements. A source is declared once with `defineSource` and listed in
 * `scripts/sources/index.ts`. `fetch` does the network part and leaves raw files on disk; `parse` turns
 * one raw file into normalized records. Keeping them apart lets `icewatch fetch --from FILE` feed a
 * recorded response through exactly the parser a live fetch uses.
 */
import type { Config } from '../config.ts';
import type { SourceRecord } from '../records.ts';
import type { HttpClient } from '../util/http.ts';

export type SourceKind = 'procurement' | 'watchdog';

/** One raw input, always a file on disk so large downloads can be streamed. */
export interface RawInput {
  path: string;
  /** Where it came from: the URL fetched, or the file imported. */
  origin: string;
  retrievedAt: string;
  status?: number;
  contentType?: string;
  /** Data rows the service says the file holds (a download status's total_rows), checked at parse. */
  expectedRows?: number;
}

export interface FetchContext {
  http: HttpClient;
  /** Directory the fetch may write raw files into (removed after the run). */
  workDir: string;
  /** Checkpoint stored in the previous snapshot's meta (e.g. a last_modified_date), if any. */
  checkpoint?: string;
  now: Date;
  log: (message: string) => void;
  signal?: AbortSignal;
  /** The run's configuration (agencies, fiscal years), when the caller loaded it. */
  config?: Config;
}

/**
 * A crawl that ended normally but brought fewer rows than the service's own count for the same query.
 * The records it did bring are merged (never replacing a fuller snapshot), the source is reported
 * `partial`, and the checkpoint does not move past what was missed.
 */
export interface Shortfall {
  /** What was counted, e.g. "contracts (spending_by_award_count)" or a download file. */
  what: string;
  /** The service's count; absent when the count itself could not be read (then `message` says why). */
  expected?: number;
  got: number;
  message?: string;
}

export function describeShortfall(shortfall: Shortfall): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return shortfall.expected === undefined
    ? `${shortfall.what}: ${count(shortfall.got)} fetched, not verified (${shortfall.message ?? 'no count'})`
    : `${shortfall.what}: ${count(shortfall.got)} of ${count(shortfall.expected)} fetched${shortfall.message ? ` (${shortfall.message})` : ''}`;
}

/** A record the source says no longer exists (e.g. an FPDS action in FEEDNAME=DELETED). */
export interface Removal {
  /** recordKey of the record to drop from the snapshot (for awards, the award key). */
  key: string;
  /** Why, in words a researcher can check (names the deleted action). */
  reason: string;
}

/**
 * One documented limit of a source's service, declared once per source: the fetch code reads its
 * value from the same table the README's source table is generated from.
 */
export interface SourceLimit {
  name: string;
  value: string | number;
  /** Shown after the value in the README ("days"). */
  unit?: string;
  /** Where the limit is documented or enforced upstream. */
  reference: string;
}

/** One line of `icewatch smoke --live`: what one page of the source looked like. */
export interface SmokeReport {
  source: string;
  /** What was requested, e.g. "POST /api/v2/search/spending_by_award/ contracts page 1". */
  request: string;
  /** Rows on that first page that parsed. */
  rows: number;
  /** Rows on that page that were refused (schema drift shows up here). */
  rowIssues: number;
  /** The service's own count of what a full fetch would bring, when it has one. */
  count?: number;
  /** What a real fetch would do, e.g. "14 pages (1,382 awards) from 2007-10-01". */
  wouldFetch: string;
  /**
   * ok: page and count read as documented; changed: the service answered but not as its contract says
   * (message says how); unavailable: it did not answer.
   */
  status: 'ok' | 'changed' | 'unavailable';
  message?: string;
}

export interface SmokeContext {
  http: HttpClient;
  workDir: string;
  now: Date;
  log: (message: string) => void;
  signal?: AbortSignal;
}

export interface FetchResult {
  inputs: RawInput[];
  /** Counts the crawl fell short of; any entry makes the fetch partial. */
  shortfalls?: Shortfall[];
  /** The checkpoint to store once this fetch's records are safely written. */
  checkpoint?: string;
  /** true when only records changed since `checkpoint` were fetched: merge, don't replace. */
  incremental?: boolean;
}

/** A row the parser skipped: tolerated, but reported with its place. */
export interface RowIssue {
  file: string;
  line?: number;
  field?: string;
  message: string;
}

export interface ParseContext {
  log: (message: string) => void;
  config?: Config;
}

/** What a source-specific merge returns (see SourceDefinition.mergeSnapshot). */
export interface MergeResult {
  records: SourceRecord[];
  added: number;
  updated: number;
  removed: number;
  /** Replaces the stored checkpoint (e.g. which fiscal years are complete). */
  checkpoint?: string;
}

export interface ParseResult {
  records: SourceRecord[];
  rowIssues: RowIssue[];
  /**
   * A structural state worth reporting, e.g. 'lists-removed' when a watchdog page still has its
   * landmarks but no longer carries lists. An empty result with a state is real, not a failure.
   */
  state?: string;
  /** Lists the page structure says exist (for watchdogs), even if some are empty. */
  lists?: string[];
  /** Row counts the inputs fell short of (e.g. a download's status total_rows). */
  shortfalls?: Shortfall[];
  /** Records the source deleted upstream; removed from the snapshot and reported. */
  removals?: Removal[];
  /**
   * Fields of some records that this parse could only guess (e.g. an FPDS award read without its base
   * action has only a modification's description): when the snapshot already has the record, its value
   * for these fields is kept.
   */
  provisional?: { key: string; fields: string[] }[];
  /**
   * Lists the page has that the parser does not recognise (a renamed heading): a structure change. A
   * known list missing beside them was probably renamed, not emptied, and is never read as removals.
   */
  unrecognisedLists?: number;
}

export interface SourceDefinition {
  id: string;
  title: string;
  homepage: string;
  kind: SourceKind;
  /** Hosts this source may contact; anything else (including a redirect target) is refused. */
  hosts: string[];
  /**
   * `replace`: each fetch is the full state (watchdog lists). `upsert`: records are keyed awards and a
   * fetch or import adds to / updates the snapshot; history never disappears because a query was narrower.
   */
  mode: 'replace' | 'upsert';
  /**
   * `award-partitions`: the snapshot is a partitioned award store (zstd Parquet and text, by fiscal
   * year; data/snapshots/<id>/) because a full ICE history is far past what one JSONL file can hold.
   * Default: one JSONL file.
   */
  storage?: 'award-partitions';
  /** What `--from` accepts, for help text. */
  importFormats: string;
  /** The service's documented limits the fetch respects (listed in the README's source table). */
  limits?: readonly SourceLimit[];
  /**
   * `icewatch smoke --live`: fetch one page and the service's count, parse them, and say what a real
   * fetch would do. Optional: sources without it are listed as "no smoke check".
   */
  smoke?(ctx: SmokeContext): Promise<SmokeReport>;
  fetch(ctx: FetchContext): Promise<FetchResult>;
  /** Parse several inputs together (e.g. transaction files that fold into awards). */
  parse(inputs: RawInput[], ctx: ParseContext): Promise<ParseResult>;
  /**
   * Merge fresh records into the previous snapshot when keyed upserts are not enough (fiscal-year
   * listings that replace a year as a whole, but never a complete year with a shorter one).
   */
  mergeSnapshot?(previous: SourceRecord[], fresh: SourceRecord[], log: (message: string) => void): MergeResult;
}

export function defineSource(definition: SourceDefinition): SourceDefinition {
  return definition;
}

/**
 * Declares a source's limits once: `values` is what the code reads, `list` what the README shows.
 * Keeping both in one object means a limit cannot be documented without being enforced, or the reverse.
 */
export function defineLimits<T extends Record<string, SourceLimit>>(table: T): { values: { [K in keyof T]: T[K]['value'] }; list: SourceLimit[] } {
  const values = Object.fromEntries(Object.entries(table).map(([key, limit]) => [key, limit.value])) as { [K in keyof T]: T[K]['value'] };
  return { values, list: Object.values(table) };
}
