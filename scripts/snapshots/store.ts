/**
 * Snapshots: the last good normalized records of each source and what we know of how they were obtained.
 * Procurement sources keep their awards in a partitioned award store (data/snapshots/<id>/, see
 * scripts/store/); the others in data/snapshots/<id>.jsonl (one record a line, sorted by key) beside
 * <id>.meta.json. A failed fetch never touches either; a write replaces a snapshot atomically.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, rename, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { basename, dirname, join } from 'node:path';
import { snapshotMetaSchema, type SnapshotMeta } from './meta.ts';
import { readAwardStore } from '../store/award-store-read.ts';
import { writeAwardStore } from '../store/award-store-write.ts';
import { storeDir } from '../store/partition-files.ts';
import { recordKey, sourceRecordSchema, type SourceRecord } from '../records.ts';
import { SourceFormatError } from '../util/errors.ts';
import { isAlive, removeLeftovers, writeFilesAtomic } from '../util/atomic-fs.ts';
import { stableStringify } from '../util/stable-json.ts';

export { snapshotMetaSchema, type SnapshotMeta } from './meta.ts';

export interface Snapshot {
  records: SourceRecord[];
  meta: SnapshotMeta;
}

export function snapshotPaths(dataDir: string, sourceId: string): { records: string; meta: string } {
  const dir = join(dataDir, 'snapshots');
  return { records: join(dir, `${sourceId}.jsonl`), meta: join(dir, `${sourceId}.meta.json`) };
}

export function sortRecords(records: SourceRecord[]): SourceRecord[] {
  // Keys computed once: a comparator that recomputes them costs n·log n normalizations.
  const keyed = records.map((record) => ({ key: recordKey(record), record }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.record);
}



/**
 * Reads a source's snapshot; undefined when it has never been written (neither file exists). Corrupt files
 * are errors, not "empty": records without a meta, a meta without records, and records whose line count or
 * sha256 differ from what the meta says are all refused.
 *
 * The pair commits at one point: the meta is staged complete before the records are renamed into place,
 * and renamed last. A writer killed between the two renames leaves new records and the staged meta that
 * names them; the next read rolls that commit forward (one rename), so nothing is lost and nothing
 * mismatched is ever used.
 */
export async function readSnapshot(dataDir: string, sourceId: string): Promise<Snapshot | undefined> {
  // The award store wins over a legacy JSONL snapshot: its first write deletes the JSONL, so both only
  // exist when that write was killed after its commit point.
  const store = await readAwardStore(dataDir, sourceId);
  if (store) return store;
  const paths = snapshotPaths(dataDir, sourceId);
  const metaText = await readOptional(paths.meta, sourceId);
  const recordsExist = await exists(paths.records, sourceId);
  if (metaText === undefined && !recordsExist) return undefined;
  if (!recordsExist) {
    throw new SourceFormatError(
      sourceId,
      `the snapshot's meta exists but its records file ${basename(paths.records)} is missing; restore both from git (git checkout -- ${relativeSnapshotGlob(sourceId)}) or delete both files and fetch the source anew`,
      { file: paths.records },
    );
  }
  const meta = metaText === undefined ? undefined : parseMeta(metaText, sourceId, paths.meta);
  const read = await readRecords(paths.records, sourceId);
  if (meta && meta.recordCount === read.records.length && meta.contentHash === read.hash) return { records: read.records, meta };

  const pending = await pendingMeta(paths.meta, sourceId, read);
  if (pending) {
    // Roll the interrupted commit forward: the staged meta names exactly these records.
    await rename(pending.path, paths.meta);
    await Promise.all([removeLeftovers(paths.records), removeLeftovers(paths.meta)]);
    return { records: read.records, meta: pending.meta };
  }
  if (!meta) {
    throw new SourceFormatError(
      sourceId,
      `${basename(paths.records)} has ${read.records.length} records but no ${basename(paths.meta)}: a snapshot without its meta is corrupt, not absent; ` +
        `restore both from git (git checkout -- ${relativeSnapshotGlob(sourceId)}) or delete both files and fetch the source anew`,
      { file: paths.meta },
    );
  }
  throw new SourceFormatError(
    sourceId,
    `the records (${read.records.length} lines, sha256 ${read.hash.slice(0, 12)}…) do not match their meta (${meta.recordCount} records, sha256 ${meta.contentHash.slice(0, 12)}…): ` +
      `the file was cut short, edited, or a write was interrupted; restore both from git (git checkout -- ${relativeSnapshotGlob(sourceId)}) or delete both files and fetch the source anew`,
    { file: paths.records },
  );
}

function relativeSnapshotGlob(sourceId: string): string {
  return `data/snapshots/${sourceId}.jsonl data/snapshots/${sourceId}.meta.json`;
}

async function readOptional(path: string, sourceId: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SourceFormatError(sourceId, `cannot read the snapshot (${code ?? (error as Error).message}); check the file's permissions`, { file: path });
  }
}

async function exists(path: string, sourceId: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new SourceFormatError(sourceId, 'is not a file', { file: path });
    return true;
  } catch (error) {
    if (error instanceof SourceFormatError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SourceFormatError(sourceId, `cannot read the snapshot (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path });
  }
}

function parseMeta(text: string, sourceId: string, file: string): SnapshotMeta {
  let metaJson: unknown;
  try {
    metaJson = JSON.parse(text);
  } catch (error) {
    throw new SourceFormatError(sourceId, `snapshot meta is not JSON: ${(error as Error).message}`, { file });
  }
  const meta = snapshotMetaSchema.safeParse(metaJson);
  if (!meta.success) {
    const issue = meta.error.issues[0];
    throw new SourceFormatError(sourceId, issue?.message ?? 'invalid snapshot meta', { file, path: issue?.path.join('.') });
  }
  if (meta.data.source !== sourceId) throw new SourceFormatError(sourceId, `snapshot meta is for source ${meta.data.source}`, { file, path: 'source' });
  return meta.data;
}

/** No record is anywhere near this long: a file that has such a line is not a snapshot. */
const MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * The lines of a file as it streams in (a trailing \r of CRLF dropped), its bytes hashed as they pass.
 * readline would do, but costs a third more on a snapshot of tens of thousands of lines, which every run
 * reads; and it has no bound on a line, which here keeps a corrupt file from growing one string forever.
 */
async function* fileLines(input: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of input) {
    hash.update(chunk);
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE_CHARS) throw new Error(`a line longer than ${MAX_LINE_CHARS} characters, which no record is`);
  }
  rest += decoder.end();
  if (rest) yield rest;
}

/** Every record, with the sha256 of the file's exact bytes (hashed as they stream past). */
async function readRecords(file: string, sourceId: string): Promise<{ records: SourceRecord[]; hash: string }> {
  const records: SourceRecord[] = [];
  const hash = createHash('sha256');
  const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
  let lineNumber = 0;
  try {
    for await (const line of fileLines(input, hash)) {
      lineNumber += 1;
      // A blank line still changes the hash, so it cannot slip past the meta check.
      if (!line) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        throw new SourceFormatError(sourceId, `not JSON: ${(error as Error).message}`, { file, line: lineNumber });
      }
      const result = sourceRecordSchema.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new SourceFormatError(sourceId, issue?.message ?? 'invalid record', { file, line: lineNumber, path: issue?.path.join('.') });
      }
      records.push(result.data);
    }
  } catch (error) {
    input.destroy();
    if (error instanceof SourceFormatError) throw error;
    throw new SourceFormatError(sourceId, `cannot read the snapshot (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file });
  }
  return { records, hash: hash.digest('hex') };
}

/** A complete meta staged by a writer that died before renaming it, naming exactly these records. */
async function pendingMeta(
  metaPath: string,
  sourceId: string,
  read: { records: SourceRecord[]; hash: string },
): Promise<{ path: string; meta: SnapshotMeta } | undefined> {
  const dir = dirname(metaPath);
  const prefix = `.${basename(metaPath)}.`;
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith('.tmp')).sort();
  for (const name of names) {
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || isAlive(pid)) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let meta: SnapshotMeta;
    try {
      meta = parseMeta(text, sourceId, join(dir, name));
    } catch {
      continue;
    }
    if (meta.contentHash === read.hash && meta.recordCount === read.records.length) return { path: join(dir, name), meta };
  }
  return undefined;
}

export type SnapshotLayout = 'jsonl' | 'award-partitions';

export interface WriteSnapshotOptions {
  /**
   * award-partitions for the procurement sources (SourceDefinition.storage). Default: the award store
   * when the source already has one (a JSONL beside it would be shadowed, never read), else jsonl.
   */
  layout?: SnapshotLayout;
}

/** Writes records and meta together; both land or neither does. Returns the meta written. */
export async function writeSnapshot(
  dataDir: string,
  sourceId: string,
  records: SourceRecord[],
  meta: Omit<SnapshotMeta, 'recordCount' | 'contentHash' | 'source' | 'partitions' | 'lastChange'>,
  options: WriteSnapshotOptions = {},
): Promise<SnapshotMeta> {
  const layout = options.layout ?? ((await isDirectory(storeDir(dataDir, sourceId))) ? 'award-partitions' : 'jsonl');
  if (layout === 'award-partitions') return writeAwardStore(dataDir, sourceId, records, meta);
  const paths = snapshotPaths(dataDir, sourceId);
  const sorted = sortRecords(records);
  // Line by line, never one string: a full history is larger than the longest string V8 can hold.
  const lines = function* (): Generator<string> {
    for (const record of sorted) yield `${stableStringify(record)}\n`;
  };
  const hash = createHash('sha256');
  for (const line of lines()) hash.update(line);
  const fullMeta: SnapshotMeta = snapshotMetaSchema.parse({
    ...meta,
    source: sourceId,
    recordCount: records.length,
    contentHash: hash.digest('hex'),
  });
  await writeFilesAtomic([
    { path: paths.records, content: { chunks: lines } },
    { path: paths.meta, content: `${stableStringify(fullMeta, 2)}\n` },
  ]);
  return fullMeta;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isDirectory() ?? false;
}
