/**
 * Issue 15, the store's attacks: a link in the dry-run folder, a forged plan, cut and orphaned snapshots, a
 * writer killed between renames, concurrent writers and temp files, read-only and full disks, a corrupt
 * last-run state, --data naming a file, implausible values. Each asserts the typed error and that nothing
 * was lost.
 */
import { spawn } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, readdir, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as toCsv } from 'csv-stringify/sync';
import { expect } from 'vitest';
import MarkdownIt from 'markdown-it';
import { table } from '../../scripts/publish/format.ts';
import { escapeMarkdown, markdownLink, withoutAutolinks } from '../../scripts/util/sanitize.ts';
import { readLastRun } from '../../scripts/plan/last-run.ts';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { LOCK_FILE, withDataLock } from '../../scripts/snapshots/data-lock.ts';
import { readSnapshot } from '../../scripts/snapshots/store.ts';
import { storeDir } from '../../scripts/store/partition-files.ts';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import { PLAN_PROPOSAL_LIMIT } from '../../scripts/plan/build-plan.ts';
import { writeFileAtomic } from '../../scripts/util/atomic-fs.ts';
import { SourceFormatError, StoreError } from '../../scripts/util/errors.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';
import { armFsFault, disarmFsFault } from './fs-faults.ts';
import { copyOf, scratchDir, snapshotState, tempFiles, treeState, type TreeState } from './fs-state.ts';
import { faultCase } from './ledger.ts';
import { AS_OF, dirsOf, logTo, NOW, REPO, type World } from './world.ts';

import { addAwards, addMentions, AREA, liveProcess, offlineRun, only, PRIME, rejection } from './adversary-helpers.ts';

export function registerAdversaryStoreFaults(world: () => World): void {
  // ---- item 1 --------------------------------------------------------------------------------
  faultCase(AREA, 'item 1: a link from the dry-run folder to the registry: the run stops, the registry is whole', async (c) => {
    const root = await copyOf(world().root, 'adv-symlink');
    const { dataDir, reportsDir } = dirsOf(root);
    const managed = join(reportsDir, 'proposals', 'icewatch');
    await rm(managed, { recursive: true, force: true });
    await mkdir(join(reportsDir, 'proposals'), { recursive: true });
    await symlink('../../data/registry', managed);
    const before = await treeState(join(dataDir, 'registry'));
    const run = await offlineRun(root);
    const { proposeFromPlan } = await import('../../scripts/pipeline/propose-command.ts');
    const error = await rejection(proposeFromPlan({ plan: run.result.plan, dataDir, reportsDir, config: run.config, dryRun: true, github: {}, log: logTo() }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/is a symbolic link; the dry-run folder .* is never followed out of place/);
    c.nothingLost('the registry', before, await treeState(join(dataDir, 'registry')));
  });

  // ---- item 11 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 11: a forged plan naming ../../../../tmp/x or package.json writes nothing, even past the plan check', async (c) => {
    const root = await copyOf(world().root, 'adv-plan');
    const { dataDir, reportsDir } = dirsOf(root);
    const run = await offlineRun(root);
    const add = run.result.plan.proposals.find((p) => p.kind === 'add-company')!;
    const outside = join(await scratchDir('adv-plan-outside'), 'x');
    const forged = { ...add, companyId: `../../../..${outside}` };
    const planFile = join(root, 'forged-plan.json');
    await writeFile(planFile, JSON.stringify({ ...run.result.plan, proposals: [forged] }));
    const { readPlanFile } = await import('../../scripts/pipeline/run.ts');
    await expect(readPlanFile(planFile)).rejects.toThrow(/companyId: expected a registry id/);
    // The dry run itself also refuses a path that leaves its folder.
    const before = await treeState(root);
    const { proposeFromPlan } = await import('../../scripts/pipeline/propose-command.ts');
    const error = await rejection(proposeFromPlan({ plan: { ...run.result.plan, proposals: [forged] }, dataDir, reportsDir, config: run.config, dryRun: true, github: {}, log: logTo() }));
    expect(error.message).toMatch(/outside|branch|refusing/);
    await expect(readdir(outside)).rejects.toThrow();
    c.nothingLost('data/ and reports/', only(before, 'data/'), only(await treeState(root), 'data/'));
  });

  // ---- item 2 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 2: a procurement partition cut short is unknown, not "no records"', async (c) => {
    const root = await copyOf(world().root, 'adv-trunc');
    const { dataDir, reportsDir } = dirsOf(root);
    const previous = await readLastRun(dataDir);
    const before = await treeState(root);
    const partition = join(storeDir(dataDir, 'usaspending'), 'fy2017.parquet');
    await truncate(partition, Math.floor((await stat(partition)).size / 2));
    const lines: string[] = [];
    const run = await offlineRun(root, logTo(lines));
    const plan = run.result.plan;
    expect(plan.unknownSources).toEqual(['usaspending']);
    expect(plan.transitions).toEqual([]);
    expect(plan.proposals.filter((p) => p.kind === 'status-change')).toEqual([]);
    expect(run.health.find((h) => h.source === 'usaspending')?.message).toMatch(/unknown this run/);
    expect(lines.some((l) => /usaspending: snapshot unreadable, source unknown this run/.test(l))).toBe(true);
    // Statuses keep their last-run values, and the state does not move for registry companies.
    for (const s of run.result.summaries) if (previous?.companies[s.id]) expect(s.status).toBe(previous.companies[s.id]!.status);
    c.keeps('last-run companies', JSON.stringify((await readLastRun(dataDir))?.companies) === JSON.stringify(previous?.companies));
    const after = await treeState(root);
    c.nothingLost('published outputs', only(before, 'data/published/'), only(after, 'data/published/'));
    const report = await readFile(join(reportsDir, `${AS_OF}.md`), 'utf8');
    expect(report).toContain('**Unknown this run:** `usaspending`');
  });

  // ---- item 3 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 3: a text partition cut at a row boundary (still valid CSV) does not match its manifest and is refused', async (c) => {
    const root = await copyOf(world().root, 'adv-cutline');
    const { dataDir } = dirsOf(root);
    // The moving fiscal year is kept as sorted CSV text: cut after its header and first rows.
    const partition = join(storeDir(dataDir, 'usaspending-download'), 'fy2025.csv');
    const text = await readFile(partition, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    await writeFile(partition, `${lines.slice(0, -1).join('\n')}\n`);
    const error = await rejection(readSnapshot(dataDir, 'usaspending-download'));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toMatch(/fy2025\.csv has \d+ bytes where the manifest says \d+.*restore it from git \(git checkout -- data\/snapshots\/usaspending-download\/\)/);
    const before = await treeState(root);
    const run = await offlineRun(root);
    expect(run.result.plan.unknownSources).toEqual(['usaspending-download']);
    c.nothingLost('published outputs', only(before, 'data/published/'), only(await treeState(root), 'data/published/'));
  });

  faultCase(
    AREA,
    'item 3: a writer killed (SIGKILL) between the partition renames and the manifest rename: the next read rolls the commit forward',
    async (c) => {
      const cleanRoot = await copyOf(world().root, 'adv-kill-clean');
      await updateSource({ source: sources.get('usaspending-download')!, dataDir: dirsOf(cleanRoot).dataDir, from: [PRIME], now: NOW, log: logTo() });
      const expected = await snapshotState(dirsOf(cleanRoot).dataDir, 'usaspending-download');

      const root = await copyOf(world().root, 'adv-kill');
      const { dataDir } = dirsOf(root);
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/faults/snapshot-crash-child.ts'), dataDir, PRIME, NOW.toISOString()], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      const between = await new Promise<boolean>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('between') && resolve(true));
        void exited.then(() => resolve(false));
      });
      expect(between, `the child never reached the meta rename: ${stderr}`).toBe(true);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      // The new partitions are in place, the old manifest beside them, the new one staged.
      const files = await readdir(storeDir(dataDir, 'usaspending-download'));
      expect(files.some((f) => f.startsWith('.manifest.json.') && f.endsWith('.tmp'))).toBe(true);

      const snapshot = await readSnapshot(dataDir, 'usaspending-download');
      expect(snapshot?.meta.recordCount).toBe(snapshot?.records.length);
      const after = await snapshotState(dataDir, 'usaspending-download');
      expect([...after.keys()]).toEqual([...expected.keys()]);
      expect([...after.keys()].filter((k) => !after.get(k)!.equals(expected.get(k)!))).toEqual([]);
      c.keeps('the committed store is the one the killed writer staged', [...after.keys()].every((k) => after.get(k)!.equals(expected.get(k)!)));
      expect(tempFiles(await treeState(join(dataDir, 'snapshots')))).toEqual([]);
    },
    60_000,
  );

  // ---- item 4 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 4: partitions without their manifest are a corrupt store, and an import never replaces them', async (c) => {
    const root = await copyOf(world().root, 'adv-nometa');
    const { dataDir } = dirsOf(root);
    await rm(join(storeDir(dataDir, 'usaspending'), 'manifest.json'));
    const before = await snapshotState(dataDir, 'usaspending');
    const fy13 = sharedFixture('ice-history/fy13_ICE_transactions_selected_vendors.NOHEADER.csv');
    const error = await rejection(updateSource({ source: sources.get('usaspending')!, dataDir, from: [fy13], now: NOW, log: logTo() }));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toMatch(/the award store has partition files but no manifest\.json; restore it from git/);
    c.nothingLost('the history', before, await snapshotState(dataDir, 'usaspending'));
  });

  // ---- item 5 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 5: two concurrent imports into one data directory: one waits its turn (refused), none is lost', async (c) => {
    const root = await copyOf(world().root, 'adv-race');
    const { dataDir } = dirsOf(root);
    const source = sources.get('usaspending-download')!;
    const subawards = sharedFixture('usaspending/downloads/ICE_mn_Contracts_Subawards_2025-03-21_H19M57S41_1.csv');
    const results = await Promise.allSettled([
      updateSource({ source, dataDir, from: [PRIME], now: NOW, log: logTo() }),
      updateSource({ source, dataDir, from: [subawards], now: NOW, log: logTo() }),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(StoreError);
    expect(reason.message).toMatch(new RegExp(`in use by process ${process.pid} .*update usaspending-download.*delete .*${LOCK_FILE}`));
    const won = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof updateSource>>>;
    const snapshot = await readSnapshot(dataDir, source.id);
    c.keeps('the import that ran is whole', snapshot?.meta.contentHash === won.value.meta.contentHash);
    await expect(readFile(join(dataDir, LOCK_FILE))).rejects.toThrow();
  });

  faultCase(AREA, 'item 5: a lock left by a dead process is stale and taken over; a live holder is named', async () => {
    const { dataDir } = dirsOf(await copyOf(world().root, 'adv-stale'));
    const live = liveProcess();
    try {
      await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: live.pid, host: (await import('node:os')).hostname(), purpose: 'run', since: NOW.toISOString(), token: 'x' }));
      const error = await rejection(withDataLock(dataDir, 'test', async () => undefined));
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toContain(`in use by process ${live.pid}`);
    } finally {
      live.stop();
    }
    await new Promise((r) => setTimeout(r, 200));
    await expect(withDataLock(dataDir, 'test', async () => 'ran')).resolves.toBe('ran');
    await expect(readFile(join(dataDir, LOCK_FILE))).rejects.toThrow();
  });

  faultCase(AREA, "item 5: a write never deletes another live process's temp file (only a dead one's)", async () => {
    const dir = await scratchDir('adv-temps');
    const target = join(dir, 'x.jsonl');
    const live = liveProcess();
    const theirs = join(dir, `.x.jsonl.${live.pid}.0123abcd.tmp`);
    const dead = join(dir, '.x.jsonl.999999999.89abcdef.tmp');
    try {
      await writeFile(theirs, 'a large import in progress');
      await writeFile(dead, 'left by a killed run');
      await writeFileAtomic(target, 'small\n');
      expect(await readFile(theirs, 'utf8')).toBe('a large import in progress');
      await expect(readFile(dead)).rejects.toThrow();
    } finally {
      live.stop();
    }
  });

  // ---- item 13 (the store's part) ----------------------------------------------------------
  faultCase(AREA, 'item 13: a read-only data directory is a StoreError naming what to fix', async (c) => {
    // chmod alone does not stop root (these tests may run as root), so the EACCES is also injected.
    const root = await copyOf(world().root, 'adv-ro');
    const { dataDir } = dirsOf(root);
    const before = await treeState(root);
    const published = join(dataDir, 'published', 'v1');
    await chmod(published, 0o555);
    armFsFault({ op: 'writeFile', match: (p) => p.includes(`${sep}published${sep}v1${sep}`), failOnCall: 1, code: 'EACCES' });
    try {
      const error = await rejection(runPipeline({ dataDir, reportsDir: dirsOf(root).reportsDir, asOf: '2027-01-15', now: new Date('2027-01-15T12:00:00Z'), offline: true, log: logTo() }));
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toMatch(/cannot write .*published.v1.*\(EACCES\): the folder is read-only or not yours; make it writable/);
    } finally {
      disarmFsFault();
      await chmod(published, 0o755);
    }
    c.nothingLost('data/ and reports/', before, await treeState(root));
  });

  faultCase(AREA, 'item 13: a full disk (ENOSPC) while importing is a StoreError, and the snapshot stays whole', async (c) => {
    const root = await copyOf(world().root, 'adv-enospc');
    const { dataDir } = dirsOf(root);
    const before = await snapshotState(dataDir, 'usaspending-download');
    armFsFault({ op: 'writeFile', match: (p) => p.includes(`${sep}snapshots${sep}`), failOnCall: 1, code: 'ENOSPC' });
    let error: Error;
    try {
      error = await rejection(updateSource({ source: sources.get('usaspending-download')!, dataDir, from: [PRIME], now: NOW, log: logTo() }));
    } finally {
      disarmFsFault();
    }
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/the disk is full writing .*usaspending-download\/manifest\.json \(ENOSPC\); free space and run again/);
    c.nothingLost('snapshot', before, await snapshotState(dataDir, 'usaspending-download'));
    expect(tempFiles(await treeState(join(dataDir, 'snapshots')))).toEqual([]);
  });

  faultCase(AREA, 'item 13: a corrupt last-run.json is a StoreError that says how to recover', async (c) => {
    const root = await copyOf(world().root, 'adv-lastrun');
    const { dataDir } = dirsOf(root);
    await appendFile(join(dataDir, 'state', 'last-run.json'), '{ garbage');
    const before = await treeState(root);
    const error = await rejection(offlineRun(root));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/last-run\.json is not JSON .*restore it from git .*or delete it to start a new baseline/);
    c.nothingLost('data/ and reports/', before, await treeState(root));
  });

  faultCase(AREA, 'item 13: --data naming a file is a StoreError', async () => {
    const dir = await scratchDir('adv-datafile');
    const file = join(dir, 'data');
    await writeFile(file, 'not a folder');
    const error = await rejection(updateSource({ source: sources.get('usaspending-download')!, dataDir: file, from: [PRIME], now: NOW, log: logTo() }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/is not a directory; --data must name the folder/);
    expect(await readFile(file, 'utf8')).toBe('not a folder');
  });

  faultCase(AREA, 'item 13: a manifest whose partition is missing is a typed error naming the missing file', async (c) => {
    const root = await copyOf(world().root, 'adv-nojsonl');
    const { dataDir } = dirsOf(root);
    await rm(join(storeDir(dataDir, 'fpds'), 'fy2026.csv'));
    const error = await rejection(readSnapshot(dataDir, 'fpds'));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toMatch(/fy2026\.csv is missing: .*restore it from git/);
    const before = await treeState(root);
    const run = await offlineRun(root);
    expect(run.result.plan.unknownSources).toEqual(['fpds']);
    c.nothingLost('published outputs', only(before, 'data/published/'), only(await treeState(root), 'data/published/'));
  });

  // ---- item 14 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 14: an obligation of 99999999999999999999999 and an end date of 9999-12-31 are row issues', async (c) => {
    const rows = parseCsv(await readFile(PRIME), { columns: false, bom: true }) as string[][];
    const header = rows[0]!;
    const col = (name: string) => header.indexOf(name);
    const forged = rows.map((row, i) => {
      if (i === 1) row[col('total_obligated_amount')] = '99999999999999999999999';
      if (i === 2) row[col('period_of_performance_current_end_date')] = '9999-12-31';
      return row;
    });
    const file = join(await scratchDir('adv-implausible'), 'Contracts_PrimeAwardSummaries_forged_1.csv');
    await writeFile(file, toCsv(forged));
    const dataDir = join(await scratchDir('adv-implausible-data'), 'data');
    const result = await updateSource({ source: sources.get('usaspending-download')!, dataDir, from: [file], now: NOW, log: logTo() });
    expect(result.rowIssues.map((r) => r.field)).toEqual(expect.arrayContaining(['amounts.obligated', 'end']));
    expect(result.rowIssues.find((r) => r.field === 'amounts.obligated')?.message).toMatch(/amount 9{16}\d{7} is beyond any real award/);
    expect(result.rowIssues.find((r) => r.field === 'end')?.message).toMatch(/9999-12-31 is outside/);
    expect(result.records).toHaveLength(rows.length - 1 - 2);
    const jsonl = JSON.stringify((await readSnapshot(dataDir, 'usaspending-download'))!.records);
    c.keeps('no exponent notation and no placeholder date reach the snapshot', !/e\+\d/.test(jsonl) && !jsonl.includes('9999-12-31'));
  });
}
