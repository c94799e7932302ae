/**
 * Shared by the issue 15 fault cases (adversary-store.ts, adversary-content.ts): the area name, a copy of
 * the seeded world run offline, and ways to add records to a snapshot through the store (so its count and
 * hash stay right).
 */
import { spawn } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
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
import { readSnapshot, snapshotPaths } from '../../scripts/snapshots/store.ts';
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


export const AREA = 'adversary (issue 15)';
export const PRIME = sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');

export const only = (t: TreeState, prefix: string) => new Map([...t].filter(([k]) => k.startsWith(prefix)));

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a failure').toBeInstanceOf(Error);
  return error as Error;
}

export function offlineRun(root: string, log = logTo()) {
  const { dataDir, reportsDir } = dirsOf(root);
  return runPipeline({ dataDir, reportsDir, asOf: AS_OF, now: NOW, offline: true, log });
}

/**
 * Adds copies of one real in-scope award under other recipient names to a data directory's download
 * snapshot, through the store (so count and hash stay right). Returns the new award keys.
 */
export async function addAwards(dataDir: string, names: string[], template = 'CONT_AWD_70CTD020FR0000026_7012_HHSN316201200035W_7529'): Promise<string[]> {
  const snapshot = (await readSnapshot(dataDir, 'usaspending-download'))!;
  const base = snapshot.records.find((r) => r.recordType === 'award' && r.awardKey === template);
  if (!base || base.recordType !== 'award') throw new Error('template award missing');
  const keys = names.map((_, i) => `CONT_AWD_70CDCR26FADV${String(i).padStart(4, '0')}_7012_-NONE-_-NONE-`);
  const extra = names.map((name, i) => ({
    ...base,
    awardKey: keys[i]!,
    piid: `70CDCR26FADV${String(i).padStart(4, '0')}`,
    recipient: { name },
    end: '2027-12-31',
    url: `https://www.usaspending.gov/award/${keys[i]}`,
  }));
  const { writeSnapshot } = await import('../../scripts/snapshots/store.ts');
  const { recordCount: _c, contentHash: _h, source: _s, ...meta } = snapshot.meta;
  await writeSnapshot(dataDir, 'usaspending-download', [...snapshot.records, ...extra], meta);
  return keys;
}

/** Adds entries to the companies-that-work-with-ice snapshot, through the store. */
export async function addMentions(dataDir: string, entries: Array<{ name: string; awardRefs?: string[]; evidenceUrl?: string }>): Promise<void> {
  const id = 'companies-that-work-with-ice';
  const snapshot = (await readSnapshot(dataDir, id))!;
  const list = snapshot.records.find((r) => r.recordType === 'mention');
  if (!list || list.recordType !== 'mention') throw new Error('no mention to copy');
  const extra = entries.map((e) => ({ recordType: 'mention' as const, source: id, list: list.list, name: e.name, url: list.url, ...(e.evidenceUrl ? { evidenceUrl: e.evidenceUrl } : {}), ...(e.awardRefs ? { awardRefs: e.awardRefs } : {}) }));
  const { writeSnapshot } = await import('../../scripts/snapshots/store.ts');
  const { recordCount: _c, contentHash: _h, source: _s, ...meta } = snapshot.meta;
  await writeSnapshot(dataDir, id, [...snapshot.records, ...extra], meta);
}

/** A process that stays alive until killed: its pid is a live writer's. */
export function liveProcess(): { pid: number; stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}
