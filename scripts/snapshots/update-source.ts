/**
 * Fetch (or import) one source and, only if everything parsed and passed the sanity checks, replace its
 * snapshot. Every failure leaves the previous snapshot exactly as it was.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { recordKey, sourceRecordSchema, type SourceRecord } from '../records.ts';
import type { RawInput, RowIssue, SourceDefinition } from '../sources/types.ts';
import { SourceFormatError, SourceUnavailableError } from '../util/errors.ts';
import type { HttpClient } from '../util/http.ts';
import type { Config } from '../config.ts';
import { readSnapshot, writeSnapshot, type Snapshot, type SnapshotMeta } from './store.ts';
import { stableStringify } from '../util/stable-json.ts';

/** A full fetch that yields less than this share of the last snapshot is treated as a broken parse. */
export const MIN_SHARE_OF_PREVIOUS = 0.5;
/** Below this many previous records the share rule is too noisy to apply. */
const SHARE_RULE_MIN_PREVIOUS = 10;

export interface UpdateSourceOptions {
  source: SourceDefinition;
  dataDir: string;
  /** Import these recorded files instead of fetching live. */
  from?: string[];
  http?: HttpClient;
  now: Date;
  log?: (message: string) => void;
  /** How `--from` paths are recorded in the meta (relative to this directory). */
  originBase?: string;
  config?: Config;
}

export interface UpdateSourceResult {
  source: string;
  previous?: Snapshot;
  records: SourceRecord[];
  meta: SnapshotMeta;
  added: number;
  updated: number;
  removed: number;
  rowIssues: RowIssue[];
  changed: boolean;
}

export async function updateSource(options: UpdateSourceOptions): Promise<UpdateSourceResult> {
  const { source, dataDir, now } = options;
  const log = options.log ?? (() => {});
  const previous = await readSnapshot(dataDir, source.id);
  const workDir = await mkdtemp(join(tmpdir(), `icewatch-${source.id}-`));
  try {
    let inputs: RawInput[];
    let checkpoint: string | undefined = previous?.meta.checkpoint;
    let incremental = false;
    let origins: string[];
    if (options.from && options.from.length > 0) {
      inputs = [];
      for (const file of options.from) {
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) throw new SourceFormatError(source.id, `cannot read ${file}: not a file`, { file });
        inputs.push({ path: resolve(file), origin: file, retrievedAt: now.toISOString() });
      }
      origins = options.from.map((f) => describeOrigin(f, options.originBase));
      // An import adds to a keyed history; it never narrows it.
      incremental = source.mode === 'upsert';
    } else {
      if (!options.http) throw new SourceUnavailableError(source.id, 'no HTTP client (offline run)');
      const fetched = await source.fetch({
        http: options.http,
        workDir,
        checkpoint,
        now,
        log,
        ...(options.config ? { config: options.config } : {}),
      });
      inputs = fetched.inputs;
      checkpoint = fetched.checkpoint ?? checkpoint;
      incremental = Boolean(fetched.incremental);
      origins = [...new Set(fetched.inputs.map((i) => i.origin))].sort().slice(0, 20);
    }

    const parsed = await source.parse(inputs, { log, ...(options.config ? { config: options.config } : {}) });
    const fresh: SourceRecord[] = [];
    parsed.records.forEach((record, index) => {
      const checked = sourceRecordSchema.safeParse(record);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new SourceFormatError(source.id, `parser produced an invalid record #${index}: ${issue?.message}`, {
          path: issue?.path.join('.'),
        });
      }
      if (checked.data.source !== source.id) {
        throw new SourceFormatError(source.id, `parser produced a record for source ${checked.data.source}`);
      }
      fresh.push(checked.data);
    });

    // A file or page whose every row was rejected is a bad input, not an empty one: accepting it would
    // stamp the snapshot as freshly fetched and, for incremental sources, move the checkpoint past rows
    // that were never read.
    if (fresh.length === 0 && parsed.rowIssues.length > 0 && !parsed.state) {
      const first = parsed.rowIssues[0]!;
      const count = parsed.rowIssues.length;
      throw new SourceFormatError(source.id, `every row was rejected (${count} row issue${count === 1 ? '' : 's'}); the first: ${first.message}`, {
        file: first.file,
        ...(first.line === undefined ? {} : { line: first.line }),
        ...(first.field === undefined ? {} : { path: first.field }),
      });
    }

    if (!incremental && !parsed.state && previous) {
      const shrunk = shrinkage(previous.records, fresh, parsed.lists);
      if (shrunk) {
        throw new SourceFormatError(
          source.id,
          `parse yielded ${shrunk.now} records${shrunk.list ? ` on ${shrunk.list.includes(', ') ? 'lists' : 'list'} ${shrunk.list}` : ''} where the last snapshot has ${shrunk.before}; ` +
            'refusing to replace it (the page or format probably changed — check the parser against the new input)',
        );
      }
    }

    const merged = source.mergeSnapshot
      ? source.mergeSnapshot(previous?.records ?? [], fresh, log)
      : mergeRecords(previous?.records ?? [], fresh, source.mode === 'upsert' || incremental);
    if (merged.checkpoint !== undefined) checkpoint = merged.checkpoint;
    const meta = await writeSnapshot(dataDir, source.id, merged.records, {
      retrievedAt: now.toISOString(),
      origins,
      checkpoint,
      state: parsed.state,
      lists: parsed.lists,
      rowIssues: parsed.rowIssues.length,
    });
    const changed = meta.contentHash !== previous?.meta.contentHash;
    return {
      source: source.id,
      previous,
      records: merged.records,
      meta,
      added: merged.added,
      updated: merged.updated,
      removed: merged.removed,
      rowIssues: parsed.rowIssues,
      changed,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * A parse that yields far fewer records than the last snapshot is taken for a broken parse. When the parser
 * says which lists the page has, a list the page no longer has is a real structural change (reported as a
 * list change), so the comparison is made per list still present.
 */
function shrinkage(
  previous: SourceRecord[],
  fresh: SourceRecord[],
  lists: string[] | undefined,
): { before: number; now: number; list?: string } | undefined {
  const tooFew = (before: number, now: number) => before >= SHARE_RULE_MIN_PREVIOUS && now < before * MIN_SHARE_OF_PREVIOUS;
  if (!lists) return tooFew(previous.length, fresh.length) ? { before: previous.length, now: fresh.length } : undefined;
  const count = (records: SourceRecord[], list: string) => records.filter((r) => r.recordType === 'mention' && r.list === list).length;
  for (const list of [...lists].sort()) {
    const before = count(previous, list);
    const now = count(fresh, list);
    if (tooFew(before, now)) return { before, now, list };
  }
  // Lists each too short for the rule can still add up to a page that lost most of its names.
  const present = [...lists].sort();
  const before = present.reduce((sum, list) => sum + count(previous, list), 0);
  const now = present.reduce((sum, list) => sum + count(fresh, list), 0);
  if (present.length > 1 && tooFew(before, now)) return { before, now, list: present.join(', ') };
  return undefined;
}

function describeOrigin(file: string, base: string | undefined): string {
  const abs = resolve(file);
  if (base) {
    const root = resolve(base);
    if (abs.startsWith(`${root}/`)) return abs.slice(root.length + 1);
  }
  return basename(abs);
}

export function mergeRecords(
  previous: SourceRecord[],
  fresh: SourceRecord[],
  keepPrevious: boolean,
): { records: SourceRecord[]; added: number; updated: number; removed: number; checkpoint?: string } {
  const before = new Map(previous.map((r) => [recordKey(r), stableStringify(r)]));
  const result = new Map<string, SourceRecord>();
  if (keepPrevious) for (const r of previous) result.set(recordKey(r), r);
  let added = 0;
  let updated = 0;
  const seen = new Set<string>();
  for (const r of fresh) {
    const key = recordKey(r);
    seen.add(key);
    const old = before.get(key);
    if (old === undefined) added += result.has(key) ? 0 : 1;
    else if (old !== stableStringify(r)) updated += 1;
    result.set(key, r);
  }
  const removed = keepPrevious ? 0 : [...before.keys()].filter((k) => !seen.has(k)).length;
  return { records: [...result.values()], added, updated, removed };
}
