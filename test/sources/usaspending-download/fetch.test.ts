import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../../scripts/records.ts';
import {
  buildDownloadRequest,
  fiscalYearWindows,
} from '../../../scripts/sources/usaspending-download/fetch.ts';
import { createUsaspendingDownloadSource } from '../../../scripts/sources/usaspending-download/index.ts';
import { downloadRequestResponseSchema, downloadStatusSchema } from '../../../scripts/sources/usaspending-download/schema.ts';
import type { FetchContext } from '../../../scripts/sources/types.ts';
import { SourceFormatError, SourceUnavailableError } from '../../../scripts/util/errors.ts';
import { createHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../scripts/util/http.ts';
import { sharedFixture } from '../../helpers/shared-fixtures.ts';
import { json as jsonHandler, sequence, startLocalServer, text as textHandler, type LocalServer } from '../../helpers/local-server.ts';
import { makeZip } from './make-zip.ts';

const PRIME = sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');
const NOW = new Date('2025-03-28T12:00:00Z');
const FILE_NAME = 'ICE_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08.zip';
const FILE_URL = `https://files.usaspending.gov/generated_downloads/${FILE_NAME}`;

type Reply = { status: number; data: unknown } | Error;

/** An HttpClient that answers from a script and records every call. */
class FakeHttp implements HttpClient {
  readonly calls: { kind: 'request' | 'json' | 'download'; req: HttpRequest; dest?: string }[] = [];
  constructor(
    private readonly statusReplies: unknown[],
    private readonly zipPath: string,
    private readonly requestReply: unknown = {
      status_url: `https://api.usaspending.gov/api/v2/download/status?file_name=${FILE_NAME}`,
      file_name: FILE_NAME,
      file_url: FILE_URL,
      download_request: { request_type: 'award' },
    },
  ) {}

  private reply(req: HttpRequest): Reply {
    if (req.method === 'POST' && req.url.endsWith('/api/v2/bulk_download/awards/')) return { status: 200, data: this.requestReply };
    if (req.url.includes('/api/v2/download/status?')) {
      const next = this.statusReplies.shift();
      if (next === undefined) return new Error('no more status replies scripted');
      if (next instanceof Error) return next;
      return { status: 200, data: next };
    }
    return new Error(`unexpected ${req.method ?? 'GET'} ${req.url}`);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    this.calls.push({ kind: 'request', req });
    const reply = this.reply(req);
    if (reply instanceof Error) throw reply;
    return { status: reply.status, url: req.url, headers: {}, body: Buffer.from(JSON.stringify(reply.data)) };
  }

  async json<T = unknown>(req: HttpRequest): Promise<{ response: HttpResponse; data: T }> {
    this.calls.push({ kind: 'json', req });
    const reply = this.reply(req);
    if (reply instanceof Error) throw reply;
    return { response: { status: reply.status, url: req.url, headers: {}, body: Buffer.alloc(0) }, data: reply.data as T };
  }

  async download(req: HttpRequest, destPath: string): Promise<{ status: number; url: string; bytes: number }> {
    this.calls.push({ kind: 'download', req, dest: destPath });
    await copyFile(this.zipPath, destPath);
    return { status: 200, url: req.url, bytes: (await readFile(destPath)).length };
  }
}

function status(state: 'ready' | 'running' | 'finished' | 'failed', extra: Record<string, unknown> = {}) {
  const done = state === 'finished';
  return {
    status: state,
    message: null,
    file_name: FILE_NAME,
    file_url: FILE_URL,
    total_size: done ? 18.2 : null,
    total_columns: done ? 286 : null,
    total_rows: done ? 5 : null,
    seconds_elapsed: '3.2',
    ...extra,
  };
}

let dir: string;
let zipPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icewatch-usd-fetch-'));
  zipPath = await makeZip(join(dir, 'served.zip'), [{ name: 'ICE_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv', path: PRIME }]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function workDir(): Promise<string> {
  return mkdtemp(join(dir, 'work-'));
}

function context(http: HttpClient, work: string, extra: Partial<FetchContext> = {}): FetchContext & { logs: string[] } {
  const logs: string[] = [];
  return { http, workDir: work, now: NOW, log: (m) => logs.push(m), logs, ...extra };
}

describe('request body and date windows', () => {
  it('asks for ICE contracts and IDVs as the Custom Award Data page does', () => {
    expect(buildDownloadRequest({ start: '2024-10-01', end: '2025-03-28' }, 'action_date', false)).toEqual({
      filters: {
        prime_award_types: ['A', 'B', 'C', 'D', 'IDV_A', 'IDV_B', 'IDV_B_A', 'IDV_B_B', 'IDV_B_C', 'IDV_C', 'IDV_D', 'IDV_E'],
        date_type: 'action_date',
        date_range: { start_date: '2024-10-01', end_date: '2025-03-28' },
        agencies: [{ type: 'awarding', tier: 'subtier', name: 'U.S. Immigration and Customs Enforcement', toptier_name: 'Department of Homeland Security' }],
      },
      file_format: 'csv',
    });
    const withSubawards = buildDownloadRequest({ start: '2024-10-01', end: '2025-03-28' }, 'last_modified_date', true) as { filters: Record<string, unknown> };
    expect(withSubawards.filters.sub_award_types).toEqual(['procurement']);
    expect(withSubawards.filters.date_type).toBe('last_modified_date');
  });

  it('splits a range into fiscal years, each within the one-year limit', () => {
    expect(fiscalYearWindows('2023-05-10', '2025-03-28')).toEqual([
      { start: '2023-05-10', end: '2023-09-30' },
      { start: '2023-10-01', end: '2024-09-30' },
      { start: '2024-10-01', end: '2025-03-28' },
    ]);
    expect(fiscalYearWindows('2024-09-30', '2024-10-01')).toEqual([
      { start: '2024-09-30', end: '2024-09-30' },
      { start: '2024-10-01', end: '2024-10-01' },
    ]);
    expect(fiscalYearWindows('2007-10-01', '2025-03-28')).toHaveLength(18);
    expect(fiscalYearWindows('2025-03-28', '2025-03-28')).toEqual([{ start: '2025-03-28', end: '2025-03-28' }]);
  });
});

describe('API response shapes', () => {
  it('accept the recorded status and download responses', async () => {
    const recordedStatus = JSON.parse(await readFile(sharedFixture('usaspending/api/nasa_download_status.json'), 'utf8'));
    expect(downloadStatusSchema.parse(recordedStatus)).toMatchObject({
      status: 'finished',
      file_name: 'ASST_80NSSC24K0522_2025-08-17_H05M53S58016610.zip',
      file_url: 'https://files.usaspending.gov/generated_downloads/ASST_80NSSC24K0522_2025-08-17_H05M53S58016610.zip',
      total_rows: 15,
    });
    const recordedRequest = JSON.parse(await readFile(sharedFixture('usaspending/api/nasa_download_assistance.json'), 'utf8'));
    expect(downloadRequestResponseSchema.parse(recordedRequest).file_name).toBe('ASST_80NSSC24K0522_2025-08-17_H05M53S58016610.zip');
  });
});

describe('fetch flow with a fake HttpClient', () => {
  it('requests, polls with backoff until finished, downloads the zip, and parses it', async () => {
    const http = new FakeHttp([status('ready'), status('running'), status('running'), status('finished')], zipPath);
    const waits: number[] = [];
    const source = createUsaspendingDownloadSource({
      startDate: '2024-10-01',
      pollIntervalMs: 1000,
      maxPollIntervalMs: 3000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const work = await workDir();
    const ctx = context(http, work);
    const result = await source.fetch(ctx);

    expect(http.calls.map((c) => `${c.kind} ${c.req.method} ${c.req.url}`)).toEqual([
      'json POST https://api.usaspending.gov/api/v2/bulk_download/awards/',
      ...Array(4).fill(`json GET https://api.usaspending.gov/api/v2/download/status?file_name=${FILE_NAME}`),
      `download GET ${FILE_URL}`,
    ]);
    expect(http.calls[0]?.req.json).toEqual(buildDownloadRequest({ start: '2024-10-01', end: '2025-03-28' }, 'action_date', false));
    expect(waits).toEqual([1000, 2000, 3000, 3000]);
    expect(result.incremental).toBe(false);
    expect(result.checkpoint).toBe('2025-03-28');
    expect(result.inputs).toEqual([
      { path: join(work, `01-${FILE_NAME}`), origin: FILE_URL, retrievedAt: '2025-03-28T12:00:00.000Z', status: 200, contentType: 'application/zip', expectedRows: 5 },
    ]);

    const parsed = await source.parse(result.inputs, { log: () => {} });
    expect(parsed.rowIssues).toEqual([]);
    expect(parsed.shortfalls).toBeUndefined();
    expect((parsed.records as AwardRecord[]).map((r) => r.piid)).toEqual([
      '70CDCR20P00000053',
      '70CDCR21P00000021',
      '70CDCR22P00000014',
      '70CDCR23P00000017',
      '70CDCR24P00000013',
    ]);
  });

  it('fetches only awards modified since the checkpoint, one download per fiscal year', async () => {
    const http = new FakeHttp([status('finished'), status('finished')], zipPath);
    const source = createUsaspendingDownloadSource({ sleep: async () => {} });
    const work = await workDir();
    const result = await source.fetch(context(http, work, { checkpoint: '2024-09-15' }));
    const posts = http.calls.filter((c) => c.req.method === 'POST').map((c) => (c.req.json as { filters: Record<string, unknown> }).filters);
    expect(posts.map((f) => [f.date_type, f.date_range])).toEqual([
      ['last_modified_date', { start_date: '2024-09-15', end_date: '2024-09-30' }],
      ['last_modified_date', { start_date: '2024-10-01', end_date: '2025-03-28' }],
    ]);
    expect(result.incremental).toBe(true);
    expect(result.inputs.map((i) => i.path)).toEqual([join(work, `01-${FILE_NAME}`), join(work, `02-${FILE_NAME}`)]);
  });

  it('resolves a relative file_url against the API and keeps unsafe file names inside the work dir', async () => {
    const http = new FakeHttp([status('finished', { file_name: '../../etc/x.zip', file_url: '/csv_downloads/x.zip' })], zipPath, {
      status_url: 'http://elsewhere.example/status',
      file_name: '../../etc/x.zip',
      file_url: '/csv_downloads/x.zip',
    });
    const source = createUsaspendingDownloadSource({ startDate: '2025-01-01', sleep: async () => {} });
    const work = await workDir();
    const result = await source.fetch(context(http, work));
    expect(http.calls.at(-1)?.req.url).toBe('https://api.usaspending.gov/csv_downloads/x.zip');
    expect(http.calls[1]?.req.url).toBe('https://api.usaspending.gov/api/v2/download/status?file_name=..%2F..%2Fetc%2Fx.zip');
    expect(result.inputs[0]?.path).toBe(join(work, '01-x.zip'));
  });

  it('reports a failed download as the source being unavailable, with USAspending\'s message', async () => {
    const http = new FakeHttp([status('running'), status('failed', { message: 'Download exceeded row limit' })], zipPath);
    const source = createUsaspendingDownloadSource({ startDate: '2025-01-01', sleep: async () => {} });
    const error = await source.fetch(context(http, await workDir())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as Error).message).toBe(`source usaspending-download unavailable: USAspending could not build ${FILE_NAME}: Download exceeded row limit`);
    expect(http.calls.some((c) => c.kind === 'download')).toBe(false);
  });

  it('gives up after the maximum wait', async () => {
    const http = new FakeHttp(Array(10).fill(status('running')), zipPath);
    const source = createUsaspendingDownloadSource({ startDate: '2025-01-01', pollIntervalMs: 1000, maxPollIntervalMs: 4000, maxWaitMs: 10_000, sleep: async () => {} });
    const error = await source.fetch(context(http, await workDir())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    // 1 + 2 + 4 + 4 = 11 s of waiting before the fourth poll still says running.
    expect((error as Error).message).toMatch(/still running after 11 s/);
    expect(http.calls.filter((c) => c.req.url.includes('/download/status')).length).toBe(4);
  });

  it('rejects a status response of the wrong shape, naming the field', async () => {
    const http = new FakeHttp([{ ...status('finished'), status: 'done' }], zipPath);
    const source = createUsaspendingDownloadSource({ startDate: '2025-01-01', sleep: async () => {} });
    const error = await source.fetch(context(http, await workDir())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details.path).toBe('status');
    expect((error as Error).message).toMatch(/field status/);
  });

  it('rejects a download response without file_name', async () => {
    const http = new FakeHttp([], zipPath, { status_url: 'x', file_url: FILE_URL });
    const source = createUsaspendingDownloadSource({ startDate: '2025-01-01', sleep: async () => {} });
    const error = await source.fetch(context(http, await workDir())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details).toMatchObject({ path: 'file_name', file: 'https://api.usaspending.gov/api/v2/bulk_download/awards/' });
  });
});

describe('fetch flow against a local server with the real HTTP client', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('requests, polls through a 503, downloads the zip and parses it', async () => {
    const zipBytes = await readFile(zipPath);
    const name = 'ICE_local_2025.zip';
    const fileUrl = server.url(`/generated_downloads/${name}`);
    const body = (state: string) => ({ status: state, message: null, file_name: name, file_url: fileUrl, total_size: null, total_columns: null, total_rows: null, seconds_elapsed: '1.0' });
    server.route('POST /api/v2/bulk_download/awards/', jsonHandler({ status_url: server.url(`/api/v2/download/status?file_name=${name}`), file_name: name, file_url: fileUrl, download_request: {} }));
    server.route('/api/v2/download/status', sequence(jsonHandler(body('running')), textHandler('busy', 503), jsonHandler(body('finished'))));
    server.route(`/generated_downloads/${name}`, textHandler(zipBytes, 200, { 'content-type': 'application/zip' }));

    const source = createUsaspendingDownloadSource({ baseUrl: server.origin, startDate: '2025-01-01', pollIntervalMs: 1, sleep: async () => {} });
    expect(source.hosts).toEqual(['127.0.0.1', 'files.usaspending.gov']);
    const http = createHttpClient({ sourceId: source.id, allowedHosts: source.hosts, allowLoopbackHttp: true, sleep: async () => {}, retryBaseMs: 1 });
    const work = await workDir();
    const result = await source.fetch(context(http, work));

    const post = server.requestsTo('/api/v2/bulk_download/awards/', 'POST');
    expect(post).toHaveLength(1);
    expect(post[0]?.json).toEqual(buildDownloadRequest({ start: '2025-01-01', end: '2025-03-28' }, 'action_date', false));
    expect(post[0]?.headers['content-type']).toBe('application/json');
    expect(server.requestsTo('/api/v2/download/status').map((r) => r.query.get('file_name'))).toEqual([name, name, name]);
    expect(result.inputs).toHaveLength(1);
    const saved = result.inputs[0]!;
    expect(saved.origin).toBe(fileUrl);
    expect(existsSync(saved.path)).toBe(true);
    expect((await readFile(saved.path)).equals(zipBytes)).toBe(true);

    const parsed = await source.parse(result.inputs, { log: () => {} });
    expect(parsed.records).toHaveLength(5);
    expect((parsed.records[0] as AwardRecord).recipient.uei).toBe('KABJZBBJ4B54');
  });

  it('refuses a file_url on a host outside the allowlist', async () => {
    const name = 'ICE_foreign.zip';
    const foreign = `https://downloads.example.com/${name}`;
    server.route('POST /api/v2/bulk_download/awards/', jsonHandler({ status_url: 'x', file_name: name, file_url: foreign }));
    server.route('/api/v2/download/status', jsonHandler({ status: 'finished', message: null, file_name: name, file_url: foreign }));
    const source = createUsaspendingDownloadSource({ baseUrl: server.origin, startDate: '2025-01-01', sleep: async () => {} });
    const http = createHttpClient({ sourceId: source.id, allowedHosts: source.hosts, allowLoopbackHttp: true, sleep: async () => {} });
    const error = await source.fetch(context(http, await workDir())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toMatch(/refusing downloads\.example\.com: host not in the allowlist/);
  });
});
