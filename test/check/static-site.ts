/**
 * The Pages artifact as the deploy builds it (v1/ and site/ contents in one folder root), served from
 * 127.0.0.1 for the browser tests. Every response carries the page's CSP as a header too, the way a
 * strict host would, so a violation shows up either way.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHECK_PAGE_CSP } from '../../scripts/check/site-page.ts';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xml: 'application/atom+xml; charset=utf-8',
};

export interface StaticSite {
  origin: string;
  requested: string[];
  close(): Promise<void>;
}

export async function serveFiles(files: ReadonlyMap<string, string>): Promise<StaticSite> {
  const requested: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\//, '');
    requested.push(path);
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const ext = path.split('.').pop() ?? '';
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'content-security-policy': CHECK_PAGE_CSP }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requested,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
