/**
 * The live part of the usaspending source: pages through spending_by_award for ICE (contracts, then
 * IDVs) by cursor from page 2, holds each group's crawl against spending_by_award_count, writes every
 * page as it came to the work directory, then looks up the parent of each child recipient once.
 * Parsing happens later from those files, exactly as for `--from`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceFormatError, SourceUnavailableError } from '../../util/errors.ts';
import type { HttpResponse } from '../../util/http.ts';
import { forLog } from '../../util/sanitize.ts';
import { describeShortfall } from '../types.ts';
import type { FetchContext, FetchResult, RawInput, Shortfall } from '../types.ts';
import { readRecipient, readSearchPage } from './parse.ts';
import type { SearchPageRows } from './parse.ts';
import { countRequestBody, searchRequestBody, searchWindow } from './query.ts';
import type { AwardGroup, Cursor, SearchWindow } from './query.ts';
import { USASPENDING_SOURCE_ID, awardCountSchema, firstIssue } from './schema.ts';
import type { AwardCount } from './schema.ts';

export interface UsaspendingFetchOptions {
  baseUrl: string;
  groups: readonly AwardGroup[];
  pageSize: number;
  /** Per group; a guard against a server that always says hasNext. */
  maxPages: number;
  lookupParents: boolean;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** recipient_id is `<uuid>-<level>`; anything else must not be spliced into a URL path. */
const RECIPIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[PCR]$/i;

export const SEARCH_PATH = '/api/v2/search/spending_by_award/';
/** Longer than any Elasticsearch sort key the search can produce (a keyword field is capped well below). */
const MAX_SORT_VALUE_LENGTH = 1024;
export const COUNT_PATH = '/api/v2/search/spending_by_award_count/';

/** The incremental window from a checkpoint, or none for a full crawl. */
export function crawlWindow(ctx: Pick<FetchContext, 'checkpoint' | 'now' | 'log'>): SearchWindow | undefined {
  if (ctx.checkpoint === undefined) return undefined;
  if (!ISO_DATE.test(ctx.checkpoint)) {
    ctx.log(`${USASPENDING_SOURCE_ID}: ignoring checkpoint ${JSON.stringify(ctx.checkpoint.slice(0, 40))} (not a YYYY-MM-DD date); fetching everything`);
    return undefined;
  }
  try {
    return searchWindow(ctx.checkpoint, ctx.now.toISOString().slice(0, 10), ctx.log);
  } catch (error) {
    if (error instanceof RangeError) throw new SourceFormatError(USASPENDING_SOURCE_ID, error.message, { path: 'filters.time_period' });
    throw error;
  }
}

export interface GroupCrawl {
  group: AwardGroup;
  pages: number;
  /** Distinct rows the server sent (by generated_internal_id), parsed or not. */
  rows: number;
}

/**
 * Pages one award type group to its end. Page 1 is an offset request; every later page carries the
 * previous page's last_record_unique_id / last_record_sort_value, so the server pages with
 * search_after: its hasNext is then `limit + 1` rows, not Elasticsearch's hit total (capped at 10,000
 * without track_total_hits), and a row modified during the crawl moves behind the cursor instead of
 * shifting the offsets under it.
 */
export async function crawlGroup(
  ctx: FetchContext,
  options: UsaspendingFetchOptions,
  group: AwardGroup,
  window: SearchWindow | undefined,
  onPage: (page: SearchPageRows, response: HttpResponse, pageNo: number) => Promise<void>,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<GroupCrawl> {
  const searchUrl = `${options.baseUrl.replace(/\/+$/, '')}${SEARCH_PATH}`;
  const seen = new Set<string>();
  let page = 1;
  let cursor: Cursor | undefined;
  for (;;) {
    if (page > options.maxPages) {
      throw new SourceFormatError(USASPENDING_SOURCE_ID, `${group}: still hasNext after ${options.maxPages} pages; refusing to page forever`, {
        file: searchUrl,
        path: 'page_metadata.hasNext',
      });
    }
    const body = searchRequestBody({ group, page, limit: options.pageSize, ...(window ? { window } : {}), ...(cursor ? { cursor } : {}) });
    const { response, data } = await ctx.http.json({ method: 'POST', url: searchUrl, json: body, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const label = `${searchUrl} (${group}, page ${page}${cursor ? ', cursor' : ''})`;
    const parsed = readSearchPage(data, label);
    for (const row of parsed.page.results) seen.add(rowIdentity(row));
    await onPage(parsed, response, page);

    const meta = parsed.page.page_metadata;
    if (!meta.hasNext || page >= stopAfter) break;
    if (parsed.page.results.length === 0) {
      throw new SourceFormatError(USASPENDING_SOURCE_ID, 'page says hasNext but has no results', { file: label, path: 'page_metadata.hasNext' });
    }
    if (meta.last_record_unique_id === null || meta.last_record_unique_id === undefined || meta.last_record_sort_value === undefined) {
      throw new SourceFormatError(USASPENDING_SOURCE_ID, 'page says hasNext but gives no last_record_unique_id/last_record_sort_value to continue from', {
        file: label,
        path: 'page_metadata.last_record_unique_id',
      });
    }
    // The token goes back verbatim, but it is still the server's text: a sort key is a number, a date
    // or a short keyword, never kilobytes.
    if (meta.last_record_sort_value.length > MAX_SORT_VALUE_LENGTH) {
      throw new SourceFormatError(USASPENDING_SOURCE_ID, `last_record_sort_value is ${meta.last_record_sort_value.length} characters; a sort key is never that long`, {
        file: label,
        path: 'page_metadata.last_record_sort_value',
      });
    }
    const next: Cursor = { lastRecordUniqueId: meta.last_record_unique_id, lastRecordSortValue: meta.last_record_sort_value };
    if (cursor && next.lastRecordUniqueId === cursor.lastRecordUniqueId && next.lastRecordSortValue === cursor.lastRecordSortValue) {
      throw new SourceFormatError(USASPENDING_SOURCE_ID, `the cursor did not move (${forLog(next.lastRecordSortValue, 60)}, ${next.lastRecordUniqueId}); refusing to loop`, {
        file: label,
        path: 'page_metadata.last_record_unique_id',
      });
    }
    cursor = next;
    page += 1;
  }
  return { group, pages: page, rows: seen.size };
}

function rowIdentity(row: Record<string, unknown>): string {
  const key = row.generated_internal_id ?? row.internal_id;
  return typeof key === 'string' || typeof key === 'number' ? String(key) : JSON.stringify(row);
}

/** The server's own count of each group for the same filters. */
export async function fetchCounts(ctx: FetchContext, baseUrl: string, groups: readonly AwardGroup[], window: SearchWindow | undefined): Promise<AwardCount> {
  const url = `${baseUrl.replace(/\/+$/, '')}${COUNT_PATH}`;
  const { data } = await ctx.http.json({ method: 'POST', url, json: countRequestBody(groups, window), ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const parsed = awardCountSchema.safeParse(data);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error);
    throw new SourceFormatError(USASPENDING_SOURCE_ID, `spending_by_award_count has the wrong shape: ${message}`, { file: url, path });
  }
  return parsed.data;
}

/**
 * Holds each group's crawl against the count endpoint. A crawl that brought fewer rows than counted
 * is a shortfall (the source becomes partial); a count that cannot be read leaves the crawl unverified,
 * which is also partial, never silently complete.
 */
export async function crossCheck(ctx: FetchContext, baseUrl: string, crawls: readonly GroupCrawl[], window: SearchWindow | undefined): Promise<Shortfall[]> {
  let counts: AwardCount;
  try {
    counts = await fetchCounts(ctx, baseUrl, crawls.map((c) => c.group), window);
  } catch (error) {
    if (!(error instanceof SourceFormatError || error instanceof SourceUnavailableError)) throw error;
    ctx.log(`${USASPENDING_SOURCE_ID}: could not read spending_by_award_count: ${error.message}`);
    return crawls.map((c) => ({ what: `${c.group} (spending_by_award_count)`, got: c.rows, message: forLog(error.message, 200) }));
  }
  const shortfalls: Shortfall[] = [];
  for (const crawl of crawls) {
    const expected = counts.results[crawl.group];
    if (crawl.rows < expected) shortfalls.push({ what: `${crawl.group} (spending_by_award_count)`, expected, got: crawl.rows });
  }
  return shortfalls;
}

export async function fetchUsaspending(ctx: FetchContext, options: UsaspendingFetchOptions): Promise<FetchResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const window = crawlWindow(ctx);
  const inputs: RawInput[] = [];
  const childRecipients = new Set<string>();
  let newest = window ? ctx.checkpoint : undefined;
  let awards = 0;
  const crawls: GroupCrawl[] = [];

  for (const group of options.groups) {
    const crawl = await crawlGroup(ctx, options, group, window, async (parsed, response, page) => {
      const path = join(ctx.workDir, `usaspending-${group}-page-${String(page).padStart(5, '0')}.json`);
      inputs.push(await saveRaw(path, response, `${base}${SEARCH_PATH}`));
      for (const record of parsed.records) {
        awards++;
        if (record.lastModified && (newest === undefined || record.lastModified > newest)) newest = record.lastModified;
        const id = record.recipient.recipientId;
        if (id && id.endsWith('-C')) childRecipients.add(id);
      }
      for (const issue of parsed.rowIssues) ctx.log(`${USASPENDING_SOURCE_ID}: skipped row ${issue.field}: ${issue.message}`);
    });
    crawls.push(crawl);
    ctx.log(`${USASPENDING_SOURCE_ID}: ${group}: ${crawl.pages} page(s), ${crawl.rows} row(s)`);
  }

  const total = crawls.reduce((sum, c) => sum + c.rows, 0);
  if (!window && total === 0) {
    throw new SourceFormatError(
      USASPENDING_SOURCE_ID,
      `a full crawl of ${options.groups.join(' and ')} returned no awards; ICE has thousands, so the query or the API changed (check the agency filter and award_type_codes)`,
      { file: `${base}${SEARCH_PATH}`, path: 'results' },
    );
  }
  const shortfalls = await crossCheck(ctx, base, crawls, window);
  for (const shortfall of shortfalls) ctx.log(`${USASPENDING_SOURCE_ID}: partial: ${describeShortfall(shortfall)}`);

  if (options.lookupParents && childRecipients.size > 0) {
    const lookup = createRecipientLookup(ctx, base);
    const ids = [...childRecipients].sort();
    const found = await Promise.all(ids.map((id) => lookup(id)));
    for (const input of found) if (input) inputs.push(input);
    ctx.log(`${USASPENDING_SOURCE_ID}: parents looked up for ${found.filter(Boolean).length} of ${ids.length} child recipient(s)`);
  }

  ctx.log(`${USASPENDING_SOURCE_ID}: ${awards} award row(s)${window ? ` modified ${window.start} – ${window.end}` : ''}`);
  return {
    inputs,
    // A partial crawl keeps the old checkpoint: the next run must ask again for what this one missed.
    ...(shortfalls.length > 0 ? { shortfalls, ...(ctx.checkpoint ? { checkpoint: ctx.checkpoint } : {}) } : newest ? { checkpoint: newest } : {}),
    incremental: window !== undefined,
  };
}

/**
 * GET /api/v2/recipient/{recipient_id}/, at most once per recipient_id in a run. A failed or odd
 * lookup costs only that recipient's parent, so it is logged and skipped rather than failing the fetch.
 */
export function createRecipientLookup(ctx: FetchContext, baseUrl: string): (recipientId: string) => Promise<RawInput | undefined> {
  const cache = new Map<string, Promise<RawInput | undefined>>();
  const base = baseUrl.replace(/\/+$/, '');
  return (recipientId) => {
    let pending = cache.get(recipientId);
    if (!pending) {
      pending = lookupRecipient(ctx, base, recipientId);
      cache.set(recipientId, pending);
    }
    return pending;
  };
}

async function lookupRecipient(ctx: FetchContext, base: string, recipientId: string): Promise<RawInput | undefined> {
  if (!RECIPIENT_ID.test(recipientId)) {
    // The id is the API's text: JSON quoting alone would pass bidi and control characters into the log.
    ctx.log(`${USASPENDING_SOURCE_ID}: not looking up malformed recipient_id ${JSON.stringify(forLog(recipientId, 60))}`);
    return undefined;
  }
  const url = `${base}/api/v2/recipient/${recipientId}/`;
  try {
    const { response, data } = await ctx.http.json({ url, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    readRecipient(data, url);
    return await saveRaw(join(ctx.workDir, `usaspending-recipient-${recipientId.toLowerCase()}.json`), response, url);
  } catch (error) {
    if (error instanceof SourceUnavailableError || error instanceof SourceFormatError) {
      ctx.log(`${USASPENDING_SOURCE_ID}: parent of ${recipientId} unknown: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

async function saveRaw(path: string, response: HttpResponse, origin: string): Promise<RawInput> {
  await writeFile(path, response.body);
  const contentType = response.headers['content-type'];
  return {
    path,
    origin,
    retrievedAt: new Date().toISOString(),
    status: response.status,
    ...(contentType ? { contentType } : {}),
  };
}
