/**
 * Byte-level pictures of directories, to prove a failed run changed nothing: every file (dotfiles
 * included, so a stray temp file shows up) with its exact bytes.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { snapshotPaths } from '../../scripts/snapshots/store.ts';
import { storeDir } from '../../scripts/store/partition-files.ts';

export type TreeState = ReadonlyMap<string, Buffer>;

export async function treeState(root: string): Promise<TreeState> {
  const out = new Map<string, Buffer>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.set(relative(root, path).split(sep).join('/'), await readFile(path));
    }
  };
  await walk(root);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function diffTrees(before: TreeState, after: TreeState): { added: string[]; removed: string[]; changed: string[] } {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...before.keys()].filter((k) => after.has(k) && !after.get(k)!.equals(before.get(k)!));
  return { added, removed, changed };
}

/** The files of one source's snapshot (the JSONL pair, or the award store folder), as a tree of their own. */
export async function snapshotState(dataDir: string, sourceId: string): Promise<TreeState> {
  const paths = snapshotPaths(dataDir, sourceId);
  const out = new Map<string, Buffer>();
  for (const path of [paths.records, paths.meta]) {
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes) out.set(relative(dataDir, path).split(sep).join('/'), bytes);
  }
  const store = storeDir(dataDir, sourceId);
  for (const [path, bytes] of await treeState(store).catch(() => new Map<string, Buffer>())) {
    out.set(relative(dataDir, join(store, path)).split(sep).join('/'), bytes);
  }
  return out;
}

/** Temp files the atomic writers leave while staging (`.<name>.<pid>.<hex>.tmp`), anywhere under root. */
export function tempFiles(state: TreeState): string[] {
  return [...state.keys()].filter((path) => /(^|\/)\.[^/]+\.tmp$/.test(path));
}

const scratch: string[] = [];

/** A fresh directory under the OS temp dir, removed by `removeScratch`. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `icewatch-faults-${prefix}-`));
  scratch.push(dir);
  return dir;
}

/** A fresh copy of a template directory. */
export async function copyOf(template: string, prefix: string): Promise<string> {
  const dir = await scratchDir(prefix);
  await cp(template, dir, { recursive: true });
  return dir;
}

export async function removeScratch(): Promise<void> {
  await Promise.all(scratch.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
