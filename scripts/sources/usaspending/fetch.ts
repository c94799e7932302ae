/**
 * The live part of the usaspending source: pages through spending_by_award for ICE (contracts, then
 * IDVs), writes every page as it came to the work directory, then looks up the parent of each child
 * recipient once. Parsing happens later from those files, exactly as for `--from`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceFormatError, SourceUnavailableError } from '../../util/errors.ts';
import type { HttpResponse } from '../../util/http.ts';
import { forLog } from '../../util/sanitize.ts';
import type { FetchContext, FetchResult, RawInput } from '../types.ts';
import { readRecipient, readSearchPage } from './parse.ts';
import { searchRequestBody } from './query.ts';
import type { AwardGroup, Cursor } from './query.ts';
import { USASPENDING_SOURCE_ID } from './schema.ts';

export interface UsaspendingFetchOptions {
  baseUrl: string;
  groups: readonly AwardGroup[];
  pageSize: number;
  maxResultWindow: number;
  /** Per group; a guard against a server that always says hasNext. */
  maxPages: number;
  lookupParents: boolean;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** recipient_id is `<uuid>-<level>`; anything else must not be spliced into a URL path. */
const RECIPIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[PCR]$/i;

export async function fetchUsaspending(ctx: FetchContext, options: UsaspendingFetchOptions): Promise<FetchResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const searchUrl = `${base}/api/v2/search/spending_by_award/`;
  let modifiedSince: string | undefined;
  if (ctx.checkpoint !== undefined) {
    if (ISO_DATE.test(ctx.checkpoint)) modifiedSince = ctx.checkpoint;
    else ctx.log(`${USASPENDING_SOURCE_ID}: ignoring checkpoint ${JSON.stringify(ctx.checkpoint.slice(0, 40))} (not a YYYY-MM-DD date); fetching everything`);
  }
  const today = ctx.now.toISOString().slice(0, 10);
  const modifiedUntil = modifiedSince && modifiedSince > today ? modifiedSince : today;

  const inputs: RawInput[] = [];
  const childRecipients = new Set<string>();
  let newest = modifiedSince;
  let awards = 0;

  for (const group of options.groups) {
    let page = 1;
    let cursor: Cursor | undefined;
    for (;;) {
      if (page > options.maxPages) {
        throw new SourceFormatError(USASPENDING_SOURCE_ID, `${group}: still hasNext after ${options.maxPages} pages; refusing to page forever`, {
          file: searchUrl,
          path: 'page_metadata.hasNext',
        });
      }
      const body = searchRequestBody({ group, page, limit: options.pageSize, modifiedSince, modifiedUntil, cursor });
      const { response, data } = await ctx.http.json({ method: 'POST', url: searchUrl, json: body, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      const label = `${searchUrl} (${group}, page ${page}${cursor ? ', cursor' : ''})`;
      const parsed = readSearchPage(data, label);
      const path = join(ctx.workDir, `usaspending-${group}-page-${String(page).padStart(5, '0')}.json`);
      inputs.push(await saveRaw(path, response, searchUrl));

      for (const record of parsed.records) {
        awards++;
        if (record.lastModified && (newest === undefined || record.lastModified > newest)) newest = record.lastModified;
        const id = record.recipient.recipientId;
        if (id && id.endsWith('-C')) childRecipients.add(id);
      }
      for (const issue of parsed.rowIssues) ctx.log(`${USASPENDING_SOURCE_ID}: skipped row ${issue.field}: ${issue.message}`);

      const meta = parsed.page.page_metadata;
      if (!meta.hasNext) break;
      if (parsed.page.results.length === 0) {
        throw new SourceFormatError(USASPENDING_SOURCE_ID, 'page says hasNext but has no results', { file: label, path: 'page_metadata.hasNext' });
      }
      const next = page + 1;
      // Past the result window only the search_after cursor works; once on it, stay on it.
      if (cursor !== undefined || (next - 1) * options.pageSize >= options.maxResultWindow) {
        if (meta.last_record_unique_id === null || meta.last_record_unique_id === undefined || meta.last_record_sort_value === undefined) {
          throw new SourceFormatError(
            USASPENDING_SOURCE_ID,
            `page says hasNext but gives no last_record_unique_id/last_record_sort_value to continue past ${options.maxResultWindow} results`,
            { file: label, path: 'page_metadata.last_record_unique_id' },
          );
        }
        cursor = { lastRecordUniqueId: meta.last_record_unique_id, lastRecordSortValue: meta.last_record_sort_value };
      }
      page = next;
    }
    ctx.log(`${USASPENDING_SOURCE_ID}: ${group}: ${page} page(s)`);
  }

  if (options.lookupParents && childRecipients.size > 0) {
    const lookup = createRecipientLookup(ctx, base);
    const ids = [...childRecipients].sort();
    const found = await Promise.all(ids.map((id) => lookup(id)));
    for (const input of found) if (input) inputs.push(input);
    ctx.log(`${USASPENDING_SOURCE_ID}: parents looked up for ${found.filter(Boolean).length} of ${ids.length} child recipient(s)`);
  }

  ctx.log(`${USASPENDING_SOURCE_ID}: ${awards} award row(s)${modifiedSince ? ` modified since ${modifiedSince}` : ''}`);
  return { inputs, ...(newest ? { checkpoint: newest } : {}), incremental: modifiedSince !== undefined };
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
