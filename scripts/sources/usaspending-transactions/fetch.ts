/**
 * The live part: for each configured awarding sub-tier, each fiscal year and each award type group
 * (contracts A–D, then IDVs), ask spending_by_transaction_count how many transactions the listing has,
 * then page through spending_by_transaction (100 a page) until hasNext is false. Every page is saved as
 * it came, with a manifest naming the listing, its expected count and its pages; the parser compares the
 * two. Only the current and the previous fiscal year are listed again once a year is complete (older
 * years no longer change); the checkpoint says which listings are complete.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transactionsConfig } from '../../config.ts';
import { SourceFormatError } from '../../util/errors.ts';
import type { FetchContext, FetchResult, RawInput } from '../types.ts';
import { fiscalYearOf } from './parse.ts';
import {
  AWARD_GROUPS,
  KNOWN_AGENCIES,
  LISTING_MARKER,
  MAX_RESULT_WINDOW,
  TRANSACTIONS_SOURCE_ID,
  apiPageSchema,
  countResponseSchema,
  firstIssue,
  type AwardGroup,
  type ListingManifest,
} from './schema.ts';

export interface TransactionsFetchOptions {
  baseUrl: string;
  pageSize: number;
  /** Per listing: a guard against a server that always says hasNext. */
  maxPages: number;
  groups: readonly AwardGroup[];
}

export const FIELDS = [
  'Award ID',
  'Mod',
  'Recipient Name',
  'Recipient UEI',
  'recipient_id',
  'Action Date',
  'Transaction Amount',
  'Transaction Description',
  'Awarding Agency',
  'Awarding Sub Agency',
  'Award Type',
  'NAICS',
  'PSC',
  'generated_internal_id',
  'internal_id',
] as const;

const CHECKPOINT_PREFIX = 'complete:';

/** Listings known complete, as `<agency code>/<fiscal year>/<group>`. */
export function readCheckpoint(checkpoint: string | undefined): Set<string> {
  if (!checkpoint?.startsWith(CHECKPOINT_PREFIX)) return new Set();
  return new Set(checkpoint.slice(CHECKPOINT_PREFIX.length).split(',').filter((s) => /^\d{4}\/\d{4}\/(contracts|idvs)$/.test(s)));
}

export function writeCheckpoint(complete: Iterable<string>): string {
  return `${CHECKPOINT_PREFIX}${[...new Set(complete)].sort().join(',')}`;
}

export function transactionFilters(agency: { name: string; toptier: string }, fiscalYear: number, group: AwardGroup): Record<string, unknown> {
  return {
    agencies: [{ type: 'awarding', tier: 'subtier', name: agency.name, toptier_name: agency.toptier }],
    award_type_codes: AWARD_GROUPS[group],
    time_period: [{ start_date: `${fiscalYear - 1}-10-01`, end_date: `${fiscalYear}-09-30` }],
  };
}

export async function fetchTransactions(ctx: FetchContext, options: TransactionsFetchOptions): Promise<FetchResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const countUrl = `${base}/api/v2/search/spending_by_transaction_count/`;
  const listUrl = `${base}/api/v2/search/spending_by_transaction/`;
  const agencies = ctx.config?.agencies ?? [
    { name: KNOWN_AGENCIES.ICE!.name, toptier: 'Department of Homeland Security', code: KNOWN_AGENCIES.ICE!.code },
  ];
  const firstYear = transactionsConfig(ctx.config).firstFiscalYear;
  const currentYear = fiscalYearOf(ctx.now.toISOString().slice(0, 10));
  const complete = readCheckpoint(ctx.checkpoint);
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const inputs: RawInput[] = [];

  for (const agency of agencies) {
    for (let year = firstYear; year <= currentYear; year++) {
      for (const group of options.groups) {
        const id = `${agency.code}/${year}/${group}`;
        // Older years are immutable once complete; the current and previous year still change.
        if (year < currentYear - 1 && complete.has(id)) continue;
        const filters = transactionFilters(agency, year, group);
        const counted = await ctx.http.json({ method: 'POST', url: countUrl, json: { filters }, ...signal });
        const count = countResponseSchema.safeParse(counted.data);
        if (!count.success) {
          const { path, message } = firstIssue(count.error);
          throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, `spending_by_transaction_count answer has the wrong shape: ${message}`, { file: countUrl, path });
        }
        const expected = count.data.results[group];
        const prefix = `tx-${agency.code}-fy${year}-${group}`;
        const pages: string[] = [];
        let stoppedEarly: string | undefined;
        for (let page = 1; expected > 0; page++) {
          if (page > options.maxPages) {
            throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, `${id}: still hasNext after ${options.maxPages} pages; refusing to page forever`, {
              file: listUrl,
              path: 'page_metadata.hasNext',
            });
          }
          if ((page - 1) * options.pageSize >= MAX_RESULT_WINDOW) {
            stoppedEarly = `stopped at the API's ${MAX_RESULT_WINDOW}-row result window`;
            break;
          }
          const body = { filters, fields: FIELDS, limit: options.pageSize, page, sort: 'Transaction Amount', order: 'desc' };
          const { response, data } = await ctx.http.json({ method: 'POST', url: listUrl, json: body, ...signal });
          const frame = apiPageSchema.safeParse(data);
          const label = `${listUrl} (${id}, page ${page})`;
          if (!frame.success) {
            const { path, message } = firstIssue(frame.error);
            throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, `spending_by_transaction page has the wrong shape: ${message}`, { file: label, path });
          }
          const name = `${prefix}-page-${String(page).padStart(5, '0')}.json`;
          await writeFile(join(ctx.workDir, name), response.body);
          pages.push(name);
          inputs.push({ path: join(ctx.workDir, name), origin: listUrl, retrievedAt: new Date().toISOString(), status: response.status });
          if (!frame.data.page_metadata.hasNext) break;
          if (frame.data.results.length === 0) {
            throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, 'page says hasNext but has no results', { file: label, path: 'page_metadata.hasNext' });
          }
        }
        const manifest: ListingManifest = {
          kind: LISTING_MARKER,
          awardingAgencyCode: agency.code,
          awardingSubAgency: agency.name,
          fiscalYear: year,
          group,
          expected,
          pages,
          ...(stoppedEarly ? { stoppedEarly } : {}),
          retrievedAt: ctx.now.toISOString(),
        };
        const manifestPath = join(ctx.workDir, `${prefix}-listing.json`);
        await writeFile(manifestPath, `${JSON.stringify(manifest)}\n`);
        inputs.push({ path: manifestPath, origin: countUrl, retrievedAt: ctx.now.toISOString() });
        ctx.log(`${TRANSACTIONS_SOURCE_ID}: ${id}: ${pages.length} page(s), ${expected} expected`);
      }
    }
  }
  // The checkpoint is recomputed from the merged snapshot (mergeSnapshot), where shortfalls are known.
  return { inputs, incremental: true };
}
