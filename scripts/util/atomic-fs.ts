import { mkdir, rename, writeFile, rm, readFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Write via a temp file in the same directory and rename over the target, so a crash mid-write
 * leaves either the old file or the new one, never half of either.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Write only when the content differs, so unchanged runs leave mtimes and git status alone. */
export async function writeIfChanged(path: string, content: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await writeFileAtomic(path, content);
  return true;
}

/**
 * Write a group of files so that either all new contents land or (on a failure before the renames)
 * none do: every temp file is written first, then all are renamed.
 */
export async function writeFilesAtomic(files: ReadonlyArray<{ path: string; content: string }>): Promise<string[]> {
  const staged: Array<{ tmp: string; path: string }> = [];
  try {
    for (const file of files) {
      const current = await readFile(file.path, 'utf8').catch(() => undefined);
      if (current === file.content) continue;
      await mkdir(dirname(file.path), { recursive: true });
      const tmp = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(tmp, file.content);
      staged.push({ tmp, path: file.path });
    }
  } catch (error) {
    await Promise.all(staged.map((s) => rm(s.tmp, { force: true })));
    throw error;
  }
  for (const s of staged) await rename(s.tmp, s.path);
  return staged.map((s) => s.path);
}
