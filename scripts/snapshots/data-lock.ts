/**
 * One writer per data directory. Two imports into one source, or a run during an import, would each
 * read the same old snapshot and the later rename would silently drop the other's records. The lock is a
 * file created exclusively (`O_EXCL`) holding the holder's pid; a lock whose process is gone is stale and
 * taken over. Calls nested inside a holder (a run refreshing its sources) share its lock; a second,
 * concurrent holder in the same process is refused like one in another process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname } from 'node:os';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isAlive } from '../util/atomic-fs.ts';
import { fsStoreError, StoreError } from '../util/errors.ts';

export const LOCK_FILE = '.icewatch.lock';

const lockSchema = z.object({ pid: z.number().int(), host: z.string(), purpose: z.string(), since: z.string(), token: z.string() });
type LockInfo = z.infer<typeof lockSchema>;

const held = new AsyncLocalStorage<ReadonlySet<string>>();

export function lockPath(dataDir: string): string {
  return join(resolve(dataDir), LOCK_FILE);
}

async function readLock(file: string): Promise<LockInfo | 'unreadable' | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw storeError(error, file);
  });
  if (text === undefined) return undefined;
  try {
    return lockSchema.parse(JSON.parse(text));
  } catch {
    return 'unreadable';
  }
}

function storeError(error: NodeJS.ErrnoException, file: string): StoreError {
  if (error.code === 'ENOTDIR') return new StoreError(`--data must name a directory; a folder on the path of ${file} is a file`, { file, code: error.code });
  return fsStoreError(error, file);
}

async function tryCreate(file: string, info: LockInfo): Promise<boolean> {
  try {
    await writeFile(file, `${JSON.stringify(info)}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw storeError(error as NodeJS.ErrnoException, file);
  }
}

async function acquire(dataDir: string, purpose: string): Promise<{ file: string; token: string }> {
  const file = lockPath(dataDir);
  const info0 = await stat(resolve(dataDir)).catch(() => undefined);
  if (info0 && !info0.isDirectory()) {
    throw new StoreError(`the data directory ${resolve(dataDir)} is not a directory; --data must name the folder that holds config.yaml, registry/ and snapshots/`, { file: resolve(dataDir) });
  }
  await mkdir(resolve(dataDir), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw storeError(error, file);
  });
  const token = `${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const info: LockInfo = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString(), token };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(file, info)) return { file, token };
    const current = await readLock(file);
    if (current === undefined) continue;
    const stale = current !== 'unreadable' && current.host === hostname() && !isAlive(current.pid);
    if (!stale) {
      const who = current === 'unreadable' ? 'another process (the lock file is unreadable)' : `process ${current.pid} on ${current.host} (${current.purpose}, since ${current.since})`;
      throw new StoreError(
        `the data directory ${resolve(dataDir)} is in use by ${who}; wait for it to finish. If no such process is running, delete ${file} and run again`,
        { file },
      );
    }
    // Take a dead holder's lock over by renaming it away first: of two processes doing this at once,
    // only one rename succeeds, and each then races for a fresh exclusive create.
    await rename(file, `${file}.stale-${token}`).then(
      () => rm(`${file}.stale-${token}`, { force: true }),
      () => undefined,
    );
  }
  throw new StoreError(`could not take the lock ${file}; another process keeps taking it — run again`, { file });
}

async function release(file: string, token: string): Promise<void> {
  const current = await readLock(file).catch(() => undefined);
  if (current && current !== 'unreadable' && current.token === token) await rm(file, { force: true });
}

/** The data directory a command was given, refused with a clear message when it names a file. */
export async function checkedDataDir(path: string): Promise<string> {
  const dir = resolve(path);
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new StoreError(`the data directory ${dir} is not a directory; --data must name the folder that holds config.yaml, registry/ and snapshots/`, { file: dir });
  }
  return dir;
}

/** Runs `fn` holding the data directory's lock (shared with any caller up the stack that holds it). */
export async function withDataLock<T>(dataDir: string, purpose: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(dataDir);
  const mine = held.getStore();
  if (mine?.has(key)) return fn();
  const { file, token } = await acquire(dataDir, purpose);
  try {
    return await held.run(new Set([...(mine ?? []), key]), fn);
  } finally {
    await release(file, token);
  }
}
