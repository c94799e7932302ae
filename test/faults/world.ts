/**
 * The world every fault case starts from: a data directory with the real config and registry, each of
 * the six sources' snapshots seeded by importing the real recordings (`updateSource({ from })`, the
 * path `icewatch fetch --from` takes), and one offline pipeline run's outputs (published/v1, state,
 * reports). Built once; each case works on its own copy.
 */
import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { snapshotPaths } from '../../scripts/snapshots/store.ts';
import { storeDir } from '../../scripts/store/partition-files.ts';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import { SHARED_FIXTURES, sharedFixture } from '../helpers/shared-fixtures.ts';
import { scratchDir } from './fs-state.ts';

export const NOW = new Date('2026-03-01T12:00:00Z');
export const AS_OF = '2026-03-01';
export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Every log line any run of the suite produced, for the log-hygiene checks. */
export const allLogLines: string[] = [];
export function logTo(lines: string[] = []): (message: string) => void {
  return (message) => {
    lines.push(message);
    allLogLines.push(message);
  };
}

export interface World {
  /** Holds data/ and reports/. */
  root: string;
  /** Record counts of the seeded snapshots. */
  seeded: Record<string, number>;
}

export function dirsOf(root: string): { dataDir: string; reportsDir: string } {
  return { dataDir: join(root, 'data'), reportsDir: join(root, 'reports') };
}

/** A data directory holding only one source's seeded snapshot: all `updateSource` reads or writes. */
export async function snapshotOnly(world: World, sourceId: string): Promise<string> {
  const dataDir = join(await scratchDir(sourceId), 'data');
  const from = snapshotPaths(dirsOf(world.root).dataDir, sourceId);
  const to = snapshotPaths(dataDir, sourceId);
  await mkdir(join(dataDir, 'snapshots'), { recursive: true });
  const store = storeDir(dirsOf(world.root).dataDir, sourceId);
  if (await stat(store).catch(() => undefined)) {
    await cp(store, storeDir(dataDir, sourceId), { recursive: true });
    return dataDir;
  }
  await cp(from.records, to.records);
  await cp(from.meta, to.meta);
  return dataDir;
}

async function historyFiles(): Promise<string[]> {
  const names = (await readdir(sharedFixture('ice-history'))).filter((f) => /^fy\d\d_.*\.NOHEADER\.csv$/.test(f)).sort();
  return names.map((f) => sharedFixture(`ice-history/${f}`));
}

/** The recordings each source's snapshot is seeded from. */
export async function seedInputs(): Promise<Record<string, string[]>> {
  return {
    usaspending: await historyFiles(),
    'usaspending-download': [sharedFixture('usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv')],
    fpds: [
      sharedFixture('fpds/ICE_raw_PUBLIC_v1.5.3_PIID_70CDCR26FR0000014_ithildin.xml'),
      sharedFixture('fpds/raw_PUBLIC_v1.5.2_LAST_MOD_DATE_2020-04-02_page1_kapangyu-gsa.xml'),
    ],
    techqueria: [sharedFixture('watchdogs/techqueria/no-tech-for-ice.2020-02-17.ea48a571.with-never-reached-out.md')],
    'companies-that-work-with-ice': [sharedFixture('watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md')],
    'twc-top-contractors': [sharedFixture('watchdogs/twc/2026-02-22-corporate-targets-for-tech-worker-activism-against-ice.md')],
  };
}

export async function buildWorld(): Promise<World> {
  const root = await scratchDir('world');
  const { dataDir, reportsDir } = dirsOf(root);
  await mkdir(dataDir, { recursive: true });
  await cp(join(REPO, 'data/config.yaml'), join(dataDir, 'config.yaml'));
  await cp(join(REPO, 'data/registry'), join(dataDir, 'registry'), { recursive: true });
  const seeded: Record<string, number> = {};
  for (const [id, from] of Object.entries(await seedInputs())) {
    const result = await updateSource({ source: sources.get(id)!, dataDir, from, now: NOW, originBase: SHARED_FIXTURES, log: logTo() });
    seeded[id] = result.meta.recordCount;
  }
  await runPipeline({ dataDir, reportsDir, asOf: AS_OF, now: NOW, offline: true, log: logTo() });
  return { root, seeded };
}
