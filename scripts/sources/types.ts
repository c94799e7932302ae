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

export interface FetchResult {
  inputs: RawInput[];
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
  /** What `--from` accepts, for help text. */
  importFormats: string;
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
