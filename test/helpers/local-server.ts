/**
 * A scripted HTTP server on 127.0.0.1 (random port) for tests of the HTTP layer and the sources.
 * Routes are keyed by path (and optionally method: "POST /api/x"); every request is logged with its
 * body so tests can assert what was sent. Fault helpers cover what real APIs do to us: 429 with
 * Retry-After, 5xx bursts, hangs, bodies cut short and redirects.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoggedRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** Parsed body when it is JSON, else undefined. */
  json: unknown;
}

export interface HandlerContext {
  request: LoggedRequest;
  /** 1 for the first request this route has seen, 2 for the second … */
  call: number;
  server: LocalServer;
}

export type Handler = (res: ServerResponse, ctx: HandlerContext) => void | Promise<void>;

export interface LocalServer {
  /** e.g. http://127.0.0.1:43211 (no trailing slash) */
  origin: string;
  port: number;
  /** Every request received, in order. */
  requests: LoggedRequest[];
  /** Requests to one path (optionally one method). */
  requestsTo(path: string, method?: string): LoggedRequest[];
  /** Adds or replaces a route. `key` is "/path" or "METHOD /path" (pathname only, no query). */
  route(key: string, handler: Handler): void;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startLocalServer(routes: Record<string, Handler> = {}): Promise<LocalServer> {
  const table = new Map<string, Handler>(Object.entries(routes));
  const calls = new Map<string, number>();
  const sockets = new Set<Socket>();
  const requests: LoggedRequest[] = [];

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const logged: LoggedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      pathname: parsed.pathname,
      query: parsed.searchParams,
      headers: req.headers,
      body,
      json,
    };
    requests.push(logged);
    const key = table.has(`${logged.method} ${parsed.pathname}`) ? `${logged.method} ${parsed.pathname}` : parsed.pathname;
    const handler = table.get(key);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route for ${logged.method} ${parsed.pathname}`);
      return;
    }
    const call = (calls.get(key) ?? 0) + 1;
    calls.set(key, call);
    try {
      await handler(res, { request: logged, call, server: local });
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`handler failed: ${(error as Error).message}`);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  const local: LocalServer = {
    origin,
    port,
    requests,
    requestsTo: (path, method) => requests.filter((r) => r.pathname === path && (method === undefined || r.method === method)),
    route: (key, handler) => {
      table.set(key, handler);
    },
    url: (path) => `${origin}${path.startsWith('/') ? path : `/${path}`}`,
    close: async () => {
      // Hanging handlers keep sockets open forever; cut them so close() resolves.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return local;
}

// ---- handlers -------------------------------------------------------------------------------

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Handler {
  return (res) => {
    const body = Buffer.from(JSON.stringify(data));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers }).end(body);
  };
}

export function text(body: string | Buffer, status = 200, headers: Record<string, string> = {}): Handler {
  return (res) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(bytes.length), ...headers }).end(bytes);
  };
}

/** 429 Too Many Requests with a Retry-After of `retryAfter` (seconds, or an HTTP date string). */
export function tooManyRequests(retryAfter: number | string): Handler {
  return text('rate limited', 429, { 'retry-after': String(retryAfter) });
}

/** Answers `status` (default 500) for the first `times` calls to this route, then delegates to `then`. */
export function failTimes(times: number, then: Handler, status = 500): Handler {
  return (res, ctx) => (ctx.call <= times ? text(`failure ${ctx.call}`, status)(res, ctx) : then(res, ctx));
}

/** Plays handlers in order, one per call; the last one repeats. */
export function sequence(...handlers: Handler[]): Handler {
  return (res, ctx) => {
    const handler = handlers[Math.min(ctx.call, handlers.length) - 1];
    if (!handler) throw new Error('sequence() needs at least one handler');
    return handler(res, ctx);
  };
}

/** Never answers (the client's timeout must fire). With `afterHeaders`, sends headers then stalls. */
export function hang(afterHeaders = false): Handler {
  return (res) => {
    if (afterHeaders) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
    }
    // Left open on purpose; close() destroys the socket.
  };
}

/** Declares a content-length larger than what is sent, then drops the connection. */
export function truncated(body: string, declaredLength = Buffer.byteLength(body) + 100): Handler {
  return (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(declaredLength) });
    res.write(body, () => {
      // Give the bytes a moment to leave before the reset, so the client sees a short body, not nothing.
      setTimeout(() => res.socket?.destroy(), 10);
    });
  };
}

export function redirect(location: string, status = 302): Handler {
  return (res) => {
    res.writeHead(status, { location, 'content-length': '0' }).end();
  };
}
