/**
 * Rebuilds the committed snapshots from the real recordings in ../shared/fixtures, through the same
 * parsers a live fetch uses, then replays the Techqueria page versions in date order with `--as-of`
 * so the reports and the change feed show what the pipeline would have said on those dates.
 *
 *   npx tsx scripts/import-recordings.ts [--fixtures ../shared/fixtures] [--data data] [--reports reports]
 *
 * This is a maintenance script (like cli.ts, it reads argv); the pipeline never runs it.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { runPipeline } from './pipeline/run.ts';
import { updateSource } from './snapshots/update-source.ts';
import { sources } from './sources/index.ts';

const { values } = parseArgs({
  options: {
    fixtures: { type: 'string', default: '../shared/fixtures' },
    data: { type: 'string', default: 'data' },
    reports: { type: 'string', default: 'reports' },
    'as-of': { type: 'string' },
  },
});
const fixtures = resolve(values.fixtures!);
const dataDir = resolve(values.data!);
const reportsDir = resolve(values.reports!);
const log = (m: string): void => void process.stderr.write(`${m}\n`);
const f = (...parts: string[]): string => join(fixtures, ...parts);

const imports: Array<[string, string[]]> = [
  ['usaspending', [13, 14, 15, 16, 17].map((y) => f('ice-history', `fy${y}_ICE_transactions_selected_vendors.NOHEADER.csv`))],
  [
    'usaspending-download',
    [
      f('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv'),
      f('usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv'),
      f('usaspending/downloads/ICE_mn_Contracts_Subawards_2025-03-21_H19M57S41_1.csv'),
    ],
  ],
  ['fpds', [f('fpds/ICE_raw_PUBLIC_v1.5.3_PIID_70CDCR26FR0000014_ithildin.xml')]],
  ['companies-that-work-with-ice', [f('watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md')]],
  ['twc-top-contractors', [f('watchdogs/twc/2026-02-22-corporate-targets-for-tech-worker-activism-against-ice.md')]],
];

// The published versions of the policy page (the 2020-02-27 file is an unmerged branch, never live).
const techqueriaVersions: Array<[string, string]> = [
  ['2020-02-17', 'no-tech-for-ice.2020-02-17.ea48a571.with-never-reached-out.md'],
  ['2020-07-12', 'no-tech-for-ice.2020-07-12.30836c02.last-with-lists.md'],
  ['2020-10-26', 'no-tech-for-ice.2020-10-26.b060c0e8.lists-removed.md'],
  ['2021-03-22', 'no-tech-for-ice.2021-03-22.bfc27f28.current-no-lists.md'],
];

const now = new Date();
const originBase = resolve(fixtures, '..', '..');
for (const [id, files] of imports) {
  const source = sources.get(id)!;
  const result = await updateSource({ source, dataDir, from: files, now, log, originBase });
  log(`${id}: ${result.meta.recordCount} records`);
}
const techqueria = sources.get('techqueria')!;
for (const [date, file] of techqueriaVersions) {
  await updateSource({ source: techqueria, dataDir, from: [f('watchdogs/techqueria', file)], now, log, originBase });
  const run = await runPipeline({ dataDir, reportsDir, asOf: date, now, offline: true, log });
  log(`techqueria ${date}: ${run.result.plan.listChanges.length} list change(s), report ${run.reportPath ?? '(nothing new)'}`);
}
const asOf = values['as-of'] ?? now.toISOString().slice(0, 10);
const final = await runPipeline({ dataDir, reportsDir, asOf, now, offline: true, log });
log(`as of ${asOf}: ${final.result.plan.candidates.length} candidate(s); report ${final.reportPath ?? '(nothing new)'}`);
