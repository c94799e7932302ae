import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceFormatError, SourceUnavailableError } from '../../scripts/util/errors.ts';
import { backoffDelay, createHttpClient, DEFAULT_USER_AGENT, parseRetryAfter } from '../../scripts/util/http.ts';
import type { HttpClientOptions } from '../../scripts/util/http.ts';
import { failTimes, hang, json, redirect, sequence, startLocalServer, text, tooManyRequests, truncated } from '../helpers/local-server.ts';
import type { LocalServer } from '../helpers/local-server.ts';

let server: LocalServer;
let sleeps: number[];

beforeEach(async () => {
  server = await startLocalServer();
  sleeps = [];
});
afterEach(async () => {
  await server.close();
});

function client(overrides: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    sourceId: 'test',
    allowedHosts: ['127.0.0.1'],
    allowLoopbackHttp: true,
    retries: 3,
    retryBaseMs: 100,
    retryMaxWaitMs: 5_000,
    bodyTimeoutMs: 300,
    connectTimeoutMs: 1_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('createHttpClient', () => {
  it('POSTs JSON with the project User-Agent and parses the answer', async () => {
    server.route('POST /echo', (res, ctx) => json({ got: ctx.request.json })(res, ctx));
    const { response, data } = await client().json<{ got: unknown }>({ url: server.url('/echo'), json: { page: 2 } });
    expect(response.status).toBe(200);
    expect(data).toEqual({ got: { page: 2 } });
    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(DEFAULT_USER_AGENT).toMatch(/^icewatch\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/icewatch\/icewatch\)$/);
  });

  it('waits the Retry-After seconds on 429, then succeeds', async () => {
    server.route('/limited', sequence(tooManyRequests(2), json({ ok: true })));
    const { data } = await client().json({ url: server.url('/limited') });
    expect(data).toEqual({ ok: true });
    expect(sleeps).toEqual([2000]);
    expect(server.requestsTo('/limited')).toHaveLength(2);
  });

  it('honours a Retry-After HTTP date and caps it at retryMaxWaitMs', async () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    server.route('/limited', sequence(tooManyRequests(inTenSeconds), tooManyRequests(3600), json({ ok: true })));
    await client({ retryMaxWaitMs: 60_000 }).request({ url: server.url('/limited') });
    expect(sleeps[0]).toBeGreaterThan(7_000);
    expect(sleeps[0]).toBeLessThanOrEqual(10_000);
    expect(sleeps[1]).toBe(60_000);
  });

  it('retries 500s with jittered exponential backoff, then succeeds', async () => {
    server.route('/flaky', failTimes(3, json({ ok: 1 })));
    const { data } = await client().json({ url: server.url('/flaky') });
    expect(data).toEqual({ ok: 1 });
    expect(server.requestsTo('/flaky')).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** attempt);
    });
  });

  it('gives up on persistent 5xx with a SourceUnavailableError carrying status and attempts', async () => {
    server.route('/down', text('maintenance', 503));
    const error = await rejection(client().request({ url: server.url('/down') }));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as SourceUnavailableError).details).toMatchObject({ status: 503, attempts: 4 });
    expect(error.message).toContain('HTTP 503');
    expect(error.message).toContain('maintenance');
    expect(server.requestsTo('/down')).toHaveLength(4);
  });

  it('does not retry a 4xx such as 422, and reports the body', async () => {
    server.route('/bad', text('{"detail":"Award type codes cannot mix groups"}', 422));
    const error = await rejection(client().request({ url: server.url('/bad') }));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as SourceUnavailableError).details.status).toBe(422);
    expect(error.message).toContain('cannot mix groups');
    expect(server.requestsTo('/bad')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('times out a server that never answers, retrying before giving up', async () => {
    server.route('/hang', hang());
    const error = await rejection(client({ retries: 1 }).request({ url: server.url('/hang') }));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error.message).toMatch(/timed out/);
    expect(server.requestsTo('/hang')).toHaveLength(2);
  });

  it('times out a body that stalls after the headers, and recovers on retry', async () => {
    server.route('/stall', sequence(hang(true), json({ ok: 'later' })));
    const { data } = await client().json({ url: server.url('/stall') });
    expect(data).toEqual({ ok: 'later' });
    expect(sleeps).toHaveLength(1);
  });

  describe('total deadlines (issue 15, item 15)', () => {
    /** Sends one byte every `everyMs` for ever: each chunk arrives well inside the per-chunk timeout. */
    const trickle = (everyMs: number) => (res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => {
        if (res.destroyed || res.writableEnded) clearInterval(timer);
        else res.write(' ');
      }, everyMs);
      res.on('close', () => clearInterval(timer));
    };

    it('ends a request whose body trickles a byte at a time, however long the per-chunk timeout allows', async () => {
      server.route('/trickle', trickle(100));
      const started = Date.now();
      const error = await rejection(client({ bodyTimeoutMs: 300, requestDeadlineMs: 800 }).request({ url: server.url('/trickle') }));
      expect(error).toBeInstanceOf(SourceUnavailableError);
      expect(error.message).toMatch(/exceeded the request's total deadline of 1 s .*try again later/);
      // Not retried: a deadline is the end of the request.
      expect(server.requestsTo('/trickle')).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('ends a source whose requests together run past its deadline', async () => {
      server.route('/slow', (res) => {
        setTimeout(() => json({ ok: true })(res, undefined as never), 400);
      });
      const http = client({ bodyTimeoutMs: 1_000, requestDeadlineMs: 5_000, sourceDeadlineMs: 700 });
      await expect(http.json({ url: server.url('/slow') })).resolves.toBeDefined();
      const error = await rejection(http.json({ url: server.url('/slow') }));
      expect(error).toBeInstanceOf(SourceUnavailableError);
      expect(error.message).toMatch(/exceeded the source's total deadline of 1 s/);
    });
  });

  it('retries a truncated body, then reports it if it keeps happening', async () => {
    server.route('/cut', sequence(truncated('{"results":[1,2'), json({ results: [1, 2, 3] })));
    const { data } = await client().json({ url: server.url('/cut') });
    expect(data).toEqual({ results: [1, 2, 3] });

    server.route('/always-cut', truncated('{"results":['));
    const error = await rejection(client({ retries: 2 }).request({ url: server.url('/always-cut') }));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error.message).toMatch(/truncated|closed early/);
    expect((error as SourceUnavailableError).details.attempts).toBe(3);
  });

  it('retries a connection reset', async () => {
    server.route(
      '/reset',
      sequence((res) => {
        res.socket?.destroy();
      }, json({ ok: true })),
    );
    const { data } = await client().json({ url: server.url('/reset') });
    expect(data).toEqual({ ok: true });
    expect(sleeps).toHaveLength(1);
  });

  it('enforces the size cap on declared and on streamed lengths', async () => {
    server.route('/big', text('x'.repeat(5000)));
    const declared = await rejection(client({ maxBytes: 1000 }).request({ url: server.url('/big') }));
    expect(declared).toBeInstanceOf(SourceFormatError);
    expect(declared.message).toContain('1000-byte size cap');

    server.route('/chunked', (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 10; i++) res.write('y'.repeat(500));
      res.end();
    });
    const streamed = await rejection(client().request({ url: server.url('/chunked'), maxBytes: 2000 }));
    expect(streamed).toBeInstanceOf(SourceFormatError);
    expect(streamed.message).toContain('2000-byte size cap');
    expect(server.requestsTo('/chunked')).toHaveLength(1);
  });

  it('allows only https, with plain http to loopback only when enabled', async () => {
    const plain = await rejection(client({ allowedHosts: ['example.org'] }).request({ url: 'http://example.org/x' }));
    expect(plain).toBeInstanceOf(SourceFormatError);
    expect(plain.message).toContain('only https');

    server.route('/ok', json({}));
    const noLoopback = await rejection(client({ allowLoopbackHttp: false }).request({ url: server.url('/ok') }));
    expect(noLoopback).toBeInstanceOf(SourceFormatError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a host that is not on the allowlist before connecting', async () => {
    const error = await rejection(client().request({ url: `http://localhost:${server.port}/x` }));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toContain('refusing localhost');
    expect(server.requests).toHaveLength(0);
  });

  it('follows a same-host redirect and reports the final URL', async () => {
    server.route('/old', redirect('/new', 301));
    server.route('/new', json({ here: true }));
    const { response, data } = await client().json({ url: server.url('/old') });
    expect(data).toEqual({ here: true });
    expect(response.url).toBe(server.url('/new'));
  });

  it('turns a POST into a GET on 303', async () => {
    server.route('POST /submit', redirect('/result', 303));
    server.route('/result', (res, ctx) => json({ method: ctx.request.method, body: ctx.request.body })(res, ctx));
    const { data } = await client().json({ url: server.url('/submit'), json: { a: 1 } });
    expect(data).toEqual({ method: 'GET', body: '' });
  });

  it('refuses a redirect to a foreign host, naming both hosts', async () => {
    server.route('/away', redirect(`http://localhost:${server.port}/elsewhere`));
    server.route('/elsewhere', json({ leaked: true }));
    const error = await rejection(client().request({ url: server.url('/away') }));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toContain('refusing redirect from 127.0.0.1 to localhost');
    expect(server.requestsTo('/elsewhere')).toHaveLength(0);
  });

  it('stops after five redirects', async () => {
    server.route('/loop', (res, ctx) => redirect(`/loop?n=${ctx.call}`)(res, ctx));
    const error = await rejection(client().request({ url: server.url('/loop') }));
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error.message).toContain('too many redirects');
    expect(server.requestsTo('/loop')).toHaveLength(6);
  });

  it('reports a non-JSON body as a SourceFormatError naming the URL', async () => {
    server.route('/html', text('<html>maintenance</html>'));
    const error = await rejection(client().json({ url: server.url('/html') }));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details.file).toBe(server.url('/html'));
  });

  it('limits concurrent requests per host', async () => {
    let inFlight = 0;
    let peak = 0;
    server.route('/slow', async (res, ctx) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight--;
      json({ n: ctx.call })(res, ctx);
    });
    const http = client({ perHostConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => http.request({ url: server.url('/slow') })));
    expect(server.requestsTo('/slow')).toHaveLength(6);
    expect(peak).toBe(2);
  });

  it('never puts header values into error messages', async () => {
    server.route('/secret', text('nope', 500));
    const error = await rejection(client({ retries: 0 }).request({ url: server.url('/secret?api_key=QUERYSECRET'), headers: { Authorization: 'Bearer TOKENVALUE' } }));
    expect(error.message).not.toContain('TOKENVALUE');
    expect(error.message).not.toContain('QUERYSECRET');
    expect(JSON.stringify((error as SourceUnavailableError).details)).not.toContain('QUERYSECRET');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer TOKENVALUE');
  });

  describe('download', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'icewatch-http-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('streams to a file, retrying a truncated attempt from scratch', async () => {
      server.route('/file.zip', sequence(truncated('PK-partial'), text('PK-whole-file')));
      const dest = join(dir, 'file.zip');
      const result = await client().download({ url: server.url('/file.zip') }, dest);
      expect(result).toEqual({ status: 200, url: server.url('/file.zip'), bytes: 13 });
      expect(await readFile(dest, 'utf8')).toBe('PK-whole-file');
    });

    it('removes the partial file when the size cap is exceeded', async () => {
      server.route('/huge.zip', (res) => {
        res.writeHead(200);
        for (let i = 0; i < 20; i++) res.write('z'.repeat(100));
        res.end();
      });
      const dest = join(dir, 'huge.zip');
      const error = await rejection(client().download({ url: server.url('/huge.zip'), maxBytes: 500 }, dest));
      expect(error).toBeInstanceOf(SourceFormatError);
      await expect(stat(dest)).rejects.toThrow(/ENOENT/);
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('is full jitter under an exponential ceiling capped at the max wait', () => {
    expect(backoffDelay(0, 100, 5000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 5000, () => 0.999)).toBe(4995);
    expect(backoffDelay(4, 100, 5000, () => 0)).toBe(0);
  });
});
