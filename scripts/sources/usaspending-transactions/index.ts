import { defineSource, type SourceDefinition } from '../types.ts';
import { fetchTransactions } from './fetch.ts';
import { LIMIT_LIST } from './limits.ts';
import { mergeTransactionSnapshot } from './merge.ts';
import { parseTransactions } from './parse.ts';
import { PAGE_SIZE, TRANSACTIONS_SOURCE_ID, type AwardGroup } from './schema.ts';

export const USASPENDING_API = 'https://api.usaspending.gov';

export interface TransactionsSourceOptions {
  /** API origin; tests point it at a local server. Its host becomes the source's only allowed host. */
  baseUrl?: string;
  pageSize?: number;
  maxPages?: number;
  groups?: readonly AwardGroup[];
}

/** The source, plus the API origin the award enrichment (GET /api/v2/awards/{id}/) uses. */
export type TransactionsSource = SourceDefinition & { apiBaseUrl: string };

export function createTransactionsSource(options: TransactionsSourceOptions = {}): TransactionsSource {
  const baseUrl = options.baseUrl ?? USASPENDING_API;
  const fetchOptions = {
    baseUrl,
    pageSize: options.pageSize ?? PAGE_SIZE,
    maxPages: options.maxPages ?? 1_000,
    groups: options.groups ?? (['contracts', 'idvs'] as const),
  };
  const source = defineSource({
    id: TRANSACTIONS_SOURCE_ID,
    title: 'USAspending.gov transactions (what ICE obligates per fiscal year)',
    homepage: 'https://www.usaspending.gov/search',
    kind: 'procurement',
    hosts: [new URL(baseUrl).hostname],
    mode: 'upsert',
    limits: LIMIT_LIST,
    importFormats:
      'the CBP/ICE contract obligations CSV of spending_by_transaction results (columns Agency … Generated Award ID, one fiscal year a file); ' +
      'or spending_by_transaction pages (JSON) with the listing manifests a live fetch writes',
    fetch: (ctx) => fetchTransactions(ctx, fetchOptions),
    parse: (inputs, ctx) => parseTransactions(inputs, ctx),
    mergeSnapshot: mergeTransactionSnapshot,
  });
  return { ...source, apiBaseUrl: baseUrl };
}

export const usaspendingTransactionsSource = createTransactionsSource();
