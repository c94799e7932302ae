import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, writeFile, rm, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsStoreError } from './errors.ts';

/** Temp and backup files this process is using right now. */
const inUse = new Set<string>();
const TEMP_SUFFIX = /^(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether a process with this id exists (EPERM: it exists but is someone else's). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A temp file is a dead run's leftover only when the process named in it is gone (or it is this process's
 * and no longer in use): another live process's temp file is its own business, never deleted here.
 */
function isLeftover(dir: string, name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  const match = TEMP_SUFFIX.exec(name.slice(prefix.length));
  if (!match) return false;
  const pid = Number(match[1]);
  if (pid === process.pid) return !inUse.has(join(dir, name));
  return !isAlive(pid);
}

function tempPathFor(path: string): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  inUse.add(tmp);
  return tmp;
}

async function discard(paths: ReadonlyArray<string | undefined>): Promise<void> {
  await Promise.all(
    paths.map(async (path) => {
      if (path === undefined) return;
      await rm(path, { force: true });
      inUse.delete(path);
    }),
  );
}

/**
 * A run killed mid-write (SIGKILL, power loss, a cancelled job) leaves its temp files beside the
 * targets and nothing in that run can remove them; the next write of the same file does, so they are
 * never published or committed. Exported for other writers that use the same temp names.
 */
export async function removeLeftovers(path: string): Promise<void> {
  await removeLeftoversOf([path]);
}

const LEFTOVER_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * The same for a group of targets, reading each folder once: the site's 2,000 company pages share one
 * folder, and reading it once a page made a group write quadratic (4.4 s of a 300k-award publish).
 */
async function removeLeftoversOf(paths: readonly string[]): Promise<void> {
  const targets = new Map<string, Set<string>>();
  for (const path of paths) {
    const names = targets.get(dirname(path));
    if (names) names.add(basename(path));
    else targets.set(dirname(path), new Set([basename(path)]));
  }
  for (const [dir, names] of targets) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    const dead = entries.filter((entry) => {
      const base = LEFTOVER_NAME.exec(entry)?.[1];
      return base !== undefined && names.has(base) && isLeftover(dir, entry, `.${base}.`);
    });
    await Promise.all(dead.map((entry) => rm(join(dir, entry), { force: true })));
  }
}

/**
 * Write via a temp file in the same directory and rename over the target, so a crash mid-write
 * leaves either the old file or the new one, never half of either.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await removeLeftovers(path);
  } catch (error) {
    throw fsStoreError(error, path);
  }
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
    inUse.delete(tmp);
  } catch (error) {
    await discard([tmp]).catch(() => undefined);
    throw fsStoreError(error, path);
  }
}

/** Write only when the content differs, so unchanged runs leave mtimes and git status alone. */
export async function writeIfChanged(path: string, content: string): Promise<boolean> {
  await removeLeftovers(path).catch((error: unknown) => {
    throw fsStoreError(error, path);
  });
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await writeFileAtomic(path, content);
  return true;
}

/** A second name for the old version of `path` (a hard link: no copy), so a failed group can put it back. */
async function keepOld(path: string): Promise<string> {
  const backup = tempPathFor(path);
  try {
    await link(path, backup);
  } catch {
    await copyFile(path, backup);
  }
  return backup;
}

/**
 * Write a group of files so that either all new contents land or none do: every temp file is written
 * first, then all are renamed. Should a rename fail, the files already renamed get their old contents
 * back and no temp file is left behind. (A process killed during the renames cannot undo them; its
 * temp files are removed by the next write.)
 */
/**
 * File content as one string, or as a sequence of chunks for files too large to hold as one string
 * (a full-history snapshot). Chunked content is compared with the file on disk by hash.
 */
export type FileContent = string | Uint8Array | { chunks: () => Iterable<string> } | LazyText | MadeFile;

/** Bytes another writer already put in a file (the engine's COPY): copied beside the target and renamed with the group. */
export interface MadeFile {
  file: string;
}

/** Text made only when its turn to be written comes (a site page), so a group never holds every page at once. */
export interface LazyText {
  render: () => string;
}

export async function writeFilesAtomic(files: ReadonlyArray<{ path: string; content: FileContent }>): Promise<string[]> {
  const staged: Array<{ tmp: string; path: string; existed: boolean; backup?: string }> = [];
  try {
    await removeLeftoversOf(files.map((f) => f.path));
    const made = new Set<string>();
    for (const file of files) {
      const dir = dirname(file.path);
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      if (typeof file.content === 'string' || 'render' in file.content) {
        const content = typeof file.content === 'string' ? file.content : file.content.render();
        const current = await readFile(file.path, 'utf8').catch(() => undefined);
        if (current === content) continue;
        // Staged before writing: a write that fails part-way (a full disk) leaves a partial temp file.
        const entry = { tmp: tempPathFor(file.path), path: file.path, existed: current !== undefined };
        staged.push(entry);
        await writeFile(entry.tmp, content);
        continue;
      }
      if (file.content instanceof Uint8Array) {
        const current = await readFile(file.path).catch(() => undefined);
        if (current?.equals(file.content)) continue;
        const entry = { tmp: tempPathFor(file.path), path: file.path, existed: current !== undefined };
        staged.push(entry);
        await writeFile(entry.tmp, file.content);
        continue;
      }
      if ('file' in file.content) {
        const existing = await hashOfFile(file.path);
        // Unlike the target's, the source's hash must be read: a made file that is gone is an error, not new content.
        if ((await sha256Of(file.content.file)) === existing) continue;
        const entry = { tmp: tempPathFor(file.path), path: file.path, existed: existing !== undefined };
        staged.push(entry);
        await copyFile(file.content.file, entry.tmp);
        continue;
      }
      const existing = await hashOfFile(file.path);
      const entry = { tmp: tempPathFor(file.path), path: file.path, existed: existing !== undefined };
      staged.push(entry);
      const written = await streamToFile(entry.tmp, file.content.chunks());
      if (written === existing) {
        staged.pop();
        await discard([entry.tmp]);
      }
    }
  } catch (error) {
    await discard(staged.map((s) => s.tmp)).catch(() => undefined);
    throw fsStoreError(error, targetOf(error, staged) ?? staged.at(-1)?.path ?? files[0]?.path ?? '');
  }
  const renamed: typeof staged = [];
  try {
    for (const s of staged) {
      if (s.existed) s.backup = await keepOld(s.path);
      await rename(s.tmp, s.path);
      inUse.delete(s.tmp);
      renamed.push(s);
    }
  } catch (error) {
    for (const s of renamed.reverse()) {
      // Best effort: the error that stopped the group is the one to report.
      if (s.backup) await rename(s.backup, s.path).catch(() => undefined);
      else await rm(s.path, { force: true }).catch(() => undefined);
    }
    await discard(staged.flatMap((s) => [s.tmp, s.backup])).catch(() => undefined);
    throw fsStoreError(error, targetOf(error, staged) ?? '');
  }
  await discard(staged.map((s) => s.backup));
  return staged.map((s) => s.path);
}

/** The file a failed temp-file operation was for (errors name the temp file, people know the target). */
function targetOf(error: unknown, staged: ReadonlyArray<{ tmp: string; path: string; backup?: string }>): string | undefined {
  const { path, dest } = error as NodeJS.ErrnoException & { dest?: string };
  for (const p of [dest, path]) {
    if (!p) continue;
    const hit = staged.find((s) => s.tmp === p || s.backup === p || s.path === p);
    if (hit) return hit.path;
  }
  return path;
}

async function hashOfFile(path: string): Promise<string | undefined> {
  return sha256Of(path).catch(() => undefined);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Writes chunks (joined into ~64 KiB writes) to `path`; returns the sha256 of what was written. */
async function streamToFile(path: string, chunks: Iterable<string>): Promise<string> {
  const hash = createHash('sha256');
  function* batched(): Generator<string> {
    let buffer: string[] = [];
    let length = 0;
    for (const chunk of chunks) {
      buffer.push(chunk);
      length += chunk.length;
      if (length >= 64 * 1024) {
        const joined = buffer.join('');
        hash.update(joined);
        yield joined;
        buffer = [];
        length = 0;
      }
    }
    const rest = buffer.join('');
    hash.update(rest);
    if (rest) yield rest;
  }
  await pipeline(Readable.from(batched()), createWriteStream(path));
  return hash.digest('hex');
}
