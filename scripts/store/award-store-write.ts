/**
 * Writes a procurement source's awards as the partitioned store (data/snapshots/<source>/, see
 * partition-files.ts). The engine sorts and writes each partition; a write is one commit:
 *
 *   1. every partition is written to a temp file in the folder and hashed;
 *   2. the complete new manifest is staged as a temp file;
 *   3. changed partitions are renamed into place;
 *   4. the manifest is renamed into place (the commit point);
 *   5. files the new manifest does not name (and the legacy <source>.jsonl) are deleted.
 *
 * Killed before 4, the old manifest no longer matches the renamed files, but the staged manifest does:
 * the next read rolls the commit forward (award-store-read.ts). Killed before 3, nothing committed moved.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sourceRecordSchema, type AwardRecord, type SourceRecord } from '../records.ts';
import { fsStoreError, StoreError } from '../util/errors.ts';
import { forLog } from '../util/sanitize.ts';
import { implausibleAwardValue } from '../util/plausible.ts';
import { stableStringify } from '../util/stable-json.ts';
import { snapshotMetaSchema, type PartitionChange, type PartitionEntry, type SnapshotMeta } from '../snapshots/meta.ts';
import { verifiedManifest } from './award-store-read.ts';
import { AWARD_COLUMNS, isPlainAward, loadAwardRecords } from './award-table.ts';
import { withEngine, type Engine } from './engine.ts';
import {
  MANIFEST_FILE,
  MAX_PARTITION_BYTES,
  MAX_PARTS,
  isDeadWriter,
  writing,
  PARTITION_NAME,
  TEMP_NAME,
  fiscalYearOf,
  partitionFileName,
  partitionsHash,
  plainFileSize,
  sha256File,
  storeDir,
  tempPath,
} from './partition-files.ts';
import {
  changeByFiscalYearSql,
  copyPartitionSql,
  duplicateKeysSql,
  fiscalYearCountsSql,
  loadPartitionsSql,
  MAX_RECORD_CHARS,
  partitionRowCountSql,
} from './partition-sql.ts';

export type SnapshotMetaInput = Omit<SnapshotMeta, 'recordCount' | 'contentHash' | 'source' | 'partitions' | 'lastChange'>;

export interface AwardStoreWriteOptions {
  /** Threads for loading and comparing (the files themselves are always written by one). */
  threads?: number;
  /** Split a partition into parts past this many bytes (tests use a small one). */
  maxPartitionBytes?: number;
}

/**
 * Which partitions are text: the fiscal year of the fetch, the one before it (awards started then are
 * still modified for months after it closes) and any later one change every day, and a sorted text file
 * changes by the rows that did (a small git delta) where a binary file would be new every day.
 * Unknown-start awards (fiscal year 0) are few and also text.
 */
function formatFor(fiscalYear: number, movingYear: number): 'parquet' | 'csv' {
  return fiscalYear === 0 || fiscalYear >= movingYear ? 'csv' : 'parquet';
}

/**
 * Whether the record passes MAX_RECORD_CHARS as JSON. JSON writes a character in at most six (\u0000), so a
 * record whose text is a sixth of the limit is under it without serializing it (nearly every record).
 */
function tooLong(record: AwardRecord): boolean {
  let chars = 0;
  for (const column of AWARD_COLUMNS) {
    const value = column[2](record);
    if (typeof value === 'string') chars += value.length + 8;
    else if (value !== undefined) chars += 32;
  }
  if (chars * 6 + 1000 < MAX_RECORD_CHARS) return false;
  return JSON.stringify(record).length > MAX_RECORD_CHARS;
}

export async function writeAwardStore(
  dataDir: string,
  sourceId: string,
  records: readonly SourceRecord[],
  meta: SnapshotMetaInput,
  options: AwardStoreWriteOptions = {},
): Promise<SnapshotMeta> {
  const awards: AwardRecord[] = [];
  for (const record of records) {
    if (record.recordType !== 'award') throw new StoreError(`${sourceId}: the award store holds award records only, got a ${record.recordType} record`);
    // Checked as the reader will check it (the plain check, else the schema): a store that commits what its
    // reader refuses blocks the source.
    const checked = isPlainAward(record) ? { success: true as const } : sourceRecordSchema.safeParse(record);
    const implausible =
      implausibleAwardValue(record) ?? (tooLong(record) ? { field: 'record', message: `longer than ${MAX_RECORD_CHARS} characters` } : undefined);
    if (!checked.success || implausible) {
      const why = checked.success ? `${implausible!.field}: ${implausible!.message}` : `${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message}`;
      throw new StoreError(`${sourceId}: award ${forLog(record.awardKey, 120)} cannot be stored (${why}); nothing was written`);
    }
    awards.push(record);
  }
  const dir = storeDir(dataDir, sourceId);
  await ensurePlainDir(dir, sourceId);
  writing.add(dir);
  // What the write replaces, for lastChange and to leave unchanged partitions alone. A damaged store is
  // replaced whole (the caller read it first, so only a deliberate overwrite gets here).
  const previous = await verifiedManifest(dataDir, sourceId).catch(() => undefined);
  const staged: string[] = [];
  try {
    const { partitions, lastChange } = await withEngine(
      (engine) =>
        writePartitions(engine, dir, awards, {
          movingYear: fiscalYearOf(meta.retrievedAt) - 1,
          previous,
          staged,
          maxBytes: options.maxPartitionBytes ?? MAX_PARTITION_BYTES,
        }),
      { threads: options.threads ?? 2 },
    );
    const full = snapshotMetaSchema.parse({
      ...meta,
      source: sourceId,
      recordCount: awards.length,
      contentHash: partitionsHash(partitions.map((p) => p.entry)),
      partitions: partitions.map((p) => p.entry),
      ...(lastChange ? { lastChange } : {}),
    });
    const manifest = join(dir, MANIFEST_FILE);
    const stagedManifest = tempPath(manifest);
    staged.push(stagedManifest);
    await writeFile(stagedManifest, `${stableStringify(full, 2)}\n`).catch((error: unknown) => {
      throw fsStoreError(error, manifest);
    });
    await commit(partitions, stagedManifest, manifest);
    staged.length = 0;
    await removeUnreferenced(dir, new Set(partitions.map((p) => p.entry.file)));
    await Promise.all(
      [`${sourceId}.jsonl`, `${sourceId}.meta.json`].map((legacy) => rm(join(dataDir, 'snapshots', legacy), { force: true })),
    );
    return full;
  } catch (error) {
    await Promise.all(staged.map((path) => rm(path, { force: true }).catch(() => undefined)));
    if (error instanceof StoreError) throw error;
    throw fsStoreError(error, dir);
  } finally {
    writing.delete(dir);
  }
}

interface StagedPartition {
  entry: PartitionEntry;
  /** Temp file holding it, or undefined when the committed file already has these bytes. */
  temp?: string;
}

async function writePartitions(
  engine: Engine,
  dir: string,
  awards: readonly AwardRecord[],
  { movingYear, previous, staged, maxBytes }: { movingYear: number; previous: SnapshotMeta | undefined; staged: string[]; maxBytes: number },
): Promise<{ partitions: StagedPartition[]; lastChange?: PartitionChange[] }> {
  await loadAwardRecords(engine, 'awards', awards);
  const duplicates = await engine.all<{ award_key: string; n: number }>(duplicateKeysSql('awards'));
  if (duplicates.length > 0) {
    throw new StoreError(`the award store is keyed by award key, but ${duplicates.map((d) => `${d.award_key} (${d.n}×)`).join(', ')} occur more than once`);
  }
  // One writer thread: DuckDB's parallel Parquet writer cuts row groups where its threads' chunks end,
  // which depends on scheduling, so two threads can write the same rows as different bytes.
  await engine.run('SET threads = 1');
  const previousFiles = new Map((previous?.partitions ?? []).map((p) => [p.file, p]));
  const partitions: StagedPartition[] = [];
  for (const { fiscal_year: fiscalYear } of await engine.all<{ fiscal_year: number; records: number }>(fiscalYearCountsSql('awards'))) {
    const format = formatFor(fiscalYear, movingYear);
    const whole = await writeOne(engine, dir, fiscalYear, format, { index: 1, of: 1 }, staged);
    let parts = [whole];
    // Split in equal runs of keys with room to spare, so a year that grows a little keeps its part count;
    // runs of long rows can still make one part too big, so the count grows until every part fits.
    let of = Math.ceil(whole.bytes / (maxBytes * 0.75));
    while (parts.some((p) => p.bytes > maxBytes)) {
      if (of > MAX_PARTS) throw new StoreError(`fiscal year ${fiscalYear} does not fit in ${MAX_PARTS} files of ${maxBytes} bytes`);
      await Promise.all(parts.map((p) => rm(p.temp, { force: true })));
      parts = [];
      for (let index = 1; index <= of; index++) parts.push(await writeOne(engine, dir, fiscalYear, format, { index, of }, staged));
      of = Math.min(of * 2, MAX_PARTS + 1);
    }
    for (const part of parts) {
      const entry: PartitionEntry = { file: part.file, fiscalYear, format, records: part.records, bytes: part.bytes, sha256: part.sha256 };
      const before = previousFiles.get(part.file);
      if (before && before.sha256 === part.sha256 && before.bytes === part.bytes) {
        await rm(part.temp, { force: true });
        partitions.push({ entry });
      } else {
        partitions.push({ entry, temp: part.temp });
      }
    }
  }
  partitions.sort((a, b) => (a.entry.file < b.entry.file ? -1 : a.entry.file > b.entry.file ? 1 : 0));
  if (!previous?.partitions) return { partitions };
  // The previous files are still the committed ones: nothing has been renamed yet.
  await engine.run(loadPartitionsSql('previous_awards', previous.partitions.map((p) => ({ path: join(dir, p.file), format: p.format }))));
  const rows = await engine.all<{
    fiscal_year: number;
    added: number;
    removed: number;
    changed: number;
    added_keys: string[] | null;
    removed_keys: string[] | null;
    changed_keys: string[] | null;
  }>(changeByFiscalYearSql('previous_awards', 'awards'));
  const lastChange = rows.map((r) => ({
    fiscalYear: r.fiscal_year,
    added: r.added,
    removed: r.removed,
    changed: r.changed,
    addedKeys: r.added_keys ?? [],
    removedKeys: r.removed_keys ?? [],
    changedKeys: r.changed_keys ?? [],
  }));
  return { partitions, lastChange };
}

async function writeOne(
  engine: Engine,
  dir: string,
  fiscalYear: number,
  format: 'parquet' | 'csv',
  part: { index: number; of: number },
  staged: string[],
): Promise<{ file: string; temp: string; bytes: number; sha256: string; records: number }> {
  const file = partitionFileName(fiscalYear, format, part);
  const temp = tempPath(join(dir, file));
  staged.push(temp);
  await engine.run(copyPartitionSql('awards', fiscalYear, format, temp, part));
  const counted = await engine.all<{ n: number }>(partitionRowCountSql('awards', fiscalYear, part));
  return { file, temp, bytes: (await plainFileSize(temp, 'award store'))!, sha256: await sha256File(temp), records: counted[0]?.n ?? 0 };
}

/**
 * Renames the partitions, then the manifest. Each replaced file is first hard-linked to a backup, so a
 * rename that fails part-way puts every old file back and the old manifest matches again. (A process
 * killed here cannot undo anything; its staged manifest lets the next read finish the commit instead.)
 */
async function commit(partitions: readonly StagedPartition[], stagedManifest: string, manifest: string): Promise<void> {
  const dir = dirname(manifest);
  const done: Array<{ target: string; backup?: string }> = [];
  let current = manifest;
  let pending: string | undefined;
  const place = async (from: string, target: string) => {
    current = target;
    pending = await backupOf(target);
    await rename(from, target);
    done.push({ target, ...(pending ? { backup: pending } : {}) });
    pending = undefined;
  };
  try {
    for (const p of partitions) if (p.temp) await place(p.temp, join(dir, p.entry.file));
    await place(stagedManifest, manifest);
  } catch (error) {
    // The file whose rename failed is still the old one; only its backup goes.
    if (pending) await rm(pending, { force: true }).catch(() => undefined);
    for (const { target, backup } of done.reverse()) {
      if (backup) await rename(backup, target).catch(() => copyFile(backup, target).then(() => rm(backup, { force: true }))).catch(() => undefined);
      else await rm(target, { force: true }).catch(() => undefined);
    }
    throw fsStoreError(error, current);
  }
  await Promise.all(done.map(({ backup }) => (backup ? rm(backup, { force: true }) : undefined)));
}

/**
 * A hard link to the committed file (a copy where links are refused), or undefined when there is none. Its
 * name (.<file>.old.<pid>.<hex>.tmp) can never be taken for a staged manifest or partition by the reader's
 * roll-forward, and the sweep of dead writers' temp files removes it.
 */
async function backupOf(path: string): Promise<string | undefined> {
  if ((await plainFileSize(path, 'award store')) === undefined) return undefined;
  const backup = join(dirname(path), `.${basename(path)}.old.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await link(path, backup).catch(() => copyFile(path, backup));
  return backup;
}

/** Deletes partition files no manifest names any more, and temp files of writers that are gone. */
async function removeUnreferenced(dir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    const temp = TEMP_NAME.exec(name);
    const stale = temp ? isDeadWriter(Number(temp[2]), dir) : PARTITION_NAME.test(name) && !keep.has(name);
    if (stale) await rm(join(dir, name), { force: true });
  }
}

async function ensurePlainDir(dir: string, sourceId: string): Promise<void> {
  const info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw fsStoreError(error, dir, 'read');
  });
  if (!info) {
    await mkdir(dir, { recursive: true }).catch((error: unknown) => {
      throw fsStoreError(error, dir);
    });
    return;
  }
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new StoreError(`${sourceId}: ${dir} must be a plain folder (it is ${info.isSymbolicLink() ? 'a symbolic link' : 'a file'}); move it away and fetch the source anew`, { file: dir });
  }
}
