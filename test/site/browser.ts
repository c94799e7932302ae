/**
 * The real browser for the site tests: Debian's chromium driven by playwright-core (Playwright's own
 * browser download is not available where CI runs), and a tiny static server on 127.0.0.1 that serves
 * a built site the way GitHub Pages does (files by path, index.html for a folder, 404 otherwise).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * CHROMIUM_PATH, else Debian's package, else the Google Chrome that GitHub's Ubuntu runners carry
 * (their /usr/bin/chromium-browser is a snap shim that cannot run headless here).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/google-chrome'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';

/** Whether the browser tests can run; in CI a missing browser is a failure, never a skip. */
export function browserAvailability(): { run: boolean; reason?: string } {
  if (existsSync(CHROMIUM)) return { run: true };
  if (process.env.CI === 'true') throw new Error(`No browser at ${CHROMIUM}: .ci/run installs Debian's chromium (apt-get install -y chromium); CI must not skip the browser tests.`);
  return { run: false, reason: `browser tests skipped: no browser at ${CHROMIUM} (install it with: sudo apt-get install -y chromium (Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome)` };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export interface StaticServer {
  origin: string;
  url(path: string): string;
  close(): Promise<void>;
}

export async function serveStatic(root: string): Promise<StaticServer> {
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}/${path.replace(/^\//, '')}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
