/**
 * The files of a partitioned award store: data/snapshots/<source>/manifest.json and one file per fiscal
 * year of the awards' start (split in parts when one would pass the size cap). Settled years are zstd
 * Parquet; the moving year (the fiscal year of the fetch, and any later) is sorted CSV text, so the
 * daily commit of the store adds a small git delta instead of a whole new binary.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import { isAlive } from '../util/atomic-fs.ts';
import { SourceFormatError } from '../util/errors.ts';

export const MANIFEST_FILE = 'manifest.json';

/**
 * The promise is "no committed file over 50 MB" (GitHub warns at 50 MB and refuses 100 MB); a partition
 * is split into parts well before it.
 */
export const MAX_PARTITION_BYTES = 40 * 1024 * 1024;

/** The only names a manifest may list: a hostile manifest cannot point outside the folder. */
export const PARTITION_NAME = /^fy(?:(\d{4})|-unknown)(?:-p(\d{2}))?\.(parquet|csv)$/;

/** Temp files follow atomic-fs's naming (.<name>.<pid>.<8 hex>.tmp) so its leftover sweep covers them. */
export const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Parts of one fiscal year at most (the names have two digits). */
export const MAX_PARTS = 99;

/** Store folders this process is writing now: its own temp files there are not leftovers. */
export const writing = new Set<string>();

/**
 * Whether a temp file's writer is gone. A live process id is still a leftover when it is this process
 * and it is not writing that folder: after a container restart the same small ids come back, and a dead
 * writer's files must not look like the reader's own.
 */
export function isDeadWriter(pid: number, dir: string): boolean {
  if (pid === process.pid) return !writing.has(dir);
  return !isAlive(pid);
}

export function storeDir(dataDir: string, sourceId: string): string {
  return join(dataDir, 'snapshots', sourceId);
}

/** The U.S. federal fiscal year of a date (FY2026 = 2025-10-01 … 2026-09-30). */
export function fiscalYearOf(isoDate: string): number {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  return month >= 10 ? year + 1 : year;
}

export function partitionFileName(fiscalYear: number, format: 'parquet' | 'csv', part?: { index: number; of: number }): string {
  const year = fiscalYear === 0 ? '-unknown' : String(fiscalYear);
  const suffix = part && part.of > 1 ? `-p${String(part.index).padStart(2, '0')}` : '';
  return `fy${year}${suffix}.${format}`;
}

export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** sha256 over the partition list, one "file sha256" line each: the store's content hash. */
export function partitionsHash(partitions: ReadonlyArray<{ file: string; sha256: string }>): string {
  const hash = createHash('sha256');
  for (const p of partitions) hash.update(`${p.file} ${p.sha256}\n`);
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * A store file must be a plain file inside the folder: a symlink could make the job read (or, on write,
 * replace) something outside the repository. Returns its size, or undefined when it does not exist.
 */
export async function plainFileSize(path: string, sourceId: string): Promise<number | undefined> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      throw new SourceFormatError(sourceId, 'is a symbolic link; the award store holds plain files only (replace it with the real file, or restore the folder from git)', { file: path });
    }
    if (!info.isFile()) throw new SourceFormatError(sourceId, 'is not a file', { file: path });
    return info.size;
  } catch (error) {
    if (error instanceof SourceFormatError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SourceFormatError(sourceId, `cannot read the award store (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path });
  }
}

/** How to put the folder back, for every error that finds it damaged. */
export function restoreHint(sourceId: string): string {
  return `restore it from git (git checkout -- data/snapshots/${sourceId}/) or delete the folder and fetch the source anew`;
}
