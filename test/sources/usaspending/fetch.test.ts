import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../../scripts/records.ts';
import { createUsaspendingSource } from '../../../scripts/sources/usaspending/index.ts';
import type { UsaspendingSourceOptions } from '../../../scripts/sources/usaspending/index.ts';
import type { FetchContext, FetchResult, SourceDefinition } from '../../../scripts/sources/types.ts';
import { SourceFormatError, SourceUnavailableError } from '../../../scripts/util/errors.ts';
import { createHttpClient } from '../../../scripts/util/http.ts';
import { failTimes, hang, json, redirect, sequence, startLocalServer, tooManyRequests, truncated } from '../../helpers/local-server.ts';
import type { Handler, LocalServer, LoggedRequest } from '../../helpers/local-server.ts';
import { sharedFixture } from '../../helpers/shared-fixtures.ts';

const SEARCH = '/api/v2/search/spending_by_award/';
const COUNT = '/api/v2/search/spending_by_award_count/';

let server: LocalServer;
let workDir: string;
let sleeps: number[];
let logs: string[];

beforeEach(async () => {
  server = await startLocalServer();
  // These tests script the search by hand; the count endpoint answers zeros so the cross-check passes.
  // test/sources/usaspending/contract.test.ts holds the crawl against a contract-faithful server.
  server.route(`POST ${COUNT}`, json({ results: { contracts: 0, idvs: 0, grants: 0, loans: 0, direct_payments: 0, other: 0 }, spending_level: 'awards', messages: [] }));
  workDir = await mkdtemp(join(tmpdir(), 'icewatch-usaspending-'));
  sleeps = [];
  logs = [];
});
afterEach(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

function source(options: UsaspendingSourceOptions = {}): SourceDefinition {
  return createUsaspendingSource({ baseUrl: server.origin, lookupParents: false, ...options });
}

function context(src: SourceDefinition, overrides: Partial<FetchContext> = {}): FetchContext {
  return {
    http: createHttpClient({
      sourceId: src.id,
      allowedHosts: src.hosts,
      allowLoopbackHttp: true,
      retries: 2,
      retryBaseMs: 10,
      bodyTimeoutMs: 250,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    }),
    workDir,
    now: new Date('2025-08-20T12:00:00Z'),
    log: (m) => logs.push(m),
    ...overrides,
  };
}

async function fetchAndParse(src: SourceDefinition, ctx: FetchContext = context(src)): Promise<{ fetched: FetchResult; awards: AwardRecord[] }> {
  const fetched = await src.fetch(ctx);
  const parsed = await src.parse(fetched.inputs, { log: (m) => logs.push(m) });
  expect(parsed.rowIssues).toEqual([]);
  return { fetched, awards: parsed.records as AwardRecord[] };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

// Made-up ICE-like rows in the real row shape (see nasa_awards_search_results_contracts.json).
function contractRow(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const piid = `70CDCR25C0000${String(n).padStart(4, '0')}`;
  return {
    internal_id: 1000 + n,
    'Award ID': piid,
    'Recipient Name': `EXAMPLE VENDOR ${n} LLC`,
    'Recipient UEI': `EXMPL${String(n).padStart(7, '0')}`,
    'Recipient DUNS Number': null,
    recipient_id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}-R`,
    'Start Date': '2025-01-01',
    'End Date': '2026-12-31',
    'Award Amount': 1000 * n,
    'Total Outlays': null,
    Description: `DETENTION SUPPORT SERVICES ${n}`,
    'Contract Award Type': 'DEFINITIVE CONTRACT',
    NAICS: { code: '561210', description: 'FACILITIES SUPPORT SERVICES' },
    PSC: { code: 'S206', description: 'HOUSEKEEPING- GUARD' },
    'Last Modified Date': '2025-07-01',
    'Awarding Agency': 'Department of Homeland Security',
    'Awarding Sub Agency': 'U.S. Immigration and Customs Enforcement',
    'Awarding Sub Agency Code': '7012',
    generated_internal_id: `CONT_AWD_${piid}_7012_-NONE-_-NONE-`,
    ...overrides,
  };
}

function idvRow(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const piid = `70CDCR24D0000${String(n).padStart(4, '0')}`;
  const { 'End Date': _end, ...base } = contractRow(n);
  return {
    ...base,
    'Award ID': piid,
    'Contract Award Type': 'INDEFINITE DELIVERY / INDEFINITE QUANTITY',
    'Last Date to Order': '2029-09-30',
    generated_internal_id: `CONT_IDV_${piid}_7012`,
    ...overrides,
  };
}

function page(results: unknown[], pageNo: number, hasNext: boolean, cursor?: { id: number; sort: string }): Record<string, unknown> {
  return {
    spending_level: 'awards',
    limit: 100,
    results,
    page_metadata: {
      page: pageNo,
      hasNext,
      last_record_unique_id: cursor?.id ?? null,
      last_record_sort_value: cursor?.sort ?? 'None',
    },
    messages: [],
  };
}

function isIdv(request: LoggedRequest): boolean {
  const codes = (request.json as { filters: { award_type_codes: string[] } }).filters.award_type_codes;
  return codes.every((c) => c.startsWith('IDV_'));
}

/** Serves contracts pages from `contracts[page-1]` and IDV pages from `idvs[page-1]`. */
function paged(contracts: unknown[][], idvs: unknown[][]): Handler {
  return (res, ctx) => {
    const body = ctx.request.json as { page: number };
    const pages = isIdv(ctx.request) ? idvs : contracts;
    const rows = pages[body.page - 1] ?? [];
    const hasNext = body.page < pages.length;
    return json(page(rows, body.page, hasNext, hasNext ? { id: 1000 + body.page, sort: String(1_750_000_000_000 + body.page) } : undefined))(res, ctx);
  };
}

describe('usaspending fetch against a local server', () => {
  it('pages contracts and IDVs separately to the end, and the raw pages parse to the same awards', async () => {
    server.route(`POST ${SEARCH}`, paged([[contractRow(1), contractRow(2)], [contractRow(3)], [contractRow(4)]], [[idvRow(5)]]));
    const src = source();
    const { fetched, awards } = await fetchAndParse(src);

    const requests = server.requestsTo(SEARCH, 'POST');
    expect(requests.map((r) => [isIdv(r) ? 'idvs' : 'contracts', (r.json as { page: number }).page])).toEqual([
      ['contracts', 1],
      ['contracts', 2],
      ['contracts', 3],
      ['idvs', 1],
    ]);
    const first = requests[0]?.json as Record<string, any>;
    expect(first.filters).toEqual({
      agencies: [{ type: 'awarding', tier: 'subtier', name: 'U.S. Immigration and Customs Enforcement', toptier_name: 'Department of Homeland Security' }],
      award_type_codes: ['A', 'B', 'C', 'D'],
    });
    expect(first.limit).toBe(100);
    expect(first.sort).toBe('Last Modified Date');
    expect(first.order).toBe('asc');
    expect(first.fields).toEqual(expect.arrayContaining(['Award ID', 'Recipient UEI', 'recipient_id', 'End Date', 'Total Outlays', 'NAICS', 'PSC', 'Last Modified Date', 'generated_internal_id']));
    expect(first.fields).not.toContain('Last Date to Order');
    expect(first).not.toHaveProperty('last_record_unique_id');
    const idvRequest = requests[3]?.json as Record<string, any>;
    expect(idvRequest.filters.award_type_codes).toEqual(['IDV_A', 'IDV_B', 'IDV_B_A', 'IDV_B_B', 'IDV_B_C', 'IDV_C', 'IDV_D', 'IDV_E']);
    expect(idvRequest.fields).toContain('Last Date to Order');
    expect(requests[0]?.headers['user-agent']).toMatch(/^icewatch\//);

    expect(fetched.inputs).toHaveLength(4);
    expect(fetched.inputs[0]).toMatchObject({ origin: `${server.origin}${SEARCH}`, status: 200, contentType: 'application/json' });
    expect(fetched.incremental).toBe(false);
    expect(fetched.checkpoint).toBe('2025-07-01');
    expect(awards.map((a) => a.awardKey)).toEqual([
      'CONT_AWD_70CDCR25C00000001_7012_-NONE-_-NONE-',
      'CONT_AWD_70CDCR25C00000002_7012_-NONE-_-NONE-',
      'CONT_AWD_70CDCR25C00000003_7012_-NONE-_-NONE-',
      'CONT_AWD_70CDCR25C00000004_7012_-NONE-_-NONE-',
      'CONT_IDV_70CDCR24D00000005_7012',
    ]);
    expect(awards[4]).toMatchObject({ kind: 'idv', lastDateToOrder: '2029-09-30', awardingAgencyCode: '7012', naics: '561210', psc: 'S206' });
    expect(awards[4]?.end).toBeUndefined();
    // The raw page on disk is byte for byte what the server sent.
    const raw = JSON.parse(await readFile(fetched.inputs[3]!.path, 'utf8'));
    expect(raw.results[0].generated_internal_id).toBe('CONT_IDV_70CDCR24D00000005_7012');
  });

  it('sends the previous page\'s cursor from page 2 on, exactly as the server wrote it', async () => {
    server.route(`POST ${SEARCH}`, (res, ctx) => {
      const body = ctx.request.json as { page: number };
      const n = body.page;
      return json(page([contractRow(n)], n, n < 4, n < 4 ? { id: 90_000 + n, sort: `17${n}` } : undefined))(res, ctx);
    });
    const src = source({ groups: ['contracts'] });
    const fetched = await src.fetch(context(src));
    const requests = server.requestsTo(SEARCH, 'POST').map((r) => r.json as Record<string, unknown>);
    expect(requests).toHaveLength(4);
    expect(requests[0]).not.toHaveProperty('last_record_unique_id');
    expect(requests[1]).toMatchObject({ page: 2, last_record_unique_id: 90_001, last_record_sort_value: '171' });
    expect(requests[3]).toMatchObject({ page: 4, last_record_unique_id: 90_003, last_record_sort_value: '173' });
    expect(fetched.inputs).toHaveLength(4);
  });

  it('fails clearly when a page says hasNext but gives no cursor', async () => {
    server.route(`POST ${SEARCH}`, (res, ctx) => json(page([contractRow((ctx.request.json as { page: number }).page)], 1, true))(res, ctx));
    const src = source({ groups: ['contracts'], pageSize: 100 });
    const error = await rejection(src.fetch(context(src)));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details.path).toBe('page_metadata.last_record_unique_id');
    expect(server.requestsTo(SEARCH)).toHaveLength(1);
  });

  it('waits out a 429 with Retry-After, then continues', async () => {
    server.route(`POST ${SEARCH}`, sequence(tooManyRequests(7), json(page([contractRow(1)], 1, false))));
    const src = source({ groups: ['contracts'] });
    const { awards } = await fetchAndParse(src);
    expect(sleeps).toEqual([7000]);
    expect(awards.map((a) => a.piid)).toEqual(['70CDCR25C00000001']);
  });

  it('retries 500s, then continues', async () => {
    server.route(`POST ${SEARCH}`, failTimes(2, json(page([contractRow(1)], 1, false))));
    const src = source({ groups: ['contracts'] });
    const { awards } = await fetchAndParse(src);
    expect(server.requestsTo(SEARCH)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(awards).toHaveLength(1);
  });

  it('gives up on a server that never answers, with a SourceUnavailableError', async () => {
    server.route(`POST ${SEARCH}`, hang());
    const src = source({ groups: ['contracts'] });
    const error = await rejection(src.fetch(context(src)));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error.message).toContain('timed out');
    expect((error as SourceUnavailableError).details.attempts).toBe(3);
  });

  it('retries a truncated page, and reports one that stays truncated', async () => {
    const whole = JSON.stringify(page([contractRow(1)], 1, false));
    server.route(`POST ${SEARCH}`, sequence(truncated(whole.slice(0, 200)), json(page([contractRow(1)], 1, false))));
    const src = source({ groups: ['contracts'] });
    const { awards } = await fetchAndParse(src);
    expect(awards).toHaveLength(1);
    expect(server.requestsTo(SEARCH)).toHaveLength(2);
    expect(sleeps).toHaveLength(1);

    server.route(`POST ${SEARCH}`, truncated(whole.slice(0, 200)));
    const error = await rejection(src.fetch(context(src)));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error.message).toMatch(/truncated|closed early/);
  });

  it('fails a wrong-shape page, naming the field', async () => {
    server.route(`POST ${SEARCH}`, json({ limit: 100, results: [contractRow(1)], page_metadata: { page: 1, hasNext: 'no' } }));
    const src = source({ groups: ['contracts'] });
    const error = await rejection(src.fetch(context(src)));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details.path).toBe('page_metadata.hasNext');
    expect(error.message).toContain('page_metadata.hasNext');
  });

  it('refuses a redirect to a host outside the source allowlist', async () => {
    server.route(`POST ${SEARCH}`, redirect(`http://localhost:${server.port}${SEARCH}`, 307));
    const src = source({ groups: ['contracts'] });
    expect(src.hosts).toEqual(['127.0.0.1']);
    const error = await rejection(src.fetch(context(src)));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toContain('refusing redirect from 127.0.0.1 to localhost');
    expect(server.requests).toHaveLength(1);
  });

  it('fetches incrementally from the checkpoint and returns the newest modification date', async () => {
    server.route(
      `POST ${SEARCH}`,
      json(page([contractRow(1, { 'Last Modified Date': '2025-08-19' }), contractRow(2, { 'Last Modified Date': '2025-06-02' })], 1, false)),
    );
    const src = source({ groups: ['contracts'] });
    const fetched = await src.fetch(context(src, { checkpoint: '2025-06-01' }));
    const body = server.requestsTo(SEARCH)[0]?.json as Record<string, any>;
    expect(body.filters.time_period).toEqual([{ start_date: '2025-06-01', end_date: '2025-08-20', date_type: 'last_modified_date' }]);
    expect(fetched.incremental).toBe(true);
    expect(fetched.checkpoint).toBe('2025-08-19');

    server.route(`POST ${SEARCH}`, json(page([], 1, false)));
    const nothingNew = await src.fetch(context(src, { checkpoint: '2025-08-19' }));
    expect(nothingNew).toMatchObject({ incremental: true, checkpoint: '2025-08-19' });
  });

  it('looks up the parent of a child recipient once, and parse fills it into every award of that recipient', async () => {
    const iowa = '0b441d38-e3c0-de89-ee08-69fc9e6ee58a-C';
    server.route(
      `POST ${SEARCH}`,
      paged(
        [[contractRow(1, { recipient_id: iowa, 'Recipient Name': 'THE UNIVERSITY OF IOWA' }), contractRow(2)]],
        [[idvRow(3, { recipient_id: iowa, 'Recipient Name': 'THE UNIVERSITY OF IOWA' })]],
      ),
    );
    const recording = await readFile(sharedFixture('usaspending/api/nasa_recipient_university.json'), 'utf8');
    server.route(`GET /api/v2/recipient/${iowa}/`, (res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(recording);
    });
    const src = source({ lookupParents: true });
    const { fetched, awards } = await fetchAndParse(src);

    // Row 2's recipient is level R (no parent by definition): not looked up.
    expect(server.requests.filter((r) => r.method === 'GET').map((r) => r.pathname)).toEqual([`/api/v2/recipient/${iowa}/`]);
    expect(fetched.inputs.map((i) => i.origin)).toContain(`${server.origin}/api/v2/recipient/${iowa}/`);
    const withParent = awards.filter((a) => a.recipient.recipientId === iowa);
    expect(withParent).toHaveLength(2);
    for (const award of withParent) {
      expect(award.recipient).toMatchObject({ parentName: 'THE UNIVERSITY OF IOWA', parentUei: 'Z1H9VJS8NG16', parentDuns: '062761671' });
    }
    expect(awards.find((a) => a.piid === '70CDCR25C00000002')?.recipient.parentName).toBeUndefined();
  });

  it('keeps going when a recipient lookup fails', async () => {
    const child = '12345678-1234-1234-1234-123456789abc-C';
    server.route(`POST ${SEARCH}`, json(page([contractRow(1, { recipient_id: child })], 1, false)));
    server.route(`GET /api/v2/recipient/${child}/`, json({ detail: 'Not found' }, 404));
    const src = source({ groups: ['contracts'], lookupParents: true });
    const { awards } = await fetchAndParse(src);
    expect(awards).toHaveLength(1);
    expect(awards[0]?.recipient.parentName).toBeUndefined();
    expect(logs.some((l) => l.includes(`parent of ${child} unknown`) && l.includes('HTTP 404'))).toBe(true);
  });
});
