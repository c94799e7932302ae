/**
 * The usaspending crawl against a local server that implements the search's documented semantics
 * (test/helpers/usaspending-server.ts): each case is a way the first live run would have gone wrong.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceHealth } from '../../../scripts/pipeline/health.ts';
import type { Config } from '../../../scripts/config.ts';
import { updateSource } from '../../../scripts/snapshots/update-source.ts';
import { readSnapshot } from '../../../scripts/snapshots/store.ts';
import { createUsaspendingSource } from '../../../scripts/sources/usaspending/index.ts';
import type { UsaspendingSourceOptions } from '../../../scripts/sources/usaspending/index.ts';
import type { FetchContext, SourceDefinition } from '../../../scripts/sources/types.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { createHttpClient } from '../../../scripts/util/http.ts';
import { json, startLocalServer } from '../../helpers/local-server.ts';
import { COUNT, SEARCH, makeAwards, startUsaspendingServer } from '../../helpers/usaspending-server.ts';
import type { UsaspendingServer } from '../../helpers/usaspending-server.ts';

let api: UsaspendingServer;
let workDir: string;
let logs: string[];

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'icewatch-usaspending-contract-'));
  logs = [];
});
afterEach(async () => {
  await api?.close();
  await rm(workDir, { recursive: true, force: true });
});

function source(options: UsaspendingSourceOptions = {}): SourceDefinition {
  return createUsaspendingSource({ baseUrl: api.origin, lookupParents: false, ...options });
}

function http(src: SourceDefinition) {
  return createHttpClient({ sourceId: src.id, allowedHosts: src.hosts, allowLoopbackHttp: true, retries: 0, retryBaseMs: 1, sleep: async () => {} });
}

function context(src: SourceDefinition, overrides: Partial<FetchContext> = {}): FetchContext {
  return { http: http(src), workDir, now: new Date('2026-11-20T12:00:00Z'), log: (m) => logs.push(m), ...overrides };
}

async function post(path: string, body: unknown): Promise<{ status: number; data: any }> {
  const response = await fetch(`${api.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, data: await response.json() };
}

const ICE = { type: 'awarding', tier: 'subtier', name: 'U.S. Immigration and Customs Enforcement', toptier_name: 'Department of Homeland Security' };
const searchBody = (extra: Record<string, unknown> = {}) => ({
  filters: { agencies: [ICE], award_type_codes: ['A', 'B', 'C', 'D'] },
  fields: ['Award ID', 'Last Modified Date'],
  sort: 'Last Modified Date',
  order: 'asc',
  limit: 100,
  page: 1,
  ...extra,
});

describe('the local USAspending server follows the search contract', () => {
  beforeEach(async () => {
    api = await startUsaspendingServer({ awards: makeAwards(10_150, 'contracts') });
  });

  it('caps the offset hit total at 10,000: page 100 says no next page although 150 awards remain', async () => {
    const last = await post(SEARCH, searchBody({ page: 100 }));
    expect(last.status).toBe(200);
    expect(last.data.results).toHaveLength(100);
    expect(last.data.page_metadata).toEqual({ page: 100, hasNext: false, last_record_unique_id: null, last_record_sort_value: 'None' });
    const count = await post(COUNT, { filters: { agencies: [ICE], award_type_codes: ['A', 'B', 'C', 'D'] } });
    expect(count.data.results).toMatchObject({ contracts: 10_150, idvs: 0 });
  });

  it('answers a cursor request with limit + 1 look-ahead and the last returned row as the next cursor', async () => {
    const first = await post(SEARCH, searchBody({ limit: 3 }));
    const meta = first.data.page_metadata;
    expect(meta.hasNext).toBe(true);
    expect(meta.last_record_sort_value).toBe(String(Date.parse('2024-01-01T00:00:00Z')));
    expect(meta.last_record_unique_id).toBe(first.data.results[2].internal_id);
    const second = await post(SEARCH, searchBody({ limit: 3, page: 2, last_record_unique_id: meta.last_record_unique_id, last_record_sort_value: meta.last_record_sort_value }));
    expect(second.data.results.map((r: any) => r.internal_id)).not.toContain(meta.last_record_unique_id);
    expect(second.data.page_metadata.last_record_unique_id).toBe(second.data.results[2].internal_id);
  });

  it('refuses offset paging past the 50,000 window (422), mixed groups (422), a foreign sort key (400), limit > 100 (422)', async () => {
    const window = await post(SEARCH, searchBody({ page: 501 }));
    expect(window.status).toBe(422);
    expect(window.data.detail).toMatch(/over the maximum result limit 50000/);
    const mixed = await post(SEARCH, searchBody({ filters: { agencies: [ICE], award_type_codes: ['A', 'IDV_A'] } }));
    expect(mixed.status).toBe(422);
    expect(mixed.data.message).toMatch(/must only contain types from one group/);
    expect((await post(SEARCH, searchBody({ sort: 'Last Date to Order', fields: ['Award ID', 'Last Date to Order'] }))).status).toBe(400);
    expect((await post(SEARCH, searchBody({ sort: 'End Date' }))).status).toBe(400);
    expect((await post(SEARCH, searchBody({ limit: 101 }))).status).toBe(422);
    expect((await post(SEARCH, searchBody({ page: 2, last_record_unique_id: 5 }))).status).toBe(500);
  });
});

describe('usaspending crawl against the contract-faithful server', () => {
  it('defect 1: fetches every award of a group larger than 10,000, paging by cursor from page 2', async () => {
    api = await startUsaspendingServer({ awards: [...makeAwards(10_150, 'contracts'), ...makeAwards(3, 'idvs')] });
    const src = source();
    const fetched = await src.fetch(context(src));
    expect(fetched.shortfalls).toBeUndefined();
    const parsed = await src.parse(fetched.inputs, { log: () => {} });
    expect(parsed.records.filter((r) => r.recordType === 'award' && r.kind === 'contract')).toHaveLength(10_150);
    expect(parsed.records.filter((r) => r.recordType === 'award' && r.kind === 'idv')).toHaveLength(3);
    const bodies = api.searchBodies();
    expect(bodies[0]).not.toHaveProperty('last_record_unique_id');
    // Page 2 carries page 1's cursor byte for byte as the server wrote it.
    const firstPage = JSON.parse(await readFile(fetched.inputs[0]!.path, 'utf8'));
    expect(bodies[1]).toMatchObject({
      page: 2,
      last_record_unique_id: firstPage.page_metadata.last_record_unique_id,
      last_record_sort_value: firstPage.page_metadata.last_record_sort_value,
    });
    expect(api.countBodies()).toHaveLength(1);
    expect(api.countBodies()[0]).toMatchObject({ filters: { award_type_codes: ['A', 'B', 'C', 'D', 'IDV_A', 'IDV_B', 'IDV_B_A', 'IDV_B_B', 'IDV_B_C', 'IDV_C', 'IDV_D', 'IDV_E'] } });
  });

  it('sends a "None" sort value back as written, and does not mistake it for the end', async () => {
    // A keyword sort on an empty field gives str(None) while more pages follow.
    const local = await startLocalServer();
    api = { server: local, origin: local.origin, awards: [], searchBodies: () => [], countBodies: () => [], close: () => local.close() };
    const rows = makeAwards(2, 'contracts').map((a) => ({ internal_id: a.id, ...a.fields, 'Last Modified Date': a.lastModified, generated_internal_id: a.generatedId }));
    local.route(`POST ${SEARCH}`, (res, ctx) => {
      const body = ctx.request.json as { page: number };
      const meta = body.page === 1 ? { page: 1, hasNext: true, last_record_unique_id: rows[0]!.internal_id, last_record_sort_value: 'None' } : { page: 2, hasNext: false, last_record_unique_id: null, last_record_sort_value: 'None' };
      return json({ spending_level: 'awards', limit: 100, results: [rows[body.page - 1]], page_metadata: meta, messages: [] })(res, ctx);
    });
    local.route(`POST ${COUNT}`, json({ results: { contracts: 2, idvs: 0, grants: 0, loans: 0, direct_payments: 0, other: 0 }, spending_level: 'awards', messages: [] }));
    const src = source({ groups: ['contracts'] });
    const fetched = await src.fetch(context(src));
    const bodies = local.requestsTo(SEARCH, 'POST').map((r) => r.json as Record<string, unknown>);
    expect(bodies[1]).toMatchObject({ last_record_unique_id: rows[0]!.internal_id, last_record_sort_value: 'None' });
    expect(fetched.inputs).toHaveLength(2);
  });

  it('refuses a cursor that does not move, or a sort value no sort key could be', async () => {
    const local = await startLocalServer();
    api = { server: local, origin: local.origin, awards: [], searchBodies: () => [], countBodies: () => [], close: () => local.close() };
    const row = makeAwards(1, 'contracts').map((a) => ({ internal_id: a.id, ...a.fields, 'Last Modified Date': a.lastModified, generated_internal_id: a.generatedId }))[0];
    let sortValue = '1704067200000';
    local.route(`POST ${SEARCH}`, (res, ctx) => json({ spending_level: 'awards', limit: 100, results: [row], page_metadata: { page: (ctx.request.json as { page: number }).page, hasNext: true, last_record_unique_id: 1, last_record_sort_value: sortValue }, messages: [] })(res, ctx));
    const src = source({ groups: ['contracts'] });
    await expect(src.fetch(context(src))).rejects.toThrow(/the cursor did not move \(1704067200000, 1\)/);
    expect(local.requestsTo(SEARCH)).toHaveLength(2);
    sortValue = 'x'.repeat(5000);
    await expect(src.fetch(context(src))).rejects.toThrow(/last_record_sort_value is 5000 characters/);
  });

  it('stops a server that always says hasNext after maxPages, with a moving cursor', async () => {
    const local = await startLocalServer();
    api = { server: local, origin: local.origin, awards: [], searchBodies: () => [], countBodies: () => [], close: () => local.close() };
    const rows = makeAwards(10, 'contracts').map((a) => ({ internal_id: a.id, ...a.fields, 'Last Modified Date': a.lastModified, generated_internal_id: a.generatedId }));
    local.route(`POST ${SEARCH}`, (res, ctx) => {
      const page = (ctx.request.json as { page: number }).page;
      return json({ spending_level: 'awards', limit: 100, results: [rows[page % 10]], page_metadata: { page, hasNext: true, last_record_unique_id: page, last_record_sort_value: String(page) }, messages: [] })(res, ctx);
    });
    const src = source({ groups: ['contracts'], maxPages: 5 });
    await expect(src.fetch(context(src))).rejects.toThrow(/contracts: still hasNext after 5 pages; refusing to page forever/);
    expect(local.requestsTo(SEARCH)).toHaveLength(5);
  });

  it('a crawl that brings fewer awards than spending_by_award_count is partial: merged, checkpoint kept, health partial', async () => {
    api = await startUsaspendingServer({ awards: makeAwards(250, 'contracts', { from: '2026-01-01', days: 200 }) });
    // A nightly load adds awards whose last_modified_date is behind the cursor: the crawl cannot see them.
    let pages = 0;
    api.beforeSearch = () => {
      pages += 1;
      if (pages === 3) api.awards.push(...makeAwards(7, 'contracts', { firstId: 90_000, from: '2026-01-01', days: 1 }));
    };
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-partial-'));
    try {
      const src = source({ groups: ['contracts'] });
      const result = await updateSource({ source: src, dataDir, http: http(src), now: new Date('2026-11-20T12:00:00Z'), log: (m) => logs.push(m) });
      expect(result.shortfalls).toEqual([{ what: 'contracts (spending_by_award_count)', expected: 257, got: 250 }]);
      const snapshot = await readSnapshot(dataDir, src.id);
      expect(snapshot?.records).toHaveLength(250);
      expect(snapshot?.meta.shortfalls).toEqual(result.shortfalls);
      // No previous checkpoint, and a partial crawl does not invent one.
      expect(snapshot?.meta.checkpoint).toBeUndefined();
      const config = { health: { staleAfterDays: { procurement: 7, watchdog: 30 } } } as unknown as Config;
      const health = sourceHealth(src, snapshot?.meta, { result: 'fetched' }, config, new Date('2026-11-20T12:00:00Z'));
      expect(health.state).toBe('partial');
      expect(health.message).toContain('contracts (spending_by_award_count): 250 of 257 fetched');

      // The next crawl sees everything: complete again, checkpoint set.
      api.beforeSearch = undefined;
      const again = await updateSource({ source: src, dataDir, http: http(src), now: new Date('2026-11-21T12:00:00Z'), log: () => {} });
      expect(again.shortfalls).toEqual([]);
      expect(again.meta.shortfalls).toBeUndefined();
      expect(again.records).toHaveLength(257);
      expect(again.meta.checkpoint).toBe('2026-07-19');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a count endpoint that cannot be read leaves the crawl unverified, hence partial', async () => {
    api = await startUsaspendingServer({ awards: makeAwards(5, 'contracts') });
    api.server.route(`POST ${COUNT}`, json({ detail: 'gone' }, 404));
    const src = source({ groups: ['contracts'] });
    const fetched = await src.fetch(context(src));
    expect(fetched.shortfalls).toEqual([expect.objectContaining({ what: 'contracts (spending_by_award_count)', got: 5, message: expect.stringContaining('HTTP 404') })]);
    expect(fetched.shortfalls?.[0]).not.toHaveProperty('expected');
  });

  it('a full crawl that returns no awards is a failure, not an empty truth', async () => {
    api = await startUsaspendingServer({ awards: makeAwards(5, 'contracts', { subtier: 'Transportation Security Administration' }) });
    const src = source();
    await expect(src.fetch(context(src))).rejects.toThrow(SourceFormatError);
    await expect(src.fetch(context(src))).rejects.toThrow(/full crawl of contracts and idvs returned no awards/);
  });

  it('an incremental window with nothing new is fine', async () => {
    api = await startUsaspendingServer({ awards: makeAwards(5, 'contracts', { from: '2024-01-01', days: 5 }) });
    const src = source();
    const fetched = await src.fetch(context(src, { checkpoint: '2026-11-01' }));
    expect(fetched).toMatchObject({ incremental: true, checkpoint: '2026-11-01' });
    expect(fetched.shortfalls).toBeUndefined();
  });

  it('defect 5: never sends an end_date past the API\'s latest date; a window starting after it is refused naming the table', async () => {
    api = await startUsaspendingServer({ awards: makeAwards(20, 'contracts', { from: '2027-09-01', days: 20 }) });
    const src = source({ groups: ['contracts'] });
    const fetched = await src.fetch(context(src, { checkpoint: '2027-09-10', now: new Date('2027-10-05T12:00:00Z') }));
    expect(api.searchBodies()[0]).toMatchObject({ filters: { time_period: [{ start_date: '2027-09-10', end_date: '2027-09-30', date_type: 'last_modified_date' }] } });
    expect(api.countBodies()[0]).toMatchObject({ filters: { time_period: [{ start_date: '2027-09-10', end_date: '2027-09-30' }] } });
    expect(fetched.checkpoint).toBe('2027-09-20');
    expect(logs.some((m) => m.includes('end_date capped at 2027-09-30'))).toBe(true);

    const error = await src.fetch(context(src, { checkpoint: '2027-10-02', now: new Date('2027-10-05T12:00:00Z') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toMatch(/after the latest date USAspending searches \(2027-09-30.*scripts\/sources\/usaspending\/limits\.ts/);
  });
});
