/**
 * Status honesty end to end: a registry company paid recently on an award with no known end date is
 * `recent-obligations` (never active); a live run that looks the award up (GET /api/v2/awards/{id}/)
 * turns it into `active` while the period of performance reaches the as-of date, and `ended` after.
 * Against a local fake of the API; the award detail is made by the project in the API's shape.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { renderReport } from '../../scripts/publish/report.ts';
import { createTransactionsSource } from '../../scripts/sources/usaspending-transactions/index.ts';
import type { SourceDefinition } from '../../scripts/sources/types.ts';
import { createHttpClient } from '../../scripts/util/http.ts';
import { json, startLocalServer, type LocalServer } from '../helpers/local-server.ts';
import { ICE, createFakeApi, rows, type FakeApi } from '../sources/usaspending-transactions/fake-api.ts';

const REPO_DATA = join(import.meta.dirname, '../../data');
const AWARD = 'CONT_AWD_70CTD026FC0000012_7012_70RTAC26A00000001_7001';

let server: LocalServer;
let api: FakeApi;
let dataDir: string;
let reportsDir: string;
let logs: string[];
let sourceMap: Map<string, SourceDefinition>;

beforeEach(async () => {
  server = await startLocalServer();
  api = createFakeApi();
  api.install(server);
  dataDir = await mkdtemp(join(tmpdir(), 'icewatch-status-'));
  reportsDir = join(dataDir, 'reports');
  await cp(join(REPO_DATA, 'registry'), join(dataDir, 'registry'), { recursive: true });
  const config = (await readFile(join(REPO_DATA, 'config.yaml'), 'utf8')).replace(/firstFiscalYear: \d+/, 'firstFiscalYear: 2026');
  await writeFile(join(dataDir, 'config.yaml'), config);
  const source = createTransactionsSource({ baseUrl: server.origin });
  sourceMap = new Map([[source.id, source]]);
  logs = [];
  // Two obligations on a Palantir USG order in FY2026, and one short FY2026 IDV listing.
  api.listings.set(`${ICE}|2026|contracts`, [
    ...rows(2, { date: '2026-05-04', awardKey: AWARD, piid: '70CTD026FC0000012', recipient: 'PALANTIR USG, INC.' }).map((r) => ({ ...r, amount: r.amount * 1_000_000 })),
  ]);
});
afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

function awardDetail(end: string) {
  return {
    id: 1,
    generated_unique_award_id: AWARD,
    piid: '70CTD026FC0000012',
    category: 'contract',
    type_description: 'DELIVERY ORDER',
    description: 'ICE CASE MANAGEMENT',
    total_obligation: 3000000,
    base_exercised_options: 3000000,
    base_and_all_options: 9000000,
    total_outlay: null,
    date_signed: '2025-12-01',
    parent_award: { piid: '70RTAC26A00000001', generated_unique_award_id: 'CONT_IDV_70RTAC26A00000001_7001' },
    latest_transaction_contract_data: { naics: '541512', product_or_service_code: 'DA01' },
    awarding_agency: { toptier_agency: { name: 'Department of Homeland Security', code: '070' }, subtier_agency: { name: ICE, code: '7012' } },
    period_of_performance: { start_date: '2025-12-01', end_date: end, last_modified_date: '2026-05-10' },
    recipient: { recipient_hash: null, recipient_name: 'PALANTIR USG, INC.', recipient_uei: null, recipient_unique_id: null, parent_recipient_name: null, parent_recipient_uei: null, parent_recipient_unique_id: null },
    naics_hierarchy: null,
    psc_hierarchy: null,
  };
}

async function run(asOf: string, offline = false) {
  return runPipeline({
    dataDir,
    reportsDir,
    asOf,
    now: new Date(`${asOf}T12:00:00Z`),
    offline,
    log: (m) => logs.push(m),
    sourceMap,
    httpFor: (source) =>
      createHttpClient({ sourceId: source.id, allowedHosts: source.hosts, allowLoopbackHttp: true, retries: 0, retryBaseMs: 1, sleep: async () => {} }),
  });
}

async function published(): Promise<{ data: any; schema: any }> {
  const v1 = join(dataDir, 'published', 'v1');
  return {
    data: JSON.parse(await readFile(join(v1, 'companies.json'), 'utf8')),
    schema: JSON.parse(await readFile(join(v1, 'schema', 'companies.schema.json'), 'utf8')),
  };
}

describe('recent obligations → active → ended, with award enrichment', () => {
  it('walks the statuses and publishes them in the 1.1 schema', async () => {
    // The award lookup fails: the company is only known to have been paid recently.
    server.route(`/api/v2/awards/${AWARD}/`, json({ detail: 'not found' }, 404));
    const first = await run('2026-06-01');
    const palantir = () => first.result.summaries.find((s) => s.id === 'palantir')!;
    expect(palantir().status).toBe('recent-obligations');
    expect(logs.some((l) => l.includes(`award ${AWARD} not enriched`))).toBe(true);
    let { data, schema } = await published();
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    expect(ajv.validate(schema, data), JSON.stringify(ajv.errors?.slice(0, 3))).toBe(true);
    const entry = data.companies.find((c: { id: string }) => c.id === 'palantir');
    expect(entry.status).toBe('recent-obligations');
    expect(entry.ice.byFiscalYear).toEqual([{ fiscalYear: 2026, obligated: 3_000_000, transactions: 2, complete: true }]);
    expect(entry.ice.lastActionDate).toBe('2026-05-04');
    expect(entry.ice.largestAwards[0]).toMatchObject({ awardKey: AWARD, url: `https://www.usaspending.gov/award/${AWARD}` });
    expect(data.schemaVersion).toBe('1.2.0');
    expect(data.totals.recentObligations).toBeGreaterThanOrEqual(1);
    const csv = await readFile(join(dataDir, 'published', 'v1', 'obligations-by-fiscal-year.csv'), 'utf8');
    expect(csv).toContain(`registry,palantir,Palantir Technologies,recent-obligations,2026,3000000.00,2,true,false,2026-05-04,${AWARD}`);

    // The lookup works now: the order runs to 2027-01-31, so on 2026-06-02 it is active.
    server.route(`/api/v2/awards/${AWARD}/`, json(awardDetail('2027-01-31')));
    const second = await run('2026-06-02');
    expect(second.result.summaries.find((s) => s.id === 'palantir')!.status).toBe('active');
    expect(second.result.plan.transitions).toContainEqual(expect.objectContaining({ companyId: 'palantir', from: 'recent-obligations', to: 'active' }));
    const lookups = server.requestsTo(`/api/v2/awards/${AWARD}/`).length;

    // Cached by award and last_modified_date: a later run does not ask again.
    await run('2026-06-03');
    expect(server.requestsTo(`/api/v2/awards/${AWARD}/`)).toHaveLength(lookups);

    // Past the end date (offline, from the snapshot): ended, although the obligations are still recent.
    const third = await run('2027-02-15', true);
    expect(third.result.summaries.find((s) => s.id === 'palantir')!.status).toBe('ended');
    ({ data } = await published());
    expect(data.companies.find((c: { id: string }) => c.id === 'palantir').status).toBe('ended');
  });

  it('a year whose listing came back short is published as a lower bound', async () => {
    api.countFor.set(`${ICE}|2026|contracts`, 5);
    server.route(`/api/v2/awards/${AWARD}/`, json({ detail: 'not found' }, 404));
    const first = await run('2026-06-01');
    const { data } = await published();
    const entry = data.companies.find((c: { id: string }) => c.id === 'palantir');
    expect(entry.ice.byFiscalYear[0]).toMatchObject({ fiscalYear: 2026, complete: false });
    expect(data.fiscalYears[0]).toMatchObject({ fiscalYear: 2026, complete: false });
    expect(data.fiscalYears[0].listings[0]).toMatchObject({ rows: 2, expected: 5, shortfall: 3 });
    const md = await readFile(join(dataDir, 'published', 'v1', 'companies.md'), 'utf8');
    expect(md).toContain('FY2026 (incomplete)');
    expect(md).toContain('≥ $3,000,000.00');
    const csv = await readFile(join(dataDir, 'published', 'v1', 'obligations-by-fiscal-year.csv'), 'utf8');
    expect(csv).toContain('palantir,Palantir Technologies,recent-obligations,2026,3000000.00,2,false,true');
    // A first run has nothing new to report, so the report is rendered from its plan directly.
    const report = renderReport(first.result.plan, first.result.attribution).markdown;
    expect(report).toContain('**no: lower bound**');
    expect(report).toContain('xychart-beta');
  });
});
