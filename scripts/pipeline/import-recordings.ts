/**
 * Rebuilds the snapshots from the real recordings in ../shared/fixtures, through the same parsers a live
 * fetch uses, then replays the published Techqueria page versions in date order with an as-of date each,
 * so the reports and the change feed show what the pipeline would have said on those dates.
 */
import { join, resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { updateSource } from '../snapshots/update-source.ts';
import { withDataLock } from '../snapshots/data-lock.ts';
import { sources } from '../sources/index.ts';
import { runPipeline } from './run.ts';

export interface ImportRecordingsOptions {
  fixturesDir: string;
  dataDir: string;
  reportsDir: string;
  asOf: string;
  now: Date;
  log: (message: string) => void;
}

export const RECORDED_IMPORTS: ReadonlyArray<[string, string[]]> = [
  ['usaspending', [13, 14, 15, 16, 17].map((y) => `ice-history/fy${y}_ICE_transactions_selected_vendors.NOHEADER.csv`)],
  [
    'usaspending-download',
    [
      'usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv',
      'usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv',
      'usaspending/downloads/ICE_mn_Contracts_Subawards_2025-03-21_H19M57S41_1.csv',
    ],
  ],
  ['usaspending-transactions', [2021, 2022, 2023, 2024, 2025, 2026].map((y) => `usaspending/transactions/CBP_ICE_FY${y}_Contract_Obligations.csv`)],
  ['fpds', ['fpds/ICE_raw_PUBLIC_v1.5.3_PIID_70CDCR26FR0000014_ithildin.xml']],
  ['companies-that-work-with-ice', ['watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md']],
  ['twc-top-contractors', ['watchdogs/twc/2026-02-22-corporate-targets-for-tech-worker-activism-against-ice.md']],
];

/** The published versions of the policy page (the 2020-02-27 file is an unmerged branch, never live). */
export const TECHQUERIA_VERSIONS: ReadonlyArray<[string, string]> = [
  ['2020-02-17', 'watchdogs/techqueria/no-tech-for-ice.2020-02-17.ea48a571.with-never-reached-out.md'],
  ['2020-07-12', 'watchdogs/techqueria/no-tech-for-ice.2020-07-12.30836c02.last-with-lists.md'],
  ['2020-10-26', 'watchdogs/techqueria/no-tech-for-ice.2020-10-26.b060c0e8.lists-removed.md'],
  ['2021-03-22', 'watchdogs/techqueria/no-tech-for-ice.2021-03-22.bfc27f28.current-no-lists.md'],
];

export async function importRecordings(options: ImportRecordingsOptions): Promise<void> {
  return withDataLock(options.dataDir, 'import-recordings', () => importLocked(options));
}

async function importLocked(options: ImportRecordingsOptions): Promise<void> {
  const { fixturesDir, dataDir, reportsDir, now, log } = options;
  // Meta files name recordings as shared/fixtures/…, relative to the folder that holds the repository.
  const originBase = resolve(fixturesDir, '..', '..');
  const config = await loadConfig(dataDir);
  for (const [id, files] of RECORDED_IMPORTS) {
    const result = await updateSource({ source: sources.get(id)!, dataDir, from: files.map((f) => join(fixturesDir, f)), now, log, originBase, config });
    log(`${id}: ${result.meta.recordCount} records`);
  }
  const techqueria = sources.get('techqueria')!;
  for (const [date, file] of TECHQUERIA_VERSIONS) {
    await updateSource({ source: techqueria, dataDir, from: [join(fixturesDir, file)], now, log, originBase });
    const run = await runPipeline({ dataDir, reportsDir, asOf: date, now, offline: true, log });
    log(`techqueria ${date}: ${run.result.plan.listChanges.length} list change(s), report ${run.reportPath ?? '(nothing new)'}`);
  }
  const final = await runPipeline({ dataDir, reportsDir, asOf: options.asOf, now, offline: true, log });
  log(`as of ${options.asOf}: ${final.result.plan.candidates.length} candidate(s); report ${final.reportPath ?? '(nothing new)'}`);
}
