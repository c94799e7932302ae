/**
 * The one HTTP client every source uses (undici). It owns the politeness and safety rules so sources
 * don't each reinvent them: https only, a host allowlist checked on every redirect hop, timeouts,
 * retries with exponential backoff + full jitter honouring Retry-After, a per-host concurrency limit and
 * a response size cap. Header values are never logged or put in error messages (they may hold tokens).
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import type pLimit from 'p-limit';
import type { Dispatcher } from 'undici';
import { SourceFormatError, SourceUnavailableError } from './errors.ts';
import { repoPath } from './repo-root.ts';

export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Overrides the client's default response size cap for this request. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Final URL after any (allowed) redirects. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface HttpClient {
  /**
   * Throws SourceUnavailableError after retries (network, timeouts, 429/5xx) and for any other non-2xx
   * final status (`details.status` tells which), SourceFormatError for a disallowed host/scheme or a
   * body over the size cap.
   */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** request() then JSON.parse; a body that is not JSON is a SourceFormatError naming the URL. */
  json<T = unknown>(req: HttpRequest): Promise<{ response: HttpResponse; data: T }>;
  /** Streams the body to `destPath` (for zips), enforcing the size cap. */
  download(req: HttpRequest, destPath: string): Promise<{ status: number; url: string; bytes: number }>;
}

export interface HttpClientOptions {
  sourceId: string;
  allowedHosts: string[];
  userAgent?: string;
  connectTimeoutMs?: number;
  /** Time allowed between body chunks and for headers. */
  bodyTimeoutMs?: number;
  /**
   * Total time one request may take, every attempt, redirect and retry wait included. The per-chunk
   * timeout alone lets a server that sends a byte every half second hold a request open for ever.
   */
  requestDeadlineMs?: number;
  /** Total time all requests of this client (one source's fetch) may take, from its first request. */
  sourceDeadlineMs?: number;
  maxBytes?: number;
  retries?: number;
  /** Base for exponential backoff (ms); jitter is added. */
  retryBaseMs?: number;
  /** Upper bound for any single wait, including Retry-After. */
  retryMaxWaitMs?: number;
  perHostConcurrency?: number;
  /** Tests only: allow plain http to loopback addresses (127.0.0.1, localhost, ::1). */
  allowLoopbackHttp?: boolean;
  /** Injectable for tests (undici MockAgent etc.). */
  dispatcher?: unknown;
  /** Injectable sleep so tests need not wait real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Progress notes (retries, waits). Never receives header values. */
  log?: (message: string) => void;
}

const packageVersion: string = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;

export const DEFAULT_USER_AGENT = `icewatch/${packageVersion} (+https://github.com/icewatch/icewatch)`;

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  bodyTimeoutMs: 60_000,
  // Bulk downloads of a few hundred MB take minutes; an hour-long trickle is an attack or a broken server.
  requestDeadlineMs: 20 * 60_000,
  sourceDeadlineMs: 45 * 60_000,
  maxBytes: 64 * 1024 * 1024,
  retries: 4,
  retryBaseMs: 1_000,
  retryMaxWaitMs: 60_000,
  perHostConcurrency: 2,
} as const;

export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Error codes that mean "try again later", not "your request is wrong". */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns ms, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** A transient failure inside one attempt; the retry loop decides whether to try again. */
class TransientFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

interface BodySink<T> {
  /** Consumes the body stream; must reject if the stream errors. */
  consume(body: Readable, url: string): Promise<T>;
  /** Undo partial output before a retry or after a failure. */
  reset(): Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Bodies of error responses are untrusted text: keep a short, printable excerpt for the message. */
function excerpt(body: Buffer): string {
  const text = body.subarray(0, 400).toString('utf8').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Reads at most `limit` bytes of a stream, discarding the rest; used for error bodies. */
async function readSome(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      if (size < limit) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    }
  } catch {
    // An error body that breaks off is not worth a second failure.
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

// The HTTP stack is loaded on the first request: an offline run, which makes none, does not pay for it.
let undici: Promise<typeof import('undici')> | undefined;
function loadUndici(): Promise<typeof import('undici')> {
  undici ??= import('undici');
  return undici;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const sourceId = options.sourceId;
  const allowedHosts = new Set(options.allowedHosts.map((host) => host.toLowerCase()));
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs;
  const requestDeadlineMs = options.requestDeadlineMs ?? DEFAULTS.requestDeadlineMs;
  const sourceDeadlineMs = options.sourceDeadlineMs ?? DEFAULTS.sourceDeadlineMs;
  let sourceDeadlineAt: number | undefined;
  const defaultMaxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  const retries = options.retries ?? DEFAULTS.retries;
  const retryBaseMs = options.retryBaseMs ?? DEFAULTS.retryBaseMs;
  const retryMaxWaitMs = options.retryMaxWaitMs ?? DEFAULTS.retryMaxWaitMs;
  const perHostConcurrency = options.perHostConcurrency ?? DEFAULTS.perHostConcurrency;
  const sleep = options.sleep ?? defaultSleep;
  const log = options.log ?? (() => {});
  // Redirects are never followed by undici here (v7 only follows them with the redirect interceptor),
  // so every hop comes back to checkUrl below.
  let dispatcher: Dispatcher | undefined = options.dispatcher as Dispatcher | undefined;
  const limiters = new Map<string, ReturnType<typeof pLimit>>();

  async function limiterFor(host: string): Promise<ReturnType<typeof pLimit>> {
    let limiter = limiters.get(host);
    if (!limiter) {
      const { default: limit } = await import('p-limit');
      // Another request may have made it while the module loaded.
      limiter = limiters.get(host) ?? limit(perHostConcurrency);
      limiters.set(host, limiter);
    }
    return limiter;
  }

  function checkUrl(raw: string, redirectedFrom?: URL): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new SourceFormatError(sourceId, `not a valid URL: ${raw.slice(0, 200)}`, { path: 'url' });
    }
    const host = url.hostname.toLowerCase();
    const loopbackHttp = options.allowLoopbackHttp === true && url.protocol === 'http:' && LOOPBACK_HOSTS.has(host);
    if (url.protocol !== 'https:' && !loopbackHttp) {
      const what = redirectedFrom ? `redirect from ${redirectedFrom.host} to ${url.protocol}//${url.host}` : `${url.protocol}//${url.host}`;
      throw new SourceFormatError(sourceId, `refusing ${what}: only https is allowed`, { path: 'url' });
    }
    if (!allowedHosts.has(host)) {
      const message = redirectedFrom
        ? `refusing redirect from ${redirectedFrom.hostname} to ${url.hostname}: host not in the allowlist (${[...allowedHosts].join(', ')})`
        : `refusing ${url.hostname}: host not in the allowlist (${[...allowedHosts].join(', ')})`;
      throw new SourceFormatError(sourceId, message, { path: 'url' });
    }
    return url;
  }

  /** One attempt: follows redirects (each hop checked), returns the final status and consumed body. */
  async function attempt<T>(req: HttpRequest, sink: BodySink<T>, maxBytes: number): Promise<{ status: number; url: string; headers: Record<string, string>; result: T }> {
    let url = checkUrl(req.url);
    let method: 'GET' | 'POST' = req.method ?? (req.json === undefined ? 'GET' : 'POST');
    let payload: string | undefined = req.json === undefined ? undefined : JSON.stringify(req.json);
    const originalHost = url.host;

    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { accept: 'application/json, */*;q=0.5', ...lowerKeys(req.headers ?? {}), 'user-agent': userAgent };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      // Credentials are for the host they were given for.
      if (url.host !== originalHost) delete headers.authorization;

      const current = url;
      const { request, Agent } = await loadUndici();
      dispatcher ??= new Agent({ connect: { timeout: connectTimeoutMs }, headersTimeout: bodyTimeoutMs, bodyTimeout: bodyTimeoutMs });
      const via = dispatcher;
      const response = await (await limiterFor(current.host))(async () => {
        let res: Dispatcher.ResponseData;
        try {
          res = await request(current, {
            dispatcher: via,
            method,
            headers,
            body: payload,
            signal: req.signal,
            headersTimeout: bodyTimeoutMs,
            bodyTimeout: bodyTimeoutMs,
          });
        } catch (error) {
          throw classifyNetworkError(error, current);
        }
        const status = res.statusCode;
        const resHeaders = flattenHeaders(res.headers);
        const body = res.body as unknown as Readable;

        if (REDIRECT_STATUSES.has(status) && resHeaders.location !== undefined) {
          await readSome(body, 0);
          return { kind: 'redirect' as const, status, location: resHeaders.location };
        }
        if (status < 200 || status >= 300) {
          const errorBody = await readSome(body, 4096);
          const retryAfterMs = parseRetryAfter(resHeaders['retry-after']);
          const detail = excerpt(errorBody);
          const message = `HTTP ${status} from ${describe(current)}${detail ? `: ${detail}` : ''}`;
          if (isRetryableStatus(status)) throw new TransientFailure(message, status, retryAfterMs);
          throw new SourceUnavailableError(sourceId, message, { url: describe(current), status, attempts: 1 });
        }

        const declared = resHeaders['content-length'] === undefined ? undefined : Number(resHeaders['content-length']);
        if (declared !== undefined && Number.isFinite(declared) && declared > maxBytes) {
          discard(body);
          throw tooLarge(current, maxBytes, `declared content-length ${declared}`);
        }
        let received = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            received += chunk.length;
            if (received > maxBytes) {
              callback(tooLarge(current, maxBytes, `more than ${maxBytes} bytes received`));
              return;
            }
            callback(null, chunk);
          },
        });
        body.on('error', (error) => counter.destroy(error));
        body.pipe(counter);
        let result: T;
        try {
          result = await sink.consume(counter, describe(current));
        } catch (error) {
          discard(body);
          if (error instanceof SourceFormatError || error instanceof SourceUnavailableError) throw error;
          throw classifyNetworkError(error, current);
        }
        // undici normally catches a short body itself; this also covers dispatchers that don't.
        if (declared !== undefined && Number.isFinite(declared) && received !== declared && !resHeaders['content-encoding']) {
          throw new TransientFailure(`truncated body from ${describe(current)}: ${received} of ${declared} bytes`);
        }
        return { kind: 'done' as const, status, headers: resHeaders, result };
      });

      if (response.kind === 'done') return { status: response.status, url: current.toString(), headers: response.headers, result: response.result };

      if (hop >= MAX_REDIRECTS) {
        throw new SourceUnavailableError(sourceId, `too many redirects (more than ${MAX_REDIRECTS}) starting at ${describe(checkUrl(req.url))}`, {
          url: describe(current),
          status: response.status,
        });
      }
      url = checkUrl(new URL(response.location, current).toString(), current);
      // 303 always, and 301/302 after a POST in practice, become a GET without a body (RFC 9110 §15.4).
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        payload = undefined;
      }
    }
  }

  function classifyNetworkError(error: unknown, url: URL): unknown {
    if (error instanceof SourceFormatError || error instanceof SourceUnavailableError || error instanceof TransientFailure) return error;
    const code = errorCode(error);
    if ((error as { name?: string })?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return error;
    if (code !== undefined && TRANSIENT_CODES.has(code)) {
      const what =
        code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_SOCKET' ? 'connection closed early (truncated body)' : code.startsWith('UND_ERR_') && code.includes('TIMEOUT') ? 'timed out' : code;
      return new TransientFailure(`${what} (${code}) at ${describe(url)}`, undefined, undefined, error);
    }
    return new SourceUnavailableError(sourceId, `request to ${describe(url)} failed: ${(error as Error)?.message ?? String(error)}`, { url: describe(url), cause: error });
  }

  function tooLarge(url: URL, maxBytes: number, what: string): SourceFormatError {
    return new SourceFormatError(sourceId, `response from ${describe(url)} exceeds the ${maxBytes}-byte size cap (${what}); raise maxBytes for this request if that is expected`, {
      file: describe(url),
    });
  }

  async function withRetries<T>(req: HttpRequest, sink: BodySink<T>) {
    const startedAt = Date.now();
    sourceDeadlineAt ??= startedAt + sourceDeadlineMs;
    const requestDeadlineAt = startedAt + requestDeadlineMs;
    const deadlineAt = Math.min(requestDeadlineAt, sourceDeadlineAt);
    const which = deadlineAt === requestDeadlineAt ? `the request's total deadline of ${Math.round(requestDeadlineMs / 1000)} s` : `the source's total deadline of ${Math.round(sourceDeadlineMs / 1000)} s`;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), Math.max(0, deadlineAt - startedAt));
    timer.unref?.();
    const signal = req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal;
    let attempts = 0;
    const overdue = () =>
      new SourceUnavailableError(sourceId, `${safeDescribe(req.url)} exceeded ${which} (the server answered too slowly, or kept the body trickling); try again later`, {
        url: safeDescribe(req.url),
        attempts: Math.max(1, attempts),
      });
    try {
      return await withRetriesUntil({ ...req, signal }, sink, () => deadline.signal.aborted, overdue, () => (attempts += 1));
    } catch (error) {
      if (deadline.signal.aborted && !req.signal?.aborted && !(error instanceof SourceFormatError)) throw overdue();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async function withRetriesUntil<T>(req: HttpRequest, sink: BodySink<T>, isOverdue: () => boolean, overdue: () => Error, onAttempt: () => void) {
    const maxBytes = req.maxBytes ?? defaultMaxBytes;
    let last: TransientFailure | undefined;
    for (let attemptNo = 0; attemptNo <= retries; attemptNo++) {
      if (isOverdue()) throw overdue();
      if (req.signal?.aborted) throw req.signal.reason ?? new Error('aborted');
      try {
        onAttempt();
        return await attempt(req, sink, maxBytes);
      } catch (error) {
        await sink.reset();
        if (isOverdue()) throw overdue();
        if (!(error instanceof TransientFailure)) throw error;
        last = error;
        if (attemptNo === retries) break;
        const wait =
          error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, retryMaxWaitMs) : backoffDelay(attemptNo, retryBaseMs, retryMaxWaitMs);
        log(`${sourceId}: ${error.message}; retry ${attemptNo + 1}/${retries} in ${wait} ms`);
        await sleep(wait);
      }
    }
    const attempts = retries + 1;
    throw new SourceUnavailableError(sourceId, `${last?.message ?? 'request failed'} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, {
      url: safeDescribe(req.url),
      ...(last?.status === undefined ? {} : { status: last.status }),
      attempts,
      cause: last?.cause ?? last,
    });
  }

  const client: HttpClient = {
    async request(req) {
      const sink: BodySink<Buffer> = {
        async consume(body) {
          const chunks: Buffer[] = [];
          for await (const chunk of body) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks);
        },
        async reset() {},
      };
      const { status, url, headers, result } = await withRetries(req, sink);
      return { status, url, headers, body: result };
    },

    async json<T = unknown>(req: HttpRequest) {
      const response = await client.request(req);
      try {
        return { response, data: JSON.parse(response.body.toString('utf8')) as T };
      } catch (error) {
        throw new SourceFormatError(sourceId, `response is not JSON (${(error as Error).message})`, { file: safeDescribe(response.url) });
      }
    },

    async download(req, destPath) {
      let bytes = 0;
      const sink: BodySink<number> = {
        async consume(body) {
          bytes = 0;
          const counter = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              bytes += chunk.length;
              callback(null, chunk);
            },
          });
          const file = createWriteStream(destPath);
          try {
            await pipeline(body, counter, file);
          } catch (error) {
            // The file may still be opening; reset() must not race it and leave a partial file behind.
            if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
            throw error;
          }
          return bytes;
        },
        async reset() {
          await rm(destPath, { force: true });
        },
      };
      const { status, url, result } = await withRetries(req, sink);
      return { status, url, bytes: result };
    },
  };
  return client;
}

/** Destroying an undici body emits an AbortError; nobody is listening any more, so swallow it. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** URL for messages: no credentials, no query string (it may carry an api_key). */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function safeDescribe(raw: string): string {
  try {
    return describe(new URL(raw));
  } catch {
    return raw.slice(0, 200);
  }
}
