/**
 * The check page in a real headless Chromium, served from 127.0.0.1: its results (the JSON and CSV it
 * offers for download) must equal `icewatch check` on the same input byte for byte, on the made list of
 * sponsor spellings, the development set and the real 2018 recipient list; nothing may leave the origin,
 * no script from the input may run, and a 500-name list must be done in under 2 s.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCheckSite } from '../../scripts/check/site-page.ts';
import { runCli } from '../helpers/cli-run.ts';
import { ownFixture, sharedFixture } from '../helpers/shared-fixtures.ts';
import { serveFiles, type StaticSite } from './static-site.ts';

const CHROMIUM = '/usr/bin/chromium';
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ROOT = resolve(import.meta.dirname, '../..');
const PUBLISHED = resolve(ROOT, 'data/published/v1');

async function cli(args: string[]): Promise<string> {
  const r = await runCli(['check', '--data', resolve(ROOT, 'data'), ...args]);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe.skipIf(!existsSync(CHROMIUM))('check page in Chromium', () => {
  let browser: Browser;
  let site: StaticSite;
  let page: Page;
  const dialogs: string[] = [];
  const foreign: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const files = new Map<string, string>();
    for (const f of await renderCheckSite('')) files.set(f.path.split(sep).join('/'), f.content);
    for (const name of ['companies.json', 'check-index.json']) files.set(name, await readFile(resolve(PUBLISHED, name), 'utf8'));
    site = await serveFiles(files);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ acceptDownloads: true });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('404')) consoleErrors.push(m.text());
    });
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(site.origin) && !url.startsWith('blob:') && !url.startsWith('data:')) foreign.push(url);
    });
    await page.goto(`${site.origin}/check.html`);
    await page.waitForSelector('body[data-check-ready="true"]');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  async function checkInPage(input: { text?: string; file?: string }): Promise<{ json: string; csv: string; ms: number }> {
    await page.evaluate(() => {
      delete document.body.dataset.checkMs;
    });
    // Emptied first: the wait below must see the file's names, not the previous check's still in the box.
    if (input.file) await page.fill('#check-names', '');
    if (input.file) await page.setInputFiles('#check-file', input.file);
    else await page.fill('#check-names', input.text ?? '');
    if (input.file) await page.waitForFunction(() => (document.getElementById('check-names') as HTMLTextAreaElement).value.length > 0);
    await page.click('button[type="submit"]');
    await page.waitForSelector('body[data-check-ms]', { timeout: 120_000 });
    // The files a person downloads (blob: URLs; the page's CSP keeps even its own script from fetching them).
    const download = async (id: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(`#${id}`)]);
      return readFile(await file.path(), 'utf8');
    };
    const ms = Number(await page.evaluate(() => document.body.dataset.checkMs));
    return { json: await download('check-download-json'), csv: await download('check-download-csv'), ms };
  }

  it('agrees with `icewatch check` on the made list of sponsor spellings (JSON and CSV)', async () => {
    const file = ownFixture('check/sponsor-spellings.txt');
    const text = await readFile(file, 'utf8');
    const inPage = await checkInPage({ text });
    expect(inPage.json).toBe(await cli(['--file', file, '--format', 'json']));
    expect(inPage.csv).toBe(await cli(['--file', file, '--format', 'csv']));
    const result = JSON.parse(inPage.json) as { rows: Array<{ input: string; outcome: string; companyId: string | null }> };
    const row = (name: string) => result.rows.find((r) => r.input === name)!;
    expect(row('AWS')).toMatchObject({ outcome: 'match', companyId: 'amazon' });
    expect(row('Cisco-Eagle')).toMatchObject({ outcome: 'none' });
    expect(row('Acenture')).toMatchObject({ outcome: 'possible', companyId: null });
    // The table shows the same rows.
    expect(await page.locator('#check-rows tr').count()).toBe(result.rows.length);
    expect(await page.locator('#check-summary').textContent()).toContain('need attention');
  }, 60_000);

  it('agrees with `icewatch check` on the development set, dropped as a CSV file', async () => {
    const file = sharedFixture('../matching/dev-cases.csv');
    const inPage = await checkInPage({ file });
    expect(inPage.json).toBe(await cli(['--file', file, '--format', 'json']));
  }, 60_000);

  it('agrees with `icewatch check` on the 4,903 real 2018 ICE parent recipients', async () => {
    const file = sharedFixture('../matching/ice-parent-recipients-2018-yinleon.csv');
    const inPage = await checkInPage({ file });
    const fromCli = await cli(['--file', file, '--format', 'json']);
    // 11 of the 4,903 rows have an empty recipient_parent_name: nothing to check, so no row.
    const named = (parse(await readFile(file, 'utf8'), { columns: true }) as Array<{ recipient_parent_name: string }>).filter((r) => r.recipient_parent_name.trim() !== '');
    expect(named).toHaveLength(4892);
    expect(JSON.parse(fromCli).rows).toHaveLength(named.length);
    expect(inPage.json).toBe(fromCli);
    console.log(`check page: 4,903 names in ${inPage.ms} ms`);
  }, 180_000);

  it('checks a 500-name list in under 2 s', async () => {
    const csv = await readFile(sharedFixture('../matching/ice-parent-recipients-2018-yinleon.csv'), 'utf8');
    const names = (parse(csv, { columns: true }) as Array<{ recipient_parent_name: string }>)
      .map((r) => r.recipient_parent_name.trim())
      .filter(Boolean)
      .slice(0, 500);
    const inPage = await checkInPage({ text: names.join('\n') });
    expect(JSON.parse(inPage.json).rows).toHaveLength(500);
    console.log(`check page: 500 names in ${inPage.ms} ms`);
    expect(inPage.ms).toBeLessThan(2000);
  }, 60_000);

  it('has no serious or critical axe violation, with results shown, at 375 and 1280 px', async () => {
    await checkInPage({ text: 'AWS\nAcenture\nCisco-Eagle\nThe GEO Group, Inc.' });
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      // Evaluated through the DevTools protocol, not as a page script, so the page's CSP stays as it is.
      await page.evaluate(AXE);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (d: Document, o: object) => Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe;
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact }));
      });
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    }
  }, 60_000);

  it('renders hostile names as text and never leaves the origin', async () => {
    await checkInPage({ text: '<img src=x onerror=alert(1)>\n<script>alert(2)</script>\njavascript:alert(3)\n\u202eevil\u202c Corp' });
    expect(dialogs).toEqual([]);
    expect(await page.locator('#check-rows img, #check-rows script').count()).toBe(0);
    expect(await page.locator('#check-rows').textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(site.requested.every((p) => ['check.html', 'assets/check.css', 'assets/check.js', 'companies.json', 'check-index.json', 'favicon.ico'].includes(p))).toBe(true);
  }, 60_000);
});
