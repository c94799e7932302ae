import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../scripts/config.ts';
import type { CoverageRecord, SourceRecord, TransactionRecord } from '../../../scripts/records.ts';
import { readSnapshot } from '../../../scripts/snapshots/store.ts';
import { updateSource } from '../../../scripts/snapshots/update-source.ts';
import { createTransactionsSource } from '../../../scripts/sources/usaspending-transactions/index.ts';
import { createHttpClient } from '../../../scripts/util/http.ts';
import { SourceUnavailableError } from '../../../scripts/util/errors.ts';
import { failTimes, startLocalServer, tooManyRequests, type LocalServer } from '../../helpers/local-server.ts';
import { ICE, createFakeApi, rows, type FakeApi } from './fake-api.ts';

const COUNT = '/api/v2/search/spending_by_transaction_count/';
const LIST = '/api/v2/search/spending_by_transaction/';

let server: LocalServer;
let api: FakeApi;
let dataDir: string;
let logs: string[];

const config = {
  agencies: [{ name: ICE, toptier: 'Department of Homeland Security', code: '7012' }],
  transactions: { firstFiscalYear: 2025, recentWindowDays: 365, candidateMinObligated: 25000, enrichPerRun: 5 },
} as unknown as Config;

beforeEach(async () => {
  server = await startLocalServer();
  api = createFakeApi();
  api.install(server);
  dataDir = await mkdtemp(join(tmpdir(), 'icewatch-tx-'));
  logs = [];
});
afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

function run(now = '2026-03-01T12:00:00Z', cfg: Config = config) {
  const source = createTransactionsSource({ baseUrl: server.origin });
  return updateSource({
    source,
    dataDir,
    now: new Date(now),
    config: cfg,
    log: (m) => logs.push(m),
    http: createHttpClient({
      sourceId: source.id,
      allowedHosts: source.hosts,
      allowLoopbackHttp: true,
      retries: 3,
      retryBaseMs: 1,
      sleep: async () => {},
    }),
  });
}

const coverage = (records: SourceRecord[], fy: number, group = 'contracts') =>
  records.find((r): r is CoverageRecord => r.recordType === 'coverage' && r.fiscalYear === fy && r.group === group);
const transactions = (records: SourceRecord[], fy: number) =>
  records.filter((r): r is TransactionRecord => r.recordType === 'transaction' && r.fiscalYear === fy);

describe('usaspending-transactions live fetch', () => {
  it('pages by 100 until hasNext is false, one fiscal year and award group at a time, and checks the count', async () => {
    api.listings.set(`${ICE}|2026|contracts`, rows(250, { date: '2026-01-15' }));
    api.listings.set(`${ICE}|2025|contracts`, rows(7, { date: '2025-02-01', awardKey: 'CONT_AWD_X1_7012_-NONE-_-NONE-', piid: 'X1' }));
    const result = await run();
    const pages = server.requestsTo(LIST, 'POST').map((r) => r.json as { page: number; limit: number; sort: string; fields: string[]; filters: { award_type_codes: string[] } });
    // FY2025: 1 page; FY2026: 3 pages; IDV listings are empty (count 0), so never paged.
    expect(pages.map((p) => p.page)).toEqual([1, 1, 2, 3]);
    expect(pages.every((p) => p.limit === 100 && p.fields.includes(p.sort))).toBe(true);
    expect(server.requestsTo(COUNT, 'POST')).toHaveLength(4);
    expect(transactions(result.records, 2026)).toHaveLength(250);
    expect(coverage(result.records, 2026)).toMatchObject({ rows: 250, expected: 250, complete: true });
    expect(coverage(result.records, 2026, 'idvs')).toMatchObject({ rows: 0, expected: 0, complete: true });
    expect(result.meta.checkpoint).toBe('complete:7012/2025/contracts,7012/2025/idvs,7012/2026/contracts,7012/2026/idvs');
  });

  it('a listing shorter than its count is stored incomplete with the shortfall', async () => {
    api.listings.set(`${ICE}|2026|contracts`, rows(250, { date: '2026-01-15' }));
    api.countFor.set(`${ICE}|2026|contracts`, 300);
    const result = await run();
    expect(coverage(result.records, 2026)).toMatchObject({ rows: 250, expected: 300, complete: false });
    expect(coverage(result.records, 2026)!.basis).toContain('says 300; the listing returned 250');
    expect(result.meta.checkpoint).not.toContain('7012/2026/contracts');
  });

  it('rides out 429 and 500 answers, and fails as unavailable when they do not stop', async () => {
    api.listings.set(`${ICE}|2026|contracts`, rows(120, { date: '2026-01-15' }));
    server.route(`POST ${LIST}`, (res, ctx) =>
      ctx.call === 1 ? tooManyRequests(0)(res, ctx) : ctx.call === 2 ? failTimes(2, api.listHandler, 500)(res, ctx) : api.listHandler(res, ctx),
    );
    const result = await run();
    expect(coverage(result.records, 2026)).toMatchObject({ rows: 120, complete: true });
    // 429, 500, then the two pages of FY2026 (FY2025 has no rows, so it is never paged).
    expect(server.requestsTo(LIST, 'POST')).toHaveLength(4);

    server.route(`POST ${COUNT}`, failTimes(100, () => {}, 503));
    const before = await readSnapshot(dataDir, 'usaspending-transactions');
    await expect(run()).rejects.toBeInstanceOf(SourceUnavailableError);
    expect((await readSnapshot(dataDir, 'usaspending-transactions'))!.meta.contentHash).toBe(before!.meta.contentHash);
  });

  it('never replaces a complete year with a shorter listing, and keeps refreshing only the current and previous year', async () => {
    api.listings.set(`${ICE}|2024|contracts`, rows(5, { date: '2024-03-01', awardKey: 'CONT_AWD_OLD_7012_-NONE-_-NONE-', piid: 'OLD' }));
    api.listings.set(`${ICE}|2026|contracts`, rows(250, { date: '2026-01-15' }));
    const cfg = { ...config, transactions: { ...config.transactions, firstFiscalYear: 2024 } } as Config;
    await run('2026-03-01T12:00:00Z', cfg);
    const firstCounts = server.requestsTo(COUNT, 'POST').length;
    expect(firstCounts).toBe(6);

    // The API now stops after 100 rows while its count still says 250: the year came back short.
    api.stopAfter.set(`${ICE}|2026|contracts`, 100);
    const second = await run('2026-03-02T12:00:00Z', cfg);
    expect(transactions(second.records, 2026)).toHaveLength(250);
    expect(coverage(second.records, 2026)).toMatchObject({ rows: 250, complete: true });
    expect(logs.some((l) => l.includes('7012/2026/contracts came back with 100 row(s), incomplete (250 expected)'))).toBe(true);
    // FY2024 is complete and older than the previous year: not listed again.
    const secondFilters = server.requestsTo(COUNT, 'POST').slice(firstCounts).map((r) => (r.json as { filters: { time_period: Array<{ end_date: string }> } }).filters.time_period[0]!.end_date);
    expect(secondFilters.some((d) => d.startsWith('2024'))).toBe(false);
    expect(secondFilters.filter((d) => d.startsWith('2026'))).toHaveLength(2);

    // A complete listing that is longer replaces the year as a whole.
    api.stopAfter.delete(`${ICE}|2026|contracts`);
    api.listings.set(`${ICE}|2026|contracts`, rows(260, { date: '2026-02-15' }));
    const third = await run('2026-03-03T12:00:00Z', cfg);
    expect(transactions(third.records, 2026)).toHaveLength(260);
    expect(transactions(third.records, 2026).every((t) => t.actionDate === '2026-02-15')).toBe(true);
  });

  it('refuses a page that says hasNext but holds nothing, keeping the last snapshot', async () => {
    api.listings.set(`${ICE}|2026|contracts`, rows(3, { date: '2026-01-15' }));
    await run();
    server.route(`POST ${LIST}`, (res) => {
      const body = Buffer.from(JSON.stringify({ limit: 100, results: [], page_metadata: { page: 1, hasNext: true } }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
    });
    await expect(run()).rejects.toThrow(/hasNext but has no results/);
  });
});
