/**
 * Fetch (or import) one source and, only if everything parsed and passed the sanity checks, replace its
 * snapshot. Every failure leaves the previous snapshot exactly as it was.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { recordKey, sourceRecordSchema, type SourceRecord } from '../records.ts';
import type { RawInput, Removal, RowIssue, Shortfall, SourceDefinition } from '../sources/types.ts';
import { SourceFormatError, SourceUnavailableError } from '../util/errors.ts';
import type { HttpClient } from '../util/http.ts';
import { withDataLock } from './data-lock.ts';
import type { Config } from '../config.ts';
import { fiscalYearOf } from '../store/partition-files.ts';
import { readSnapshot, writeSnapshot, type Snapshot, type SnapshotMeta } from './store.ts';
import { stableStringify } from '../util/stable-json.ts';
import { implausibleAwardValue } from '../util/plausible.ts';

/** A full fetch that yields less than this share of the last snapshot is treated as a broken parse. */
export const MIN_SHARE_OF_PREVIOUS = 0.5;
/** Below this many previous records the share rule is too noisy to apply. */
const SHARE_RULE_MIN_PREVIOUS = 10;
/**
 * A full fetch with more than this many times the last snapshot's records (and more than GROWTH_SLACK
 * extra) is as implausible as a shrink: a watchdog list does not grow 100-fold overnight, a page that
 * suddenly links 20,000 names has been defaced or misparsed. Refused until a maintainer accepts it.
 */
export const MAX_GROWTH_FACTOR = 10;
const GROWTH_SLACK = 500;

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
  /** A maintainer checked the input: accept a shrink or an implausible jump the sanity checks would refuse. */
  acceptChange?: boolean;
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
  /** Counts the fetch fell short of; non-empty means the source is partial. */
  shortfalls: Shortfall[];
  /** Records removed because the source deleted them upstream (only those that were in the snapshot). */
  removals: Removal[];
}

export async function updateSource(options: UpdateSourceOptions): Promise<UpdateSourceResult> {
  return withDataLock(options.dataDir, `update ${options.source.id}`, () => updateSourceLocked(options));
}

async function updateSourceLocked(options: UpdateSourceOptions): Promise<UpdateSourceResult> {
  const { source, dataDir, now } = options;
  const log = options.log ?? (() => {});
  const previous = await readSnapshot(dataDir, source.id);
  const workDir = await mkdtemp(join(tmpdir(), `icewatch-${source.id}-`));
  try {
    let inputs: RawInput[];
    let checkpoint: string | undefined = previous?.meta.checkpoint;
    let incremental = false;
    let origins: string[];
    let fetchShortfalls: Shortfall[] = [];
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
      fetchShortfalls = fetched.shortfalls ?? [];
      checkpoint = fetched.checkpoint ?? checkpoint;
      incremental = Boolean(fetched.incremental);
      origins = [...new Set(fetched.inputs.map((i) => i.origin))].sort().slice(0, 20);
    }

    const parsed = await source.parse(inputs, { log, ...(options.config ? { config: options.config } : {}) });
    const fresh: SourceRecord[] = [];
    const rowIssues: RowIssue[] = [...parsed.rowIssues];
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
      // Values no source can hold (an amount of 1e23, an end date of 9999-12-31) are a bad row, not a fact.
      const implausible = checked.data.recordType === 'award' ? implausibleAwardValue(checked.data) : undefined;
      if (implausible && checked.data.recordType === 'award') {
        rowIssues.push({ file: inputs.length === 1 ? (inputs[0]?.origin ?? source.id) : source.id, field: implausible.field, message: `award ${checked.data.awardKey}: ${implausible.message}` });
        return;
      }
      fresh.push(checked.data);
    });

    // A file or page whose every row was rejected is a bad input, not an empty one: accepting it would
    // stamp the snapshot as freshly fetched and, for incremental sources, move the checkpoint past rows
    // that were never read.
    if (fresh.length === 0 && rowIssues.length > 0 && !parsed.state) {
      const first = rowIssues[0]!;
      const count = rowIssues.length;
      throw new SourceFormatError(source.id, `every row was rejected (${count} row issue${count === 1 ? '' : 's'}); the first: ${first.message}`, {
        file: first.file,
        ...(first.line === undefined ? {} : { line: first.line }),
        ...(first.field === undefined ? {} : { path: first.field }),
      });
    }

    if (!incremental && !parsed.state && previous && !options.acceptChange) {
      const shrunk = shrinkage(previous.records, fresh, parsed.lists);
      if (shrunk) {
        throw new SourceFormatError(
          source.id,
          `parse yielded ${shrunk.now} records${shrunk.list ? ` on ${shrunk.list.includes(', ') ? 'lists' : 'list'} ${shrunk.list}` : ''} where the last snapshot has ${shrunk.before}; ` +
            `refusing to replace it (the page or format probably changed — check the parser against the new input; if the input is right, import it with \`icewatch fetch --source ${source.id} --accept-change\`)`,
        );
      }
      const grown = growth(previous.records, fresh, parsed.lists);
      if (grown) {
        throw new SourceFormatError(
          source.id,
          `parse yielded ${grown.now} records${grown.list ? ` on list ${grown.list}` : ''} where the last snapshot has ${grown.before}: more than ${MAX_GROWTH_FACTOR} times as many is implausible; ` +
            `refusing to replace it (check the page for defacement or a parser fault; if it really grew, import it with \`icewatch fetch --source ${source.id} --accept-change\`)`,
        );
      }
    }

    const shortfalls = [...fetchShortfalls, ...(parsed.shortfalls ?? [])];
    const provisional = new Map((parsed.provisional ?? []).map((p) => [p.key, p.fields]));
    const merged = source.mergeSnapshot
      ? source.mergeSnapshot(previous?.records ?? [], fresh, log)
      : mergeRecords(previous?.records ?? [], fresh, source.mode === 'upsert' || incremental, provisional);
    if (merged.checkpoint !== undefined) checkpoint = merged.checkpoint;
    // What was missed must be asked for again: a short fetch never moves the checkpoint.
    if (shortfalls.length > 0) checkpoint = previous?.meta.checkpoint;
    const removals = applyRemovals(merged, parsed.removals ?? []);
    if (source.storage === 'award-partitions' && previous && !options.acceptChange) {
      const lost = partitionShrinkage(previous.records, merged.records);
      if (lost) {
        throw new SourceFormatError(
          source.id,
          `the fetch would keep ${lost.now} of the ${lost.before} awards of fiscal year ${lost.fiscalYear === 0 ? '(unknown start)' : `FY${lost.fiscalYear}`} in the award store; ` +
            `refusing to replace it (a narrower query or a parser fault; if the source really dropped them, import it with \`icewatch fetch --source ${source.id} --accept-change\`)`,
        );
      }
    }
    const meta = await writeSnapshot(dataDir, source.id, merged.records, {
      retrievedAt: now.toISOString(),
      origins,
      checkpoint,
      state: parsed.state,
      lists: parsed.lists,
      ...(parsed.unrecognisedLists ? { unrecognisedLists: parsed.unrecognisedLists } : {}),
      rowIssues: rowIssues.length,
      ...(shortfalls.length > 0 ? { shortfalls } : {}),
      ...(removals.length > 0 ? { removals: removals.slice(0, 50) } : {}),
    }, source.storage ? { layout: source.storage } : {});
    const changed = meta.contentHash !== previous?.meta.contentHash;
    return {
      source: source.id,
      previous,
      records: merged.records,
      meta,
      added: merged.added,
      updated: merged.updated,
      removed: merged.removed,
      rowIssues,
      changed,
      shortfalls,
      removals,
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

/**
 * The award store's shrink check, per partition: a write that would drop most of a fiscal year's awards is
 * refused, even when the whole store does not shrink much (one year of a long history). An award whose
 * start moved to another year is not lost; only keys gone from the store count.
 */
function partitionShrinkage(previous: readonly SourceRecord[], next: readonly SourceRecord[]): { fiscalYear: number; before: number; now: number } | undefined {
  const kept = new Set(next.map(recordKey));
  const years = new Map<number, { before: number; now: number }>();
  for (const r of previous) {
    if (r.recordType !== 'award') continue;
    const fiscalYear = r.start ? fiscalYearOf(r.start) : 0;
    const year = years.get(fiscalYear) ?? { before: 0, now: 0 };
    year.before += 1;
    if (kept.has(r.awardKey)) year.now += 1;
    years.set(fiscalYear, year);
  }
  for (const [fiscalYear, { before, now }] of [...years].sort((a, b) => a[0] - b[0])) {
    if (before >= SHARE_RULE_MIN_PREVIOUS && now < before * MIN_SHARE_OF_PREVIOUS) return { fiscalYear, before, now };
  }
  return undefined;
}

/** The fresh record, with the previous record's value for each provisional field it had. */
function keepKnownFields(fresh: SourceRecord, previous: SourceRecord | undefined, fields: readonly string[] | undefined): SourceRecord {
  if (!previous || !fields || previous.recordType !== fresh.recordType) return fresh;
  const out = { ...fresh } as Record<string, unknown>;
  const old = previous as unknown as Record<string, unknown>;
  for (const field of fields) if (old[field] !== undefined) out[field] = old[field];
  return sourceRecordSchema.parse(out);
}

/** Drops records the source deleted upstream; returns the removals that applied to this snapshot. */
function applyRemovals(merged: { records: SourceRecord[]; removed: number }, removals: readonly Removal[]): Removal[] {
  if (removals.length === 0) return [];
  const byKey = new Map(removals.map((r) => [r.key, r]));
  const applied: Removal[] = [];
  merged.records = merged.records.filter((record) => {
    const removal = byKey.get(recordKey(record));
    if (!removal) return true;
    applied.push(removal);
    return false;
  });
  merged.removed += applied.length;
  return applied.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The opposite of shrinkage: far more records than the last snapshot, per list when the parser names lists. */
function growth(
  previous: SourceRecord[],
  fresh: SourceRecord[],
  lists: string[] | undefined,
): { before: number; now: number; list?: string } | undefined {
  const tooMany = (before: number, now: number) => now > Math.max(before * MAX_GROWTH_FACTOR, before + GROWTH_SLACK);
  if (tooMany(previous.length, fresh.length)) return { before: previous.length, now: fresh.length };
  if (!lists) return undefined;
  const count = (records: SourceRecord[], list: string) => records.filter((r) => r.recordType === 'mention' && r.list === list).length;
  for (const list of [...lists].sort()) {
    const before = count(previous, list);
    const now = count(fresh, list);
    if (tooMany(before, now)) return { before, now, list };
  }
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
  provisional: ReadonlyMap<string, readonly string[]> = new Map(),
): { records: SourceRecord[]; added: number; updated: number; removed: number; checkpoint?: string } {
  const before = new Map(previous.map((r) => [recordKey(r), stableStringify(r)]));
  const previousByKey = provisional.size > 0 ? new Map(previous.map((r) => [recordKey(r), r])) : undefined;
  const result = new Map<string, SourceRecord>();
  if (keepPrevious) for (const r of previous) result.set(recordKey(r), r);
  let added = 0;
  let updated = 0;
  const seen = new Set<string>();
  for (const candidate of fresh) {
    const key = recordKey(candidate);
    const r = keepKnownFields(candidate, previousByKey?.get(key), provisional.get(key));
    seen.add(key);
    const old = before.get(key);
    if (old === undefined) added += result.has(key) ? 0 : 1;
    else if (old !== stableStringify(r)) updated += 1;
    result.set(key, r);
  }
  const removed = keepPrevious ? 0 : [...before.keys()].filter((k) => !seen.has(k)).length;
  return { records: [...result.values()], added, updated, removed };
}
