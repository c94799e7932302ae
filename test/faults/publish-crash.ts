/**
 * Crashes in the middle of writing: a disk that fills up while temp files are staged, a rename that
 * fails half-way through a group, a later step (the report) that fails after publishing, a process
 * killed with SIGKILL while every temp file is staged, and a failure between an award store's renames.
 * Each time the old outputs must be whole (or, once a group has landed, the complete new set), no
 * temp file may be left behind, and the next run must finish with exactly what an uninterrupted run
 * writes.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { expect } from 'vitest';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';
import { armFsFault, disarmFsFault, fsFaultLog } from './fs-faults.ts';
import { copyOf, diffTrees, snapshotState, tempFiles, treeState, type TreeState } from './fs-state.ts';
import { faultCase } from './ledger.ts';
import { dirsOf, logTo, NOW, REPO, type World } from './world.ts';

/** A later run whose outputs differ from the world's (statuses move on), so publishing has work to do. */
const LATER = { asOf: '2027-01-15', now: new Date('2027-01-15T12:00:00Z') };
const AREA = 'publish: crash mid-write';

function laterRun(root: string) {
  const { dataDir, reportsDir } = dirsOf(root);
  return runPipeline({ dataDir, reportsDir, asOf: LATER.asOf, now: LATER.now, offline: true, log: logTo() });
}

const underPublished = (path: string) => path.includes(`${sep}published${sep}v1${sep}`);

async function failure(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the run should have failed').toBeInstanceOf(Error);
  return error as NodeJS.ErrnoException;
}

function expectSame(reference: TreeState, actual: TreeState, prefix = ''): void {
  const pick = (t: TreeState) => new Map([...t.entries()].filter(([k]) => k.startsWith(prefix)));
  expect(diffTrees(pick(reference), pick(actual))).toEqual({ added: [], removed: [], changed: [] });
}

export function registerPublishCrashes(world: () => World): void {
  let referenceRun: Promise<TreeState> | undefined;
  /** data/ and reports/ after an uninterrupted later run: what every recovered run must end with. */
  const reference = (): Promise<TreeState> =>
    (referenceRun ??= (async () => {
      const root = await copyOf(world().root, 'reference');
      const before = await treeState(root);
      await laterRun(root);
      const after = await treeState(root);
      // The later run really rewrites published outputs, or these cases would prove nothing.
      expect(diffTrees(before, after).changed.filter((p) => p.startsWith('data/published/v1/')).length).toBeGreaterThanOrEqual(3);
      return after;
    })());

  faultCase(AREA, 'disk full while the publish group is staging temp files', async (c) => {
    const expected = await reference();
    const root = await copyOf(world().root, 'enospc');
    const before = await treeState(root);
    armFsFault({ op: 'writeFile', match: (p) => underPublished(p) && p.endsWith('.tmp'), failOnCall: 3, code: 'ENOSPC' });
    let error: NodeJS.ErrnoException;
    try {
      error = await failure(laterRun(root));
    } finally {
      disarmFsFault();
    }
    expect(fsFaultLog.fired).toBeDefined();
    expect(error.code).toBe('ENOSPC');
    expect(error.message).toContain(`${sep}published${sep}v1${sep}`);
    const after = await treeState(root);
    expect(tempFiles(after)).toEqual([]);
    c.nothingLost('data/ and reports/', before, after);

    await laterRun(root);
    const recovered = await treeState(root);
    expect(tempFiles(recovered)).toEqual([]);
    expectSame(expected, recovered);
  });

  faultCase(AREA, 'a rename fails half-way through the publish group', async (c) => {
    const expected = await reference();
    const root = await copyOf(world().root, 'eio');
    const before = await treeState(root);
    armFsFault({ op: 'rename', match: underPublished, failOnCall: 3, code: 'EIO' });
    let error: NodeJS.ErrnoException;
    try {
      error = await failure(laterRun(root));
    } finally {
      disarmFsFault();
    }
    expect(fsFaultLog.fired).toBeDefined();
    expect(error.code).toBe('EIO');
    expect(error.message).toContain(`${sep}published${sep}v1${sep}`);
    const after = await treeState(root);
    expect(tempFiles(after)).toEqual([]);
    // The two files renamed before the failure must be put back: a mix of old and new is not "intact".
    c.nothingLost('data/ and reports/', before, after);

    await laterRun(root);
    const recovered = await treeState(root);
    expect(tempFiles(recovered)).toEqual([]);
    expectSame(expected, recovered);
  });

  faultCase(AREA, 'the report cannot be written after publishing', async (c) => {
    const expected = await reference();
    const root = await copyOf(world().root, 'report');
    const { reportsDir } = dirsOf(root);
    const before = await treeState(root);
    // Something occupies the path of the new dated report (a directory, as a stray checkout might leave).
    const blocker = join(reportsDir, `${LATER.asOf}.md`);
    await mkdir(blocker, { recursive: true });
    const error = await failure(laterRun(root));
    expect(error.code).toBe('EISDIR');
    expect(error.message).toContain(`${LATER.asOf}.md`);
    const after = await treeState(root);
    expect(tempFiles(after)).toEqual([]);
    // Publishing had finished as a group: the complete new set, never a mix.
    expectSame(expected, after, 'data/published/');
    // The run state is written last, so the next run plans against the same baseline; earlier reports stay.
    const notPublished = (t: TreeState) => new Map([...t].filter(([k]) => !k.startsWith('data/published/')));
    c.nothingLost('run state, snapshots and reports', notPublished(before), notPublished(after));

    await rm(blocker, { recursive: true });
    await laterRun(root);
    const recovered = await treeState(root);
    expect(tempFiles(recovered)).toEqual([]);
    expectSame(expected, recovered);
  });

  faultCase(
    AREA,
    'the process is killed (SIGKILL) with every temp file of the publish staged',
    async (c) => {
      const expected = await reference();
      const root = await copyOf(world().root, 'sigkill');
      const { dataDir, reportsDir } = dirsOf(root);
      const before = await treeState(root);
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/faults/crash-child.ts'), dataDir, reportsDir, LATER.asOf, LATER.now.toISOString()], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      const staged = await new Promise<boolean>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('staged')) resolve(true);
        });
        void exited.then(() => resolve(false));
      });
      expect(staged, `the child never reached the rename phase: ${stderr}`).toBe(true);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const after = await treeState(root);
      // A killed process cleans nothing up: its temp files are there, the outputs are the old ones.
      expect(tempFiles(after).length).toBeGreaterThan(0);
      // And its lock on the data directory, which the next run finds stale (its pid is dead) and takes over.
      expect(after.has('data/.icewatch.lock')).toBe(true);
      const withoutTemps = (t: TreeState) => new Map([...t].filter(([k]) => !tempFiles(t).includes(k) && k !== 'data/.icewatch.lock'));
      c.nothingLost('data/ and reports/ (besides the temp files and the stale lock)', before, withoutTemps(after));

      // The next run clears the dead run's leftovers and writes what an uninterrupted run writes.
      await laterRun(root);
      const recovered = await treeState(root);
      expect(tempFiles(recovered)).toEqual([]);
      expectSame(expected, recovered);
    },
    60_000,
  );

  faultCase(AREA, "a failed rename between an award store's partitions and its manifest", async (c) => {
    const source = sources.get('usaspending-download')!;
    const prime = sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');
    const cleanRoot = await copyOf(world().root, 'snap-clean');
    await updateSource({ source, dataDir: dirsOf(cleanRoot).dataDir, from: [prime], now: NOW, log: logTo() });
    const expected = await snapshotState(dirsOf(cleanRoot).dataDir, source.id);

    const { dataDir } = dirsOf(await copyOf(world().root, 'snap-crash'));
    const before = await snapshotState(dataDir, source.id);
    // The import changes several partitions and the manifest.
    expect(diffTrees(before, expected).changed.length).toBeGreaterThanOrEqual(3);
    // The first changed partition is renamed into place; the second rename fails.
    armFsFault({ op: 'rename', match: (p) => p.includes(`${sep}snapshots${sep}`), failOnCall: 2, code: 'EIO' });
    let error: NodeJS.ErrnoException;
    try {
      error = await failure(updateSource({ source, dataDir, from: [prime], now: NOW, log: logTo() }));
    } finally {
      disarmFsFault();
    }
    expect(error.code).toBe('EIO');
    expect(error.message).toMatch(/snapshots\/usaspending-download\/fy\d{4}\.(parquet|csv)/);
    // Partitions and manifest must still belong together: all old.
    expect(diffTrees(before, await snapshotState(dataDir, source.id))).toEqual({ added: [], removed: [], changed: [] });
    c.nothingLost('snapshot', before, await snapshotState(dataDir, source.id));
    expect(tempFiles(await treeState(dataDir))).toEqual([]);

    await updateSource({ source, dataDir, from: [prime], now: NOW, log: logTo() });
    expectSame(expected, await snapshotState(dataDir, source.id));
  });
}
