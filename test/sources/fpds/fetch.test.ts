import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../../scripts/records.ts';
import { createFpdsSource, feedWindow, fpdsSource } from '../../../scripts/sources/fpds/index.ts';
import type { FetchContext } from '../../../scripts/sources/types.ts';
import { SourceFormatError, SourceUnavailableError } from '../../../scripts/util/errors.ts';
import { createHttpClient } from '../../../scripts/util/http.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../scripts/util/http.ts';
import { startLocalServer, text } from '../../helpers/local-server.ts';
import type { LocalServer } from '../../helpers/local-server.ts';
import { madePage, tenEntries } from './feed-pages.ts';

const FEED = 'https://www.fpds.gov/ezsearch/FEEDS/ATOM';
const NOW = new Date('2026-03-14T05:00:00Z');

/** An HttpClient that answers from a function of the URL; records every request. */
class FakeHttp implements HttpClient {
  readonly requests: HttpRequest[] = [];
  /** Requests to FEEDNAME=DELETED, answered by `deleted` (an empty feed unless a test says otherwise). */
  readonly deletedRequests: HttpRequest[] = [];
  constructor(
    private readonly answer: (url: URL, call: number) => { body: string; status?: number; url?: string },
    private readonly deleted: (url: URL) => { body: string; status?: number; url?: string } = () => ({ body: madePage([]) }),
  ) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    if (url.searchParams.get('FEEDNAME') === 'DELETED') {
      this.deletedRequests.push(req);
      const out = this.deleted(url);
      return { status: out.status ?? 200, url: out.url ?? req.url, headers: { 'content-type': 'application/atom+xml;charset=UTF-8' }, body: Buffer.from(out.body) };
    }
    this.requests.push(req);
    const out = this.answer(url, this.requests.length);
    return { status: out.status ?? 200, url: out.url ?? req.url, headers: { 'content-type': 'application/atom+xml;charset=UTF-8' }, body: Buffer.from(out.body) };
  }

  async json<T>(): Promise<{ response: HttpResponse; data: T }> {
    throw new Error('the fpds source does not use json()');
  }

  async download(): Promise<{ status: number; url: string; bytes: number }> {
    throw new Error('the fpds source does not use download()');
  }
}

/** The feed's own next link: same query, `start` moved on by 10 (as in the GSA recording). */
function nextLink(base: string, url: URL, start: number): string {
  const next = new URL('/ezsearch/FEEDS/ATOM', base);
  next.searchParams.set('s', 'FPDS');
  next.searchParams.set('FEEDNAME', 'PUBLIC');
  next.searchParams.set('VERSION', url.searchParams.get('VERSION') ?? '');
  next.searchParams.set('q', url.searchParams.get('q') ?? '');
  next.searchParams.set('start', String(start));
  return next.toString();
}

/** 23 entries over three pages; page 3 holds a modification of an order from page 1. */
function threePages(base: string) {
  return (url: URL) => {
    const start = Number(url.searchParams.get('start') ?? '0');
    if (start === 0) return { body: madePage(tenEntries(1), { next: nextLink(base, url, 10), last: nextLink(base, url, 20) }) };
    if (start === 10) return { body: madePage(tenEntries(11), { next: nextLink(base, url, 20), last: nextLink(base, url, 20) }) };
    if (start === 20) {
      return {
        body: madePage([
          { piid: '70CDCR26F99990021' },
          { piid: '70CDCR26F99990022' },
          { piid: '70CDCR26F99990001', modNumber: 'P00001', obligated: '50.00', total: '150.00', signed: '2026-03-10 00:00:00' },
        ]),
      };
    }
    throw new Error(`unexpected start ${start}`);
  };
}

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'icewatch-fpds-'));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function context(http: HttpClient, extra: Partial<FetchContext> = {}): FetchContext & { logs: string[] } {
  const logs: string[] = [];
  return { http, workDir, now: NOW, log: (m) => logs.push(m), logs, ...extra };
}

describe('fpds fetch: query window', () => {
  it('asks for ICE actions modified from the day before the checkpoint to today', async () => {
    const http = new FakeHttp(() => ({ body: madePage([]) }));
    const result = await fpdsSource.fetch(context(http, { checkpoint: '2026-03-02' }));
    const first = new URL(http.requests[0]?.url ?? '');
    expect(`${first.origin}${first.pathname}`).toBe(FEED);
    expect(first.searchParams.get('FEEDNAME')).toBe('PUBLIC');
    expect(first.searchParams.get('VERSION')).toBe('1.5.3');
    expect(first.searchParams.get('q')).toBe('CONTRACTING_AGENCY_ID:"7012" LAST_MOD_DATE:[2026/03/01,2026/03/14]');
    expect(http.requests[0]?.url).toBe(
      'https://www.fpds.gov/ezsearch/FEEDS/ATOM?FEEDNAME=PUBLIC&VERSION=1.5.3&q=CONTRACTING_AGENCY_ID%3A%227012%22+LAST_MOD_DATE%3A%5B2026%2F03%2F01%2C2026%2F03%2F14%5D',
    );
    expect(result).toMatchObject({ checkpoint: '2026-03-14', incremental: true });
    // The DELETED feed is read for the same agency and window.
    expect(http.deletedRequests.map((r) => new URL(r.url).searchParams.get('q'))).toEqual([first.searchParams.get('q')]);
    expect(result.inputs).toHaveLength(2);
  });

  it('without a checkpoint looks back 30 days; an ISO timestamp checkpoint counts by its date', () => {
    expect(feedWindow(NOW, undefined, 30)).toEqual({ from: '2026-02-12', to: '2026-03-14' });
    expect(feedWindow(NOW, '2026-03-10T23:59:00.000Z', 30)).toEqual({ from: '2026-03-09', to: '2026-03-14' });
    // A checkpoint in the future (clock skew) never makes the window run backwards.
    expect(feedWindow(NOW, '2026-04-01', 30)).toEqual({ from: '2026-03-14', to: '2026-03-14' });
  });

  it('refuses a checkpoint that is not a date', async () => {
    const http = new FakeHttp(() => ({ body: madePage([]) }));
    await expect(fpdsSource.fetch(context(http, { checkpoint: '03/02/2026' }))).rejects.toThrow(SourceFormatError);
    await expect(fpdsSource.fetch(context(http, { checkpoint: '2026-02-30' }))).rejects.toThrow('checkpoint "2026-02-30" is not a YYYY-MM-DD date');
    expect(http.requests).toHaveLength(0);
  });

  it('derives its host allowlist from the base URL', () => {
    expect(fpdsSource.hosts).toEqual(['www.fpds.gov']);
    expect(createFpdsSource({ baseUrl: 'http://127.0.0.1:8080' }).hosts).toEqual(['127.0.0.1']);
    expect(() => createFpdsSource({ baseUrl: 'https://www.fpds.gov/ezsearch' })).toThrow('scheme and host only');
  });
});

describe('fpds fetch: paging with a fake HttpClient', () => {
  it('follows rel=next to the end, writes each page, and the pages parse into folded awards', async () => {
    const http = new FakeHttp(threePages('https://www.fpds.gov'));
    const ctx = context(http, { checkpoint: '2026-03-02' });
    const result = await fpdsSource.fetch(ctx);

    expect(http.requests.map((r) => new URL(r.url).searchParams.get('start'))).toEqual([null, '10', '20']);
    expect(result.inputs.map((i) => i.path)).toEqual([...[1, 2, 3].map((n) => join(workDir, `fpds-page-000${n}.xml`)), join(workDir, 'fpds-deleted-page-0001.xml')]);
    expect(result.inputs.map((i) => i.origin)).toEqual([...http.requests, ...http.deletedRequests].map((r) => r.url));
    expect(result.inputs.every((i) => i.status === 200 && i.contentType === 'application/atom+xml;charset=UTF-8')).toBe(true);
    expect((await readdir(workDir)).sort()).toEqual(['fpds-deleted-page-0001.xml', 'fpds-page-0001.xml', 'fpds-page-0002.xml', 'fpds-page-0003.xml']);
    expect(await readFile(result.inputs[2]?.path ?? '', 'utf8')).toContain('70CDCR26F99990022');
    expect(ctx.logs).toContain('fpds: 3 page(s), 23 entries; DELETED feed: 1 page(s), 0 entries');
    expect(result.shortfalls).toBeUndefined();

    const parsed = await fpdsSource.parse(result.inputs, { log: () => {} });
    const awards = parsed.records as AwardRecord[];
    expect(parsed.rowIssues).toEqual([]);
    expect(awards).toHaveLength(22);
    const folded = awards.find((a) => a.piid === '70CDCR26F99990001');
    expect(folded?.awardKey).toBe('CONT_AWD_70CDCR26F99990001_7012_70CDCR26D99990100_7012');
    expect(folded?.amounts.obligated).toBe(150);
  });

  it('resolves a relative next link against the page it came from', async () => {
    const http = new FakeHttp((url) =>
      url.searchParams.get('start') === '10'
        ? { body: madePage(tenEntries(11).slice(0, 2)) }
        : { body: madePage(tenEntries(1), { next: '/ezsearch/FEEDS/ATOM?FEEDNAME=PUBLIC&q=x&start=10' }) },
    );
    const result = await fpdsSource.fetch(context(http));
    expect(http.requests.map((r) => r.url)).toEqual([expect.stringContaining('&q=CONTRACTING_AGENCY_ID'), `${FEED}?FEEDNAME=PUBLIC&q=x&start=10`]);
    expect(result.inputs).toHaveLength(3);
  });

  it('stops at a page with no entries even if it still links onwards', async () => {
    const http = new FakeHttp((url) => ({ body: madePage([], { next: nextLink('https://www.fpds.gov', url, 10) }) }));
    const ctx = context(http);
    const result = await fpdsSource.fetch(ctx);
    expect(http.requests).toHaveLength(1);
    expect(result.inputs).toHaveLength(2);
    expect(ctx.logs.some((l) => l.includes('has 0 entries (< 10): the last page'))).toBe(true);
  });

  it('fails when a next link points back to a page already fetched (however it is encoded)', async () => {
    const http = new FakeHttp((url) => {
      const start = Number(url.searchParams.get('start') ?? '0');
      if (start === 0) return { body: madePage(tenEntries(1), { next: nextLink('https://www.fpds.gov', url, 10) }) };
      // Page 2 links back to page 2, parameters in another order.
      const back = `${FEED}?start=10&q=${encodeURIComponent(url.searchParams.get('q') ?? '')}&VERSION=1.5.3&FEEDNAME=PUBLIC&s=FPDS`;
      return { body: madePage(tenEntries(11), { next: back }) };
    });
    const error = await fpdsSource.fetch(context(http)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toContain('points back to a page already fetched');
    expect(http.requests).toHaveLength(2);
  });

  it('fails past maxPages instead of paging forever', async () => {
    const http = new FakeHttp((url) => {
      const start = Number(url.searchParams.get('start') ?? '0');
      return { body: madePage(tenEntries(start + 1), { next: nextLink('https://www.fpds.gov', url, start + 10) }) };
    });
    const source = createFpdsSource({ maxPages: 4 });
    const error = await source.fetch(context(http)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toContain('still has a next page after 4 pages (40 entries)');
    expect(http.requests).toHaveLength(4);
  });

  it('refuses a next link to another host before requesting it', async () => {
    const http = new FakeHttp(() => ({ body: madePage(tenEntries(1), { next: 'https://evil.example/ezsearch/FEEDS/ATOM?start=10' }) }));
    const error = await fpdsSource.fetch(context(http)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toContain('next link leaves https://www.fpds.gov: https://evil.example');
    expect(http.requests).toHaveLength(1);
  });

  it('fails on a page that is not an ATOM feed, naming its URL', async () => {
    const http = new FakeHttp((url) =>
      url.searchParams.get('start') === '10'
        ? { body: '<html><body>Scheduled maintenance</body></html>' }
        : { body: madePage(tenEntries(1), { next: nextLink('https://www.fpds.gov', url, 10) }) },
    );
    const error = await fpdsSource.fetch(context(http)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details.file).toContain('start=10');
    expect((error as Error).message).toContain('root element is {}html');
  });

  it('treats a non-2xx answer from the client as unavailable', async () => {
    const http = new FakeHttp(() => ({ status: 404, body: 'not found' }));
    await expect(fpdsSource.fetch(context(http))).rejects.toThrow(SourceUnavailableError);
  });
});

describe('fpds fetch: against a local server with the real HTTP client', () => {
  let server: LocalServer;
  afterEach(async () => {
    await server?.close();
  });

  function client(): HttpClient {
    return createHttpClient({ sourceId: 'fpds', allowedHosts: ['127.0.0.1'], allowLoopbackHttp: true, retries: 2, retryBaseMs: 1, sleep: async () => {} });
  }

  function atom(body: string) {
    return text(body, 200, { 'content-type': 'application/atom+xml;charset=UTF-8' });
  }

  it('pages linked by rel=next are fetched to the end and parse into awards', async () => {
    server = await startLocalServer();
    server.route('/ezsearch/FEEDS/ATOM', (res, ctx) => {
      const url = new URL(ctx.request.path, server.origin);
      if (url.searchParams.get('FEEDNAME') === 'DELETED') return atom(madePage([]))(res, ctx);
      return atom(threePages(server.origin)(url).body)(res, ctx);
    });
    const source = createFpdsSource({ baseUrl: server.origin });
    const result = await source.fetch(context(client(), { checkpoint: '2026-03-02' }));

    const served = server.requestsTo('/ezsearch/FEEDS/ATOM').filter((r) => r.query.get('FEEDNAME') === 'PUBLIC');
    expect(served.map((r) => r.query.get('start'))).toEqual([null, '10', '20']);
    expect(served.every((r) => r.query.get('q') === 'CONTRACTING_AGENCY_ID:"7012" LAST_MOD_DATE:[2026/03/01,2026/03/14]')).toBe(true);
    expect(served[0]?.headers['user-agent']).toMatch(/^icewatch\//);
    expect(result.checkpoint).toBe('2026-03-14');
    expect(result.inputs.slice(0, 3).map((i) => i.origin)).toEqual(served.map((r) => `${server.origin}${r.path}`));

    const parsed = await source.parse(result.inputs, { log: () => {} });
    expect(parsed.records).toHaveLength(22);
    expect(parsed.rowIssues).toEqual([]);
  });

  it('retries a 503 page and carries on', async () => {
    server = await startLocalServer();
    server.route('/ezsearch/FEEDS/ATOM', (res, ctx) => {
      const url = new URL(ctx.request.path, server.origin);
      if (url.searchParams.get('FEEDNAME') === 'DELETED') return atom(madePage([]))(res, ctx);
      if (url.searchParams.get('start') === '10' && ctx.call === 2) return text('busy', 503)(res, ctx);
      return atom(threePages(server.origin)(url).body)(res, ctx);
    });
    const result = await createFpdsSource({ baseUrl: server.origin }).fetch(context(client()));
    expect(server.requestsTo('/ezsearch/FEEDS/ATOM').map((r) => r.query.get('start'))).toEqual([null, '10', '10', '20', null]);
    expect(result.inputs).toHaveLength(4);
  });

  it('stops a feed whose next link loops back', async () => {
    server = await startLocalServer();
    server.route('/ezsearch/FEEDS/ATOM', (res, ctx) => {
      const url = new URL(ctx.request.path, server.origin);
      const start = Number(url.searchParams.get('start') ?? '0');
      // Page 3 links back to page 2.
      const next = nextLink(server.origin, url, start === 20 ? 10 : start + 10);
      return atom(madePage(tenEntries(start + 1), { next }))(res, ctx);
    });
    const error = await createFpdsSource({ baseUrl: server.origin })
      .fetch(context(client()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toContain('points back to a page already fetched');
    expect(server.requestsTo('/ezsearch/FEEDS/ATOM')).toHaveLength(3);
  });

  it('a maintenance page in place of the feed is a SourceFormatError', async () => {
    server = await startLocalServer({
      '/ezsearch/FEEDS/ATOM': text('<!DOCTYPE html><html><body><h1>FPDS is unavailable</h1></body></html>', 200, { 'content-type': 'text/html' }),
    });
    await expect(createFpdsSource({ baseUrl: server.origin }).fetch(context(client()))).rejects.toThrow(SourceFormatError);
  });
});
