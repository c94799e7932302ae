/**
 * One rig per source: the source definition pointed at a local server on 127.0.0.1, the routes around
 * the request that carries the records, and the bodies for the body-level faults (wrong shape, empty,
 * a sudden drop in rows) with what the source must do with each.
 *
 * usaspending, usaspending-download and fpds have `create…Source({ baseUrl })` factories. The three
 * watchdog sources have fixed https URLs and no factory, so their real definitions are used unchanged
 * and only the TCP destination is moved: an undici dispatcher sends every connection to the local
 * server (the allowlist, https rule, Accept headers and fallback order all run as in production).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as toCsv } from 'csv-stringify/sync';
import { Agent, type Dispatcher } from 'undici';
import { expect } from 'vitest';
import type { AwardRecord } from '../../scripts/records.ts';
import type { Snapshot } from '../../scripts/snapshots/store.ts';
import type { UpdateSourceResult } from '../../scripts/snapshots/update-source.ts';
import { CTWWI_PAGE_URL, CTWWI_SOURCE_URL } from '../../scripts/sources/companies-that-work-with-ice/schema.ts';
import { companiesThatWorkWithIceSource } from '../../scripts/sources/companies-that-work-with-ice/index.ts';
import { createFpdsSource } from '../../scripts/sources/fpds/index.ts';
import { FEED_PATH } from '../../scripts/sources/fpds/fetch.ts';
import { techqueriaSource } from '../../scripts/sources/techqueria/index.ts';
import { TECHQUERIA_PAGE_URL, TECHQUERIA_SOURCE_URL } from '../../scripts/sources/techqueria/schema.ts';
import { twcTopContractorsSource } from '../../scripts/sources/twc-top-contractors/index.ts';
import { TWC_POST_URL } from '../../scripts/sources/twc-top-contractors/schema.ts';
import type { SourceDefinition } from '../../scripts/sources/types.ts';
import { createUsaspendingDownloadSource } from '../../scripts/sources/usaspending-download/index.ts';
import { createUsaspendingSource } from '../../scripts/sources/usaspending/index.ts';
import { recordKey } from '../../scripts/records.ts';
import { SourceFormatError } from '../../scripts/util/errors.ts';
import { json, text, type Handler, type LocalServer } from '../helpers/local-server.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';
import { madePage } from '../sources/fpds/feed-pages.ts';
import { makeZip } from '../sources/usaspending-download/make-zip.ts';
import { scratchDir } from './fs-state.ts';

export type BodyFault = 'wrong-shape' | 'empty-200' | 'valid-but-empty' | 'five-percent';

/** What the source must do with a body: refuse it with a SourceFormatError, or accept it as documented. */
export type BodyOutcome =
  | { refuse: { message: RegExp; file?: string | RegExp; path?: string; line?: number } }
  | { accept: string; check: (result: UpdateSourceResult, previous: Snapshot) => void };

export interface BodyCase {
  /** Handler for the data route(s). */
  data?: Handler;
  /** Other routes replaced for this case (e.g. the download's status endpoint). */
  routes?: Record<string, Handler>;
  outcome: BodyOutcome;
}

export interface SourceRig {
  id: string;
  source(server: LocalServer): SourceDefinition;
  /** A dispatcher that connects every request to the local server (watchdogs with fixed URLs). */
  dispatcher?(server: LocalServer): Dispatcher;
  /** Paths of the requests that carry the records, in the order the source tries them. */
  dataPaths: string[];
  /** The URL (no query) a network failure of the first data request is reported against. */
  dataUrl(server: LocalServer): string;
  /** Routes a normal run needs besides the data route. */
  install(server: LocalServer, data: Handler): void;
  body(fault: BodyFault, previous: Snapshot): Promise<BodyCase>;
}

// ---- helpers ----------------------------------------------------------------------------------

/** How many rows "5% of the usual" is, never zero. */
export function fivePercentOf(count: number): number {
  return Math.max(1, Math.ceil(count * 0.05));
}

/** updateSource's share rule: far fewer records than the last snapshot (per list, for sources that report lists). */
function shareRuleRefusal(kept: number, previous: number, list?: string): BodyOutcome {
  const where = list ? ` on list ${list}` : '';
  return { refuse: { message: new RegExp(`parse yielded ${kept} records${where} where the last snapshot has ${previous}; refusing to replace it`) } };
}

/** Keeps the first `keep` items of every bullet list in a Markdown text (a page that lost most rows). */
export function thinBulletLists(markdown: string, keep: number): string {
  let run = 0;
  return markdown
    .split('\n')
    .filter((line) => {
      if (!/^\s*[-*+] /.test(line)) {
        run = 0;
        return true;
      }
      run += 1;
      return run <= keep;
    })
    .join('\n');
}

/** Keeps the first `keep` body rows of every pipe table (the head row counts as a row when it holds data). */
export function thinTables(markdown: string, keep: number): string {
  let rows = 0;
  return markdown
    .split('\n')
    .filter((line) => {
      if (!line.startsWith('|')) {
        rows = 0;
        return true;
      }
      if (/^\|[\s|:-]+\|\s*$/.test(line)) return true; // delimiter row
      rows += 1;
      return rows <= keep;
    })
    .join('\n');
}

/** Replaces every pipe table with a header row and no data rows (a table that came back empty). */
export function headerOnlyTables(markdown: string): string {
  const out: string[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) out.push(line);
    else if (out.at(-1)?.startsWith('|') !== true) out.push('| Contractor | FY2025 outlays |', '| --- | --- |');
  }
  return out.join('\n');
}

function loopback(server: LocalServer): Dispatcher {
  return new Agent({ connect: { timeout: 5_000 } }).compose(
    (dispatch) => (options, handler) => dispatch({ ...options, origin: server.origin }, handler),
  );
}

const markdownType = { 'content-type': 'text/plain; charset=utf-8' };
const htmlType = { 'content-type': 'text/html; charset=utf-8' };

function pathOf(url: string): string {
  return new URL(url).pathname;
}

async function read(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

// ---- usaspending (API) ------------------------------------------------------------------------

const SEARCH_PATH = '/api/v2/search/spending_by_award/';

function searchPage(results: unknown[]): Record<string, unknown> {
  return {
    spending_level: 'awards',
    limit: 100,
    results,
    page_metadata: { page: 1, hasNext: false, last_record_unique_id: null, last_record_sort_value: 'None' },
    messages: [],
  };
}

/** Rows in the real row shape: the first row of the recorded response, with fresh ICE-like keys. */
async function searchRows(count: number): Promise<unknown[]> {
  const recording = JSON.parse(await read(sharedFixture('usaspending/api/nasa_spending_by_award_contracts.json'))) as { results: Array<Record<string, unknown>> };
  const template = recording.results[0]!;
  return Array.from({ length: count }, (_, i) => {
    const piid = `70CDCR26C0000${String(i + 1).padStart(4, '0')}`;
    return { ...template, internal_id: 900000 + i, 'Award ID': piid, generated_internal_id: `CONT_AWD_${piid}_7012_-NONE-_-NONE-` };
  });
}

const usaspendingRig: SourceRig = {
  id: 'usaspending',
  source: (server) => createUsaspendingSource({ baseUrl: server.origin }),
  dataPaths: [SEARCH_PATH],
  dataUrl: (server) => server.url(SEARCH_PATH),
  install(server, data) {
    server.route(`POST ${SEARCH_PATH}`, data);
  },
  async body(fault, previous) {
    const count = previous.records.length;
    switch (fault) {
      case 'wrong-shape':
        return {
          data: json({ messages: ['The search service is being upgraded'], results: 'unavailable', page_metadata: { page: 1, hasNext: false } }),
          outcome: { refuse: { message: /spending_by_award page has the wrong shape/, path: 'results', file: /spending_by_award\/ \(contracts, page 1\)$/ } },
        };
      case 'empty-200':
        return { data: text('', 200, { 'content-type': 'application/json' }), outcome: { refuse: { message: /response is not JSON/, file: /\/api\/v2\/search\/spending_by_award\/$/ } } };
      case 'valid-but-empty':
        // A full crawl (no checkpoint) that brings nothing is refused before any share rule: ICE has awards.
        return { data: json(searchPage([])), outcome: { refuse: { message: /a full crawl of contracts and idvs returned no awards/, path: 'results' } } };
      case 'five-percent': {
        const rows = await searchRows(fivePercentOf(count));
        return { data: json(searchPage(rows)), outcome: shareRuleRefusal(rows.length, count) };
      }
    }
  },
};

// ---- usaspending-download (bulk download zip) ---------------------------------------------------

const DOWNLOAD_REQUEST = '/api/v2/bulk_download/awards/';
const DOWNLOAD_STATUS = '/api/v2/download/status';
const ZIP_NAME = 'ICE_faults_2026-03-01.zip';
const ZIP_PATH = `/files/${ZIP_NAME}`;
const SUBAWARDS = sharedFixture('usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv');

function statusBody(state: string): Record<string, unknown> {
  return { status: state, message: null, file_name: ZIP_NAME, file_url: ZIP_PATH, total_size: null, total_columns: null, total_rows: null, seconds_elapsed: '1.2' };
}

/** A zip like USAspending's holding the recorded subaward file cut to the rows of its first `awards` prime awards. */
async function subawardZip(awards: number): Promise<Buffer> {
  const rows = parseCsv(await readFile(SUBAWARDS), { bom: true }) as string[][];
  const header = rows[0]!;
  const keyColumn = header.indexOf('prime_award_unique_key');
  const keys = new Set<string>();
  const kept: string[][] = [];
  for (const row of rows.slice(1)) {
    const key = row[keyColumn] ?? '';
    if (!keys.has(key)) {
      if (keys.size >= awards) continue;
      keys.add(key);
    }
    kept.push(row);
  }
  const dir = await scratchDir('zip');
  const path = join(dir, ZIP_NAME);
  await makeZip(path, [{ name: 'ICE_faults_Contracts_Subawards_2026-03-01_H12M00S00_1.csv', data: toCsv([header, ...kept], { record_delimiter: '\r\n' }) }]);
  return readFile(path);
}

const zipType = { 'content-type': 'application/zip' };

const downloadRig: SourceRig = {
  id: 'usaspending-download',
  // One fiscal-year window (FY2026 so far), polling without real waits.
  source: (server) =>
    createUsaspendingDownloadSource({ baseUrl: server.origin, startDate: '2025-10-01', pollIntervalMs: 1, maxPollIntervalMs: 1, sleep: async () => {} }),
  dataPaths: [ZIP_PATH],
  dataUrl: (server) => server.url(ZIP_PATH),
  install(server, data) {
    server.route(`POST ${DOWNLOAD_REQUEST}`, json({ status_url: server.url(`${DOWNLOAD_STATUS}?file_name=${ZIP_NAME}`), file_name: ZIP_NAME, file_url: ZIP_PATH, download_request: {} }));
    server.route(DOWNLOAD_STATUS, json(statusBody('finished')));
    server.route(ZIP_PATH, data);
  },
  async body(fault, previous) {
    const count = previous.records.length;
    switch (fault) {
      case 'wrong-shape': {
        const { file_name: _dropped, ...withoutName } = statusBody('finished');
        return {
          routes: { [DOWNLOAD_STATUS]: json(withoutName) },
          outcome: { refuse: { message: /expected string, received undefined/, path: 'file_name', file: /\/api\/v2\/download\/status\?file_name=/ } },
        };
      }
      case 'empty-200':
        return { data: text('', 200, zipType), outcome: { refuse: { message: /the CSV is empty \(no header row\)/, file: `01-${ZIP_NAME}` } } };
      case 'valid-but-empty':
        return { data: text(await subawardZip(0), 200, zipType), outcome: shareRuleRefusal(0, count) };
      case 'five-percent': {
        const awards = fivePercentOf(count);
        return { data: text(await subawardZip(awards), 200, zipType), outcome: shareRuleRefusal(awards, count) };
      }
    }
  },
};

// ---- fpds (ATOM feed) -------------------------------------------------------------------------

const atomType = { 'content-type': 'application/atom+xml; charset=UTF-8' };

/** Every previous record is still in the new snapshot, unchanged. */
function keepsEveryPrevious(result: UpdateSourceResult, previous: Snapshot): void {
  const now = new Map(result.records.map((r) => [recordKey(r), JSON.stringify(r)]));
  const missing = previous.records.filter((r) => !now.has(recordKey(r)));
  expect(missing.map(recordKey)).toEqual([]);
}

const fpdsRig: SourceRig = {
  id: 'fpds',
  source: (server) => createFpdsSource({ baseUrl: server.origin }),
  dataPaths: [FEED_PATH],
  dataUrl: (server) => server.url(FEED_PATH),
  install(server, data) {
    server.route(FEED_PATH, data);
  },
  async body(fault, previous) {
    switch (fault) {
      case 'wrong-shape':
        return {
          data: text('<!DOCTYPE html><html><head><title>FPDS-NG: scheduled maintenance</title></head><body><h1>Down for maintenance</h1></body></html>', 200, htmlType),
          // Any DOCTYPE is refused unread (issue 15), so the maintenance page is named by it.
          outcome: { refuse: { message: /not an ATOM feed: it declares a DOCTYPE \(html\), which FPDS feeds never do/, file: /\/ezsearch\/FEEDS\/ATOM\?/ } },
        };
      case 'empty-200':
        return { data: text('', 200, atomType), outcome: { refuse: { message: /not an ATOM feed/, file: /\/ezsearch\/FEEDS\/ATOM\?/ } } };
      case 'valid-but-empty':
        return {
          data: text(madePage([]), 200, atomType),
          outcome: {
            accept: 'fpds fetches are incremental (LAST_MOD_DATE window): a window with no modified actions is normal; records kept, checkpoint moves',
            check(result, prev) {
              keepsEveryPrevious(result, prev);
              expect(result.records).toHaveLength(prev.records.length);
              expect(result.meta.contentHash).toBe(prev.meta.contentHash);
              expect(result.meta.checkpoint).toBe('2026-03-01');
            },
          },
        };
      case 'five-percent': {
        const entries = Array.from({ length: fivePercentOf(previous.records.length) }, (_, i) => ({ piid: `70CDCR26F9999${String(i + 1).padStart(4, '0')}` }));
        return {
          data: text(madePage(entries), 200, atomType),
          outcome: {
            accept: 'fpds fetches are incremental: a small window is merged into the snapshot (upsert), every previous award kept',
            check(result, prev) {
              keepsEveryPrevious(result, prev);
              expect(result.added).toBe(entries.length);
              expect(result.removed).toBe(0);
              expect(result.records).toHaveLength(prev.records.length + entries.length);
              expect((result.records as AwardRecord[]).filter((r) => r.piid.startsWith('70CDCR26F9999')).map((r) => r.piid)).toEqual(entries.map((e) => e.piid));
            },
          },
        };
      }
    }
  },
};

// ---- watchdogs ----------------------------------------------------------------------------------

const TECHQUERIA_2020 = sharedFixture('watchdogs/techqueria/no-tech-for-ice.2020-02-17.ea48a571.with-never-reached-out.md');
const TECHQUERIA_NO_LISTS = sharedFixture('watchdogs/techqueria/no-tech-for-ice.2021-03-22.bfc27f28.current-no-lists.md');
const CTWWI = sharedFixture('watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md');
const TWC = sharedFixture('watchdogs/twc/2026-02-22-corporate-targets-for-tech-worker-activism-against-ice.md');

const otherPage = (title: string) =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>Nothing about ICE here.</p></body></html>`;

const techqueriaRig: SourceRig = {
  id: 'techqueria',
  source: () => techqueriaSource,
  dispatcher: loopback,
  dataPaths: [pathOf(TECHQUERIA_PAGE_URL), pathOf(TECHQUERIA_SOURCE_URL)],
  dataUrl: () => TECHQUERIA_PAGE_URL,
  install(server, data) {
    for (const path of this.dataPaths) server.route(path, data);
  },
  async body(fault, previous) {
    const titleMissing = { refuse: { message: /page title "No Tech For ICE" not found/, path: 'title', file: TECHQUERIA_PAGE_URL } };
    switch (fault) {
      case 'wrong-shape':
        return { data: text(otherPage('Techqueria: Events'), 200, htmlType), outcome: titleMissing };
      case 'empty-200':
        return { data: text('', 200, htmlType), outcome: titleMissing };
      case 'valid-but-empty':
        return {
          data: text(await read(TECHQUERIA_NO_LISTS), 200, markdownType),
          outcome: {
            accept: 'the page kept its title and sections but dropped its lists (as it did in late 2020): a real state, stored as lists-removed',
            check(result) {
              expect(result.records).toEqual([]);
              expect(result.meta.state).toBe('lists-removed');
              expect(result.removed).toBe(previous.records.length);
            },
          },
        };
      case 'five-percent': {
        // Each list keeps its heading and one entry: the smallest page that still has all its lists.
        // The 2020-02-17 page has Declined 7, Past Partners 1, Never Reached Out 12.
        const page = thinBulletLists(await read(TECHQUERIA_2020), 1);
        expect(previous.records.filter((r) => r.recordType === 'mention' && r.list === 'never-reached-out')).toHaveLength(12);
        return { data: text(page, 200, markdownType), outcome: shareRuleRefusal(1, 12, 'never-reached-out') };
      }
    }
  },
};

const ctwwiRig: SourceRig = {
  id: 'companies-that-work-with-ice',
  source: () => companiesThatWorkWithIceSource,
  dispatcher: loopback,
  dataPaths: [pathOf(CTWWI_SOURCE_URL), pathOf(CTWWI_PAGE_URL)],
  dataUrl: () => CTWWI_SOURCE_URL,
  install(server, data) {
    for (const path of this.dataPaths) server.route(path, data);
  },
  async body(fault, previous) {
    const titleMissing = { refuse: { message: /page title "Companies that work with ICE" not found/, path: 'title', file: CTWWI_SOURCE_URL } };
    switch (fault) {
      case 'wrong-shape':
        return { data: text(otherPage('Page not found · GitHub'), 200, htmlType), outcome: titleMissing };
      case 'empty-200':
        return { data: text('', 200, markdownType), outcome: titleMissing };
      case 'valid-but-empty':
        return {
          data: text(thinBulletLists(await read(CTWWI), 0), 200, markdownType),
          outcome: { refuse: { message: /the "The Companies" section has no list under it/, line: 10, path: 'section "The Companies"', file: CTWWI_SOURCE_URL } },
        };
      case 'five-percent': {
        const keep = fivePercentOf(previous.records.length);
        return { data: text(thinBulletLists(await read(CTWWI), keep), 200, markdownType), outcome: shareRuleRefusal(keep, previous.records.length, 'listed') };
      }
    }
  },
};

const twcRig: SourceRig = {
  id: 'twc-top-contractors',
  source: () => twcTopContractorsSource,
  dispatcher: loopback,
  dataPaths: [pathOf(TWC_POST_URL)],
  dataUrl: () => TWC_POST_URL,
  install(server, data) {
    server.route(this.dataPaths[0]!, data);
  },
  async body(fault, previous) {
    switch (fault) {
      case 'wrong-shape':
        return {
          data: text(otherPage('Tech Workers Coalition'), 200, htmlType),
          outcome: { refuse: { message: /no table of contractors with dollar amounts found \(0 table\(s\) on the page\)/, path: 'table', file: TWC_POST_URL } },
        };
      case 'empty-200':
        return { data: text('', 200, htmlType), outcome: { refuse: { message: /no table of contractors with dollar amounts found/, path: 'table', file: TWC_POST_URL } } };
      case 'valid-but-empty':
        return {
          data: text(headerOnlyTables(await read(TWC)), 200, markdownType),
          outcome: { refuse: { message: /no table of contractors with dollar amounts found \(1 table\(s\) on the page\)/, path: 'table', file: TWC_POST_URL } },
        };
      case 'five-percent': {
        const keep = fivePercentOf(previous.records.length);
        return { data: text(thinTables(await read(TWC), keep), 200, markdownType), outcome: shareRuleRefusal(keep, previous.records.length, 'top-contractors') };
      }
    }
  },
};

export const RIGS: readonly SourceRig[] = [usaspendingRig, downloadRig, fpdsRig, techqueriaRig, ctwwiRig, twcRig];

/** Checks a refusal: the typed error, its source, and where it points. */
export function expectRefusal(error: unknown, sourceId: string, refuse: Extract<BodyOutcome, { refuse: unknown }>['refuse']): void {
  expect(error).toBeInstanceOf(SourceFormatError);
  const e = error as SourceFormatError;
  expect(e.sourceId).toBe(sourceId);
  expect(e.message.startsWith(`source ${sourceId} format: `)).toBe(true);
  expect(e.message).toMatch(refuse.message);
  if (refuse.path !== undefined) expect(e.details.path).toBe(refuse.path);
  if (refuse.line !== undefined) expect(e.details.line).toBe(refuse.line);
  if (typeof refuse.file === 'string') expect(e.details.file).toBe(refuse.file);
  else if (refuse.file) expect(e.details.file).toMatch(refuse.file);
  // Where the error points is part of the message a person reads.
  for (const part of [e.details.file, e.details.path, e.details.line === undefined ? undefined : `line ${e.details.line}`]) {
    if (part) expect(e.message).toContain(part);
  }
}

