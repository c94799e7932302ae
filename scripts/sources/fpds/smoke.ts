/**
 * `smoke --live` for fpds: page 1 of the PUBLIC feed for the first-run window, and the page at its
 * rel="last" start, which gives the count the way FPDS's own loader takes it (last start + entries).
 */
import { smokeFailure } from '../smoke.ts';
import type { SmokeContext, SmokeReport } from '../types.ts';
import { FPDS_SOURCE_ID, readFeedPage } from './feed.ts';
import { feedQuery, feedUrl, feedWindow, startOf } from './fetch.ts';
import type { FpdsFetchOptions } from './fetch.ts';
import { FPDS_LIMITS } from './limits.ts';
import { parsePage } from './parse.ts';

export async function smokeFpds(ctx: SmokeContext, options: FpdsFetchOptions): Promise<SmokeReport> {
  const window = feedWindow(ctx.now, undefined, options.initialLookbackDays);
  const url = feedUrl(options, feedQuery(options.agencyId, window));
  const request = `GET ATOM FEEDNAME=PUBLIC ${window.from} – ${window.to} page 1 (+ rel="last")`;
  try {
    const first = await ctx.http.request({ url, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const text = first.body.toString('utf8');
    const page = parsePage(text, url);
    const links = readFeedPage(text, url).links;
    let count = page.transactions.length + page.rowIssues.length;
    const lastStart = links.last === undefined ? undefined : startOf(links.last, first.url || url);
    if (lastStart !== undefined && lastStart > 0) {
      const lastUrl = new URL(links.last!, first.url || url).toString();
      const last = await ctx.http.request({ url: lastUrl, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      count = lastStart + readFeedPage(last.body.toString('utf8'), lastUrl).entries.length;
    }
    const problems: string[] = [];
    if (page.rowIssues.length > 0) problems.push(`${page.rowIssues.length} entr${page.rowIssues.length === 1 ? 'y' : 'ies'} on page 1 refused: ${page.rowIssues[0]?.message ?? ''}`);
    if (lastStart !== undefined && lastStart >= FPDS_LIMITS.maxStart) problems.push(`rel="last" starts at ${lastStart}, past FPDS's ${FPDS_LIMITS.maxStart}`);
    return {
      source: FPDS_SOURCE_ID,
      request,
      rows: page.transactions.length,
      rowIssues: page.rowIssues.length,
      count,
      wouldFetch: `first run: ${count.toLocaleString('en-US')} actions in ${Math.max(1, Math.ceil(count / FPDS_LIMITS.pageSize)).toLocaleString('en-US')} page(s), then FEEDNAME=DELETED for the same window`,
      status: problems.length > 0 ? 'changed' : 'ok',
      ...(problems.length > 0 ? { message: problems.join('; ') } : {}),
    };
  } catch (error) {
    return smokeFailure(FPDS_SOURCE_ID, request, error);
  }
}
