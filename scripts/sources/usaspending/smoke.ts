/**
 * `smoke --live` for usaspending: page 1 of contracts exactly as a fetch sends it, plus the count
 * endpoint for every group, so a maintainer sees in one request pair whether the contract still holds.
 */
import { smokeFailure } from '../smoke.ts';
import type { SmokeContext, SmokeReport } from '../types.ts';
import { crawlGroup, fetchCounts, SEARCH_PATH } from './fetch.ts';
import type { UsaspendingFetchOptions } from './fetch.ts';
import { LIMITS } from './limits.ts';
import { USASPENDING_SOURCE_ID } from './schema.ts';

export async function smokeUsaspending(ctx: SmokeContext, options: UsaspendingFetchOptions): Promise<SmokeReport> {
  const first = options.groups[0] ?? 'contracts';
  const request = `POST ${SEARCH_PATH} ${first} page 1 (limit ${options.pageSize}) + spending_by_award_count`;
  const fetchCtx = { ...ctx, log: ctx.log };
  try {
    let rows = 0;
    let rowIssues = 0;
    await crawlGroup(fetchCtx, options, first, undefined, async (page) => {
      rows += page.records.length;
      rowIssues += page.rowIssues.length;
    }, 1);
    const counts = await fetchCounts(fetchCtx, options.baseUrl, options.groups, undefined);
    const parts = options.groups.map((group) => {
      const n = counts.results[group];
      return `${group}: ${n.toLocaleString('en-US')} awards in ${Math.ceil(n / options.pageSize).toLocaleString('en-US')} page(s)`;
    });
    const total = options.groups.reduce((sum, group) => sum + counts.results[group], 0);
    const problems: string[] = [];
    if (rows === 0) problems.push(`page 1 of ${first} has no rows that parse${rowIssues ? ` (${rowIssues} refused)` : ''}`);
    else if (rowIssues > 0) problems.push(`${rowIssues} row(s) on page 1 refused: a field may have changed`);
    if (total === 0) problems.push('the count endpoint says ICE has no contracts or IDVs');
    const today = ctx.now.toISOString().slice(0, 10);
    if (today > LIMITS.latestDate) problems.push(`today is after the declared latest search date ${LIMITS.latestDate}; check settings.API_MAX_DATE upstream`);
    return {
      source: USASPENDING_SOURCE_ID,
      request,
      rows,
      rowIssues,
      count: total,
      wouldFetch: `full crawl: ${parts.join('; ')} (cursor paging from page 2)`,
      status: problems.length > 0 ? 'changed' : 'ok',
      ...(problems.length > 0 ? { message: problems.join('; ') } : {}),
    };
  } catch (error) {
    return smokeFailure(USASPENDING_SOURCE_ID, request, error);
  }
}
