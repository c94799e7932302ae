/**
 * Fetching the FPDS ATOM feed: one query for the contracting agency and a LAST_MOD_DATE window on
 * FEEDNAME=PUBLIC, then the same on FEEDNAME=DELETED; each walks the feed's `rel="next"` links (10
 * entries a page) until a short page or the `rel="last"` page. Each page is written to the work dir as
 * it arrives and checked to be an ATOM feed before its next link is trusted.
 *
 * Query syntax (FPDS "Atom Feed Usage"): `FIELD:"value"` terms separated by spaces are ANDed; date
 * ranges are `[YYYY/MM/DD,YYYY/MM/DD]`, inclusive; `VERSION=1.5.3` selects the UEI-era template.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceFormatError, SourceUnavailableError } from '../../util/errors.ts';
import type { FetchContext, FetchResult, RawInput, Shortfall } from '../types.ts';
import { FPDS_SOURCE_ID, readFeedPage } from './feed.ts';
import { FPDS_LIMITS } from './limits.ts';

export interface FpdsFetchOptions {
  /** Scheme and host of the feed, e.g. https://www.fpds.gov (tests point it at 127.0.0.1). */
  baseUrl: string;
  /** FPDS contracting agency (sub-tier) code; 7012 is U.S. Immigration and Customs Enforcement. */
  agencyId: string;
  /** Feed template version. */
  version: string;
  /** Window start when there is no checkpoint yet. */
  initialLookbackDays: number;
  /** Guard against a feed that never ends (or a window far too wide): fail past this many pages. */
  maxPages: number;
}

export const FEED_PATH = '/ezsearch/FEEDS/ATOM';

const DAY_MS = 86_400_000;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function fpdsDay(isoDate: string): string {
  return isoDate.replaceAll('-', '/');
}

/** The checkpoint is the previous window's end date (YYYY-MM-DD, or an ISO timestamp starting with one). */
function checkpointDate(checkpoint: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(checkpoint.trim());
  const date = match?.[1] ? new Date(`${match[1]}T00:00:00Z`) : undefined;
  if (!match?.[1] || !date || Number.isNaN(date.getTime()) || isoDay(date) !== match[1]) {
    throw new SourceFormatError(FPDS_SOURCE_ID, `checkpoint ${JSON.stringify(checkpoint)} is not a YYYY-MM-DD date`, { path: 'checkpoint' });
  }
  return date;
}

export interface FeedWindow {
  from: string;
  to: string;
}

/**
 * From the checkpoint to today (UTC). The window starts one day before the checkpoint: FPDS dates
 * are US Eastern, our clock is UTC, and an action modified late on the checkpoint day must not fall
 * between two runs. Overlap only re-reads actions, which fold and upsert idempotently.
 */
export function feedWindow(now: Date, checkpoint: string | undefined, initialLookbackDays: number): FeedWindow {
  const today = new Date(`${isoDay(now)}T00:00:00Z`);
  const start = checkpoint ? new Date(checkpointDate(checkpoint).getTime() - FPDS_LIMITS.overlapDays * DAY_MS) : new Date(today.getTime() - initialLookbackDays * DAY_MS);
  const from = start.getTime() > today.getTime() ? today : start;
  return { from: isoDay(from), to: isoDay(today) };
}

export function feedQuery(agencyId: string, window: FeedWindow): string {
  return `CONTRACTING_AGENCY_ID:"${agencyId}" LAST_MOD_DATE:[${fpdsDay(window.from)},${fpdsDay(window.to)}]`;
}

export type FeedName = 'PUBLIC' | 'DELETED';

export function feedUrl(options: Pick<FpdsFetchOptions, 'baseUrl' | 'version'>, query: string, feedName: FeedName = 'PUBLIC'): string {
  const url = new URL(FEED_PATH, options.baseUrl);
  url.searchParams.set('FEEDNAME', feedName);
  url.searchParams.set('VERSION', options.version);
  url.searchParams.set('q', query);
  return url.toString();
}

/** Paging identity of a URL: the same query and `start` is the same page, however it is encoded. */
function pageIdentity(url: URL): string {
  const params = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${url.origin}${url.pathname}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/** The `start` offset a feed URL asks for (0 when absent); undefined when it is not a number. */
export function startOf(href: string, base: string): number | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  const start = url.searchParams.get('start');
  if (start === null) return 0;
  return /^\d+$/.test(start) ? Number(start) : undefined;
}

interface Walk {
  inputs: RawInput[];
  entries: number;
  /** What the first page's rel="last" promised (its start plus the last page's entries), when it had one. */
  expected?: number;
}

/**
 * Follows one feed's pages. The end is decided the way FPDS's own loader (data-act-broker-backend
 * pull_fpds_data.py) decides it: a page with fewer than 10 entries is the last, and so is the page at
 * the `start` of rel="last"; rel="next" is followed only otherwise. A last page whose next link points
 * at itself therefore ends the walk instead of failing it.
 */
async function walkFeed(ctx: FetchContext, options: FpdsFetchOptions, feedName: FeedName, window: FeedWindow): Promise<Walk> {
  const origin = new URL(options.baseUrl).origin;
  let next: URL | undefined = new URL(feedUrl(options, feedQuery(options.agencyId, window), feedName));
  const inputs: RawInput[] = [];
  const seen = new Set<string>();
  const prefix = feedName === 'PUBLIC' ? 'fpds-page' : 'fpds-deleted-page';
  let entries = 0;
  let promisedLastStart: number | undefined;
  let finalPageEntries = 0;
  while (next) {
    if (ctx.signal?.aborted) throw new SourceUnavailableError(FPDS_SOURCE_ID, 'fetch aborted', { url: next.toString() });
    if (inputs.length >= options.maxPages) {
      throw new SourceFormatError(
        FPDS_SOURCE_ID,
        `${feedName} feed still has a next page after ${options.maxPages} pages (${entries} entries); narrow the window or raise maxPages`,
        { path: 'feed/link[@rel=next]' },
      );
    }
    seen.add(pageIdentity(next));
    const url = next.toString();
    const response = await ctx.http.request({
      url,
      headers: { accept: 'application/atom+xml, application/xml;q=0.9, text/xml;q=0.8' },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (response.status < 200 || response.status >= 300) {
      throw new SourceUnavailableError(FPDS_SOURCE_ID, `HTTP ${response.status} for ${feedName} page ${inputs.length + 1}`, { url, status: response.status });
    }
    const path = join(ctx.workDir, `${prefix}-${String(inputs.length + 1).padStart(4, '0')}.xml`);
    await writeFile(path, response.body);
    const contentType = response.headers['content-type'];
    inputs.push({
      path,
      origin: url,
      retrievedAt: new Date().toISOString(),
      status: response.status,
      ...(contentType ? { contentType } : {}),
    });

    // Fail on a page that is not a feed now, rather than after paging on with a link we cannot read.
    const page = readFeedPage(response.body.toString('utf8'), url);
    entries += page.entries.length;
    finalPageEntries = page.entries.length;
    next = undefined;
    const here = startOf(url, url) ?? 0;
    const lastStart = page.links.last === undefined ? undefined : startOf(page.links.last, response.url || url);
    if (lastStart !== undefined && lastStart >= FPDS_LIMITS.maxStart) {
      throw new SourceFormatError(
        FPDS_SOURCE_ID,
        `the ${feedName} feed's last page starts at ${lastStart}; FPDS returns at most ${FPDS_LIMITS.maxStart} entries per query, so this window cannot be read whole (narrow it)`,
        { file: url, path: 'feed/link[@rel=last]/@href' },
      );
    }
    if (inputs.length === 1) promisedLastStart = lastStart;
    if (page.entries.length < FPDS_LIMITS.pageSize) {
      if (page.links.next) ctx.log(`fpds: ${feedName} page ${inputs.length} has ${page.entries.length} entries (< ${FPDS_LIMITS.pageSize}): the last page`);
      break;
    }
    if (lastStart !== undefined && here >= lastStart) break;
    if (!page.links.next) break;
    let candidate: URL;
    try {
      candidate = new URL(page.links.next, response.url || url);
    } catch {
      throw new SourceFormatError(FPDS_SOURCE_ID, `next link is not a URL: ${JSON.stringify(page.links.next)}`, { file: url, path: 'feed/link[@rel=next]/@href' });
    }
    if (candidate.origin !== origin) {
      throw new SourceFormatError(FPDS_SOURCE_ID, `next link leaves ${origin}: ${candidate.origin}`, { file: url, path: 'feed/link[@rel=next]/@href' });
    }
    if (seen.has(pageIdentity(candidate))) {
      throw new SourceFormatError(FPDS_SOURCE_ID, `next link points back to a page already fetched (${candidate.toString()})`, {
        file: url,
        path: 'feed/link[@rel=next]/@href',
      });
    }
    next = candidate;
  }
  return { inputs, entries, ...(promisedLastStart === undefined ? {} : { expected: promisedLastStart + finalPageEntries }) };
}

/**
 * The PUBLIC feed for the window, then the DELETED feed for the same agency and window: FPDS lists a
 * deleted action there (with its identity and a later lastModifiedDate), and parse removes it.
 */
export async function fetchFeed(ctx: FetchContext, options: FpdsFetchOptions): Promise<FetchResult> {
  const window = feedWindow(ctx.now, ctx.checkpoint, options.initialLookbackDays);
  ctx.log(`fpds: agency ${options.agencyId}, modified ${window.from} to ${window.to}`);
  const published = await walkFeed(ctx, options, 'PUBLIC', window);
  const deleted = await walkFeed(ctx, options, 'DELETED', window);
  ctx.log(`fpds: ${published.inputs.length} page(s), ${published.entries} entries; DELETED feed: ${deleted.inputs.length} page(s), ${deleted.entries} entries`);
  // The reference loader refuses a walk that brought fewer entries than the first page's rel="last" promised.
  const shortfalls: Shortfall[] = [];
  for (const [name, walk] of [['PUBLIC', published], ['DELETED', deleted]] as const) {
    if (walk.expected !== undefined && walk.entries < walk.expected) shortfalls.push({ what: `FEEDNAME=${name} entries (rel="last")`, expected: walk.expected, got: walk.entries });
  }
  return { inputs: [...published.inputs, ...deleted.inputs], checkpoint: window.to, incremental: true, ...(shortfalls.length > 0 ? { shortfalls } : {}) };
}
