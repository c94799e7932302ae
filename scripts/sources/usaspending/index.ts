import { defineSource } from '../types.ts';
import type { SourceDefinition } from '../types.ts';
import { fetchUsaspending } from './fetch.ts';
import { parseUsaspending } from './parse.ts';
import { LIMIT_LIST } from './limits.ts';
import { PAGE_SIZE } from './query.ts';
import { smokeUsaspending } from './smoke.ts';
import type { AwardGroup } from './query.ts';
import { USASPENDING_SOURCE_ID } from './schema.ts';

export const USASPENDING_API = 'https://api.usaspending.gov';

export interface UsaspendingSourceOptions {
  /** API origin; tests point it at a local server. Its host becomes the source's only allowed host. */
  baseUrl?: string;
  /** Award type groups to query, in order (default: contracts then IDVs). */
  groups?: readonly AwardGroup[];
  pageSize?: number;
  maxPages?: number;
  /** Look up parents of child recipients (GET /api/v2/recipient/{id}/). Default true. */
  lookupParents?: boolean;
}

export function createUsaspendingSource(options: UsaspendingSourceOptions = {}): SourceDefinition {
  const baseUrl = options.baseUrl ?? USASPENDING_API;
  const fetchOptions = {
    baseUrl,
    groups: options.groups ?? (['contracts', 'idvs'] as const),
    pageSize: Math.min(options.pageSize ?? PAGE_SIZE, PAGE_SIZE),
    maxPages: options.maxPages ?? 10_000,
    lookupParents: options.lookupParents ?? true,
  };
  return defineSource({
    id: USASPENDING_SOURCE_ID,
    title: 'USAspending.gov award search (ICE contracts and IDVs)',
    homepage: 'https://www.usaspending.gov/search',
    kind: 'procurement',
    hosts: [new URL(baseUrl).hostname],
    mode: 'upsert',
    storage: 'award-partitions',
    importFormats:
      'USAspending API JSON: a spending_by_award response, an award (/api/v2/awards/{id}/) or a recipient (/api/v2/recipient/{id}/); ' +
      'or the legacy header-less ICE transaction CSV (FY2013–FY2017)',
    limits: LIMIT_LIST,
    fetch: (ctx) => fetchUsaspending(ctx, fetchOptions),
    smoke: (ctx) => smokeUsaspending(ctx, fetchOptions),
    parse: (inputs, ctx) => parseUsaspending(inputs, ctx),
  });
}

export const usaspendingSource = createUsaspendingSource();
