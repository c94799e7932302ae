/**
 * Reads a partitioned award store (data/snapshots/<source>/). Nothing is trusted that the manifest does
 * not vouch for: every partition's name, size and sha256 must match it before the engine reads a byte of
 * it, and a folder that does not match is an error naming the file, never "fewer awards". A write killed
 * between renaming partitions and renaming the manifest is rolled forward here (see award-store-write.ts).
 */
import { lstat, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sourceRecordSchema, type SourceRecord } from '../records.ts';
import { SourceFormatError, StoreError } from '../util/errors.ts';
import { mapAhead } from '../util/lazy.ts';
import { forLog } from '../util/sanitize.ts';
import { snapshotMetaSchema, type PartitionEntry, type SnapshotMeta } from '../snapshots/meta.ts';
import { StringPool } from '../util/string-pool.ts';
import { AWARD_SELECT_COLUMNS, awardFromRow, isPlainAward } from './award-table.ts';
import { streamChunks, withEngine, type Row } from './engine.ts';
import { MANIFEST_FILE, PARTITION_NAME, TEMP_NAME, fiscalYearOf, isDeadWriter, partitionsHash, plainFileSize, restoreHint, sha256File, storeDir } from './partition-files.ts';
import { CSV_HEADER, loadPartitionsSql, misplacedRowsSql, selectAwardsSql } from './partition-sql.ts';

export interface AwardStore {
  records: SourceRecord[];
  meta: SnapshotMeta;
}

/** How often a read is tried again when a commit lands while it reads (a reader takes no lock). */
const READ_ATTEMPTS = 3;

/**
 * Undefined when the source has no award store folder (it may still have a legacy JSONL snapshot). The
 * files are verified before the engine reads them and again after: a commit that landed in between would
 * otherwise give a mix of old and new partitions, so the read is tried again.
 */
export async function readAwardStore(dataDir: string, sourceId: string): Promise<AwardStore | undefined> {
  for (let attempt = 1; ; attempt++) {
    const meta = await verifiedManifest(dataDir, sourceId);
    if (!meta) return undefined;
    const records = await loadVerified(dataDir, sourceId, meta);
    const after = await verifiedManifest(dataDir, sourceId).catch(() => undefined);
    if (after?.contentHash === meta.contentHash) return { records, meta };
    if (attempt >= READ_ATTEMPTS) {
      throw new SourceFormatError(sourceId, `the award store changed ${READ_ATTEMPTS} times while it was read (another process is writing it); try again`, {
        file: storeDir(dataDir, sourceId),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

/**
 * The records of verified partitions, each checked to sit in the file of its own fiscal year. Rows come
 * from the engine a chunk at a time and become records as they arrive: the whole result is never held as
 * row objects beside the records (at a million awards that was 5 GB).
 */
async function loadVerified(dataDir: string, sourceId: string, meta: SnapshotMeta): Promise<SourceRecord[]> {
  const dir = storeDir(dataDir, sourceId);
  const partitions = meta.partitions ?? [];
  const pool = new StringPool();
  const { records, misplaced } = await withEngine(async (engine) => {
    await engine.run(loadPartitionsSql('awards', partitions.map((p) => ({ path: join(dir, p.file), format: p.format, fiscalYear: p.fiscalYear }))));
    const misplaced = await engine.all<{ award_key: string; partition_fiscal_year: number }>(misplacedRowsSql('awards'));
    const records: SourceRecord[] = [];
    const names = AWARD_SELECT_COLUMNS;
    for await (const chunk of streamChunks(engine.connection, selectAwardsSql('awards'))) {
      const vectors = names.map((_, i) => chunk.getColumnVector(i));
      for (let r = 0; r < chunk.rowCount; r++) {
        const row: Row = {};
        for (let c = 0; c < names.length; c++) row[names[c]!] = vectors[c]!.getItem(r);
        records.push(checkedRecord(row, pool, sourceId, dir));
      }
    }
    return { records, misplaced };
  }).catch((error: unknown) => {
    if (error instanceof SourceFormatError) throw error;
    // The bytes matched the manifest, so this is a file the engine cannot read as the award table.
    throw new SourceFormatError(sourceId, `the award store cannot be read as award rows (${(error as Error).message}); ${restoreHint(sourceId)}`, { file: dir });
  });
  const first = misplaced[0];
  if (first) {
    throw new SourceFormatError(sourceId, `award ${first.award_key} is in the file of fiscal year ${first.partition_fiscal_year} but did not start in it; ${restoreHint(sourceId)}`, { file: dir });
  }
  if (records.length !== meta.recordCount) {
    throw new SourceFormatError(sourceId, `the partitions hold ${records.length} awards but the manifest says ${meta.recordCount}; ${restoreHint(sourceId)}`, {
      file: join(dir, MANIFEST_FILE),
    });
  }
  return records;
}

/** A stored row as its record, or an error naming the award and the field the record schema refuses. */
function checkedRecord(row: Row, pool: StringPool, sourceId: string, dir: string): SourceRecord {
  const record = awardFromRow(row, pool);
  // Nearly every row passes isPlainAward, whose checks imply the schema's; the rest get the schema's verdict.
  if (record.source === sourceId && isPlainAward(record)) return record;
  const checked = sourceRecordSchema.safeParse(record);
  if (checked.success && checked.data.source === sourceId) return checked.data;
  const issue = checked.success ? { message: `record of source ${checked.data.source}`, path: ['source'] } : checked.error.issues[0];
  throw new SourceFormatError(sourceId, `award ${forLog(String(record.awardKey), 120)}: ${issue?.message ?? 'invalid record'}; ${restoreHint(sourceId)}`, {
    file: dir,
    path: issue?.path.join('.'),
  });
}

/**
 * The store's manifest, once every partition it names is verified (rolling an interrupted commit forward
 * first); undefined when there is no folder, or an empty one.
 */
export async function verifiedManifest(dataDir: string, sourceId: string): Promise<SnapshotMeta | undefined> {
  const dir = storeDir(dataDir, sourceId);
  const info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new SourceFormatError(sourceId, `cannot read the award store (${error.code ?? error.message})`, { file: dir });
  });
  if (!info) return undefined;
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new SourceFormatError(sourceId, `must be a plain folder, not ${info.isSymbolicLink() ? 'a symbolic link' : 'a file'}; ${restoreHint(sourceId)}`, { file: dir });
  }
  const names = await readdir(dir);
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifestSize = await plainFileSize(manifestPath, sourceId);
  let problem: { message: string; file: string } | undefined;
  if (manifestSize !== undefined) {
    const meta = parseManifest(await readText(manifestPath, sourceId), sourceId, manifestPath);
    problem = await firstMismatch(dir, meta, sourceId);
    if (!problem) {
      await sweepDeadTemps(dir, names);
      return meta;
    }
  } else if (!names.some((n) => PARTITION_NAME.test(n) || TEMP_NAME.test(n))) {
    return undefined;
  }
  const rolled = await rollForward(dir, names, sourceId);
  if (rolled) return rolled;
  const writer = liveWriter(dir, names);
  if (writer !== undefined) {
    throw new SourceFormatError(sourceId, `a write of the award store by process ${writer} is in progress; try again when it has finished`, { file: dir });
  }
  if (!problem) {
    // A first write killed before its manifest was staged leaves only temp files: nothing was committed.
    await sweepDeadTemps(dir, names);
    if (!(await readdir(dir)).some((n) => PARTITION_NAME.test(n))) return undefined;
    throw new SourceFormatError(sourceId, `the award store has partition files but no ${MANIFEST_FILE}; ${restoreHint(sourceId)}`, { file: manifestPath });
  }
  throw new SourceFormatError(sourceId, `${problem.message}: the file was cut short, edited, or a write was interrupted; ${restoreHint(sourceId)}`, {
    file: problem.file,
  });
}

async function readText(path: string, sourceId: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SourceFormatError(sourceId, `cannot read the award store (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path });
  }
}

/** A manifest that is JSON, of the schema, for this source, and consistent with itself. */
export function parseManifest(text: string, sourceId: string, file: string): SnapshotMeta {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceFormatError(sourceId, `the award store's manifest is not JSON: ${(error as Error).message}; ${restoreHint(sourceId)}`, { file });
  }
  const parsed = snapshotMetaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SourceFormatError(sourceId, `${issue?.message ?? 'invalid manifest'}; ${restoreHint(sourceId)}`, { file, path: issue?.path.join('.') });
  }
  const meta = parsed.data;
  const fail = (message: string, path?: string): never => {
    throw new SourceFormatError(sourceId, `${message}; ${restoreHint(sourceId)}`, { file, ...(path ? { path } : {}) });
  };
  if (meta.source !== sourceId) fail(`the manifest is for source ${meta.source}`, 'source');
  if (!meta.partitions) fail('the manifest lists no partitions', 'partitions');
  const partitions = meta.partitions!;
  const seen = new Set<string>();
  partitions.forEach((p, i) => {
    const name = PARTITION_NAME.exec(p.file);
    // Names are the only paths a manifest gives: anything else (../x, a/b, .hidden) could leave the folder.
    if (!name) fail(`partition ${JSON.stringify(p.file)} is not a partition file name (fy2019.parquet, fy2026.csv, fy2020-p02.parquet, fy-unknown.csv)`, `partitions.${i}.file`);
    if (seen.has(p.file)) fail(`partition ${p.file} is listed twice`, `partitions.${i}.file`);
    seen.add(p.file);
    const year = name![1] === undefined ? 0 : Number(name![1]);
    if (year !== p.fiscalYear || name![3] !== p.format) fail(`partition ${p.file} says fiscal year ${p.fiscalYear} (${p.format})`, `partitions.${i}`);
  });
  if (partitions.reduce((n, p) => n + p.records, 0) !== meta.recordCount) fail(`the partitions' records do not add up to recordCount ${meta.recordCount}`, 'recordCount');
  if (partitionsHash(partitions) !== meta.contentHash) fail('contentHash is not the hash of the partition list', 'contentHash');
  if (!Number.isFinite(fiscalYearOf(meta.retrievedAt))) fail('retrievedAt is not a date', 'retrievedAt');
  return meta;
}

/** The first partition whose file is not the one the manifest names (missing, a link, other size or bytes). */
async function firstMismatch(dir: string, meta: SnapshotMeta, sourceId: string): Promise<{ message: string; file: string } | undefined> {
  // Several files are checked at once (each is mostly waiting on the disk); the first in the manifest's order is reported.
  const checks = mapAhead(meta.partitions ?? [], VERIFY_AHEAD, async (p) => ({ p, why: await mismatch(join(dir, p.file), p, sourceId) }));
  for await (const { p, why } of checks) {
    if (why) return { message: `${p.file} ${why}`, file: join(dir, p.file) };
  }
  return undefined;
}

/** Partitions hashed at once: a few streams of at most 50 MB files, so memory stays small. */
const VERIFY_AHEAD = 4;

async function mismatch(path: string, p: PartitionEntry, sourceId: string): Promise<string | undefined> {
  const size = await plainFileSize(path, sourceId);
  if (size === undefined) return 'is missing';
  if (size !== p.bytes) return `has ${size} bytes where the manifest says ${p.bytes}`;
  const sha = await sha256File(path);
  if (sha !== p.sha256) return `has sha256 ${sha.slice(0, 12)}… where the manifest says ${p.sha256.slice(0, 12)}…`;
  // CSV columns are read by position: a header in another order would swap values silently.
  if (p.format === 'csv' && (await firstLine(path)) !== CSV_HEADER) return `does not start with the award columns' header (${CSV_HEADER.slice(0, 40)}…)`;
  return undefined;
}

async function firstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(CSV_HEADER.length + 2), 0, CSV_HEADER.length + 2, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
  } finally {
    await handle.close();
  }
}

/**
 * A writer that died between its renames left a complete staged manifest (.manifest.json.<pid>.….tmp).
 * When every partition it names is either in place or in that writer's own temp file, finish its commit.
 */
async function rollForward(dir: string, names: readonly string[], sourceId: string): Promise<SnapshotMeta | undefined> {
  const staged = names
    .map((name) => ({ name, temp: TEMP_NAME.exec(name) }))
    .filter((n) => n.temp?.[1] === MANIFEST_FILE && isDeadWriter(Number(n.temp[2]), dir))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const { name, temp } of staged) {
    const pid = temp![2]!;
    let meta: SnapshotMeta;
    try {
      meta = parseManifest(await readText(join(dir, name), sourceId), sourceId, join(dir, name));
    } catch {
      continue;
    }
    const renames: Array<[string, string]> = [];
    let complete = true;
    for (const p of meta.partitions ?? []) {
      const target = join(dir, p.file);
      if (!(await mismatch(target, p, sourceId))) continue;
      const candidates = names.filter((n) => n.startsWith(`.${p.file}.${pid}.`) && TEMP_NAME.test(n));
      let found: string | undefined;
      for (const candidate of candidates) if (!(await mismatch(join(dir, candidate), p, sourceId))) found = candidate;
      if (!found) {
        complete = false;
        break;
      }
      renames.push([join(dir, found), target]);
    }
    if (!complete) continue;
    try {
      for (const [from, to] of renames) await rename(from, to);
      await rename(join(dir, name), join(dir, MANIFEST_FILE));
    } catch (error) {
      throw new StoreError(`cannot finish an interrupted write of the ${sourceId} award store (${(error as Error).message}); ${restoreHint(sourceId)}`, { file: dir });
    }
    await sweepDeadTemps(dir, await readdir(dir));
    return meta;
  }
  return undefined;
}

/** The process id of a live writer that has staged a manifest in the folder, if any. */
function liveWriter(dir: string, names: readonly string[]): number | undefined {
  for (const name of names) {
    const temp = TEMP_NAME.exec(name);
    if (temp?.[1] === MANIFEST_FILE && !isDeadWriter(Number(temp[2]), dir)) return Number(temp[2]);
  }
  return undefined;
}

/** Temp files of writers that are gone can never be committed. */
async function sweepDeadTemps(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const temp = TEMP_NAME.exec(name);
    if (temp && isDeadWriter(Number(temp[2]), dir)) await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}
