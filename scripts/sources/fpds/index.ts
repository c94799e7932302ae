/**
 * `fpds`: the FPDS ATOM feed, ICE's contract actions (CONTRACTING_AGENCY_ID 7012) modified since the
 * last run. Fresher than USAspending (which loads FPDS nightly and lags it); records carry
 * USAspending-format award keys so the two sources dedupe. See readme.md.
 */
import { defineSource } from '../types.ts';
import type { SourceDefinition } from '../types.ts';
import { FPDS_SOURCE_ID } from './feed.ts';
import { fetchFeed } from './fetch.ts';
import type { FpdsFetchOptions } from './fetch.ts';
import { FPDS_LIMIT_LIST } from './limits.ts';
import { parseFpdsInputs } from './parse.ts';
import { smokeFpds } from './smoke.ts';

export const FPDS_BASE_URL = 'https://www.fpds.gov';
/** FPDS sub-tier code of U.S. Immigration and Customs Enforcement. */
export const ICE_AGENCY_ID = '7012';

export const DEFAULT_FPDS_OPTIONS: FpdsFetchOptions = {
  baseUrl: FPDS_BASE_URL,
  agencyId: ICE_AGENCY_ID,
  version: '1.5.3',
  initialLookbackDays: 30,
  maxPages: 2000,
};

export function createFpdsSource(options: Partial<FpdsFetchOptions> = {}): SourceDefinition {
  const settings: FpdsFetchOptions = { ...DEFAULT_FPDS_OPTIONS, ...options };
  const base = new URL(settings.baseUrl);
  if (base.pathname !== '/' || base.search || base.hash) {
    throw new TypeError(`fpds baseUrl must be a scheme and host only, got ${settings.baseUrl}`);
  }
  return defineSource({
    id: FPDS_SOURCE_ID,
    title: 'FPDS ATOM feed (ICE contract actions)',
    homepage: 'https://www.fpds.gov/',
    kind: 'procurement',
    hosts: [base.hostname],
    mode: 'upsert',
    storage: 'award-partitions',
    importFormats: 'FPDS ATOM feed pages (XML, feed versions 1.5.2 and 1.5.3; award and IDV entries; FEEDNAME=DELETED pages remove their actions)',
    limits: FPDS_LIMIT_LIST,
    fetch: (ctx) => fetchFeed(ctx, settings),
    smoke: (ctx) => smokeFpds(ctx, settings),
    parse: (inputs, ctx) => parseFpdsInputs(inputs, ctx, FPDS_SOURCE_ID),
  });
}

export const fpdsSource = createFpdsSource();

export { readFeedPage } from './feed.ts';
export type { FeedEntry, FeedLinks, FeedPage } from './feed.ts';
export { feedQuery, feedUrl, feedWindow } from './fetch.ts';
export type { FpdsFetchOptions } from './fetch.ts';
export { foldTransactions } from './fold.ts';
export { parsePage } from './parse.ts';
export { fpdsAwardKey, fpdsAwardSchema, fpdsIdvSchema } from './schema.ts';
export type { FpdsTransaction } from './schema.ts';
