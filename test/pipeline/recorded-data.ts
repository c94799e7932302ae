import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';

export const REPO = resolve(import.meta.dirname, '../..');

/**
 * A data directory with the real registry and config and snapshots imported from the recordings, the
 * way scripts/import-recordings.ts builds the committed ones (latest Techqueria version only).
 */
export async function recordedDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-data-'));
  await cp(join(REPO, 'data/registry'), join(dir, 'registry'), { recursive: true });
  await cp(join(REPO, 'data/config.yaml'), join(dir, 'config.yaml'));
  const imports: Array<[string, string[]]> = [
    ['usaspending', [13, 14, 15, 16, 17].map((y) => sharedFixture(`ice-history/fy${y}_ICE_transactions_selected_vendors.NOHEADER.csv`))],
    [
      'usaspending-download',
      [
        sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv'),
        sharedFixture('usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv'),
        sharedFixture('usaspending/downloads/ICE_mn_Contracts_Subawards_2025-03-21_H19M57S41_1.csv'),
      ],
    ],
    ['fpds', [sharedFixture('fpds/ICE_raw_PUBLIC_v1.5.3_PIID_70CDCR26FR0000014_ithildin.xml')]],
    ['techqueria', [sharedFixture('watchdogs/techqueria/no-tech-for-ice.2021-03-22.bfc27f28.current-no-lists.md')]],
    ['companies-that-work-with-ice', [sharedFixture('watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md')]],
    ['twc-top-contractors', [sharedFixture('watchdogs/twc/2026-02-22-corporate-targets-for-tech-worker-activism-against-ice.md')]],
  ];
  for (const [id, from] of imports) {
    await updateSource({ source: sources.get(id)!, dataDir: dir, from, now: new Date('2026-11-27T12:00:00Z') });
  }
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
