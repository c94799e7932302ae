/**
 * `usaspending-download`: USAspending's Custom Award Data download for ICE contracts and IDVs,
 * the researcher-scale path (full history, streamed, with recipient parents).
 */
import { defineSource, type SourceDefinition } from '../types.ts';
import { EARLIEST_DOWNLOAD_DATE, fetchDownloads, type DownloadFlowOptions } from './fetch.ts';
import { DOWNLOAD_LIMIT_LIST } from './limits.ts';
import { parseDownloadInputs } from './parse.ts';
import { smokeDownload } from './smoke.ts';
import { SOURCE_ID } from './schema.ts';

export const USASPENDING_API = 'https://api.usaspending.gov';
/** Where finished downloads are served from (the status response's file_url). */
export const USASPENDING_FILES_HOST = 'files.usaspending.gov';

export interface UsaspendingDownloadSourceOptions extends Partial<DownloadFlowOptions> {
  baseUrl?: string;
}

export function createUsaspendingDownloadSource(options: UsaspendingDownloadSourceOptions = {}): SourceDefinition {
  const flow: DownloadFlowOptions = {
    baseUrl: options.baseUrl ?? USASPENDING_API,
    startDate: options.startDate ?? EARLIEST_DOWNLOAD_DATE,
    includeSubawards: options.includeSubawards ?? false,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    maxPollIntervalMs: options.maxPollIntervalMs ?? 60_000,
    maxWaitMs: options.maxWaitMs ?? 45 * 60_000,
    maxZipBytes: options.maxZipBytes ?? 2 * 1024 ** 3,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const apiHost = new URL(flow.baseUrl).hostname;
  return defineSource({
    id: SOURCE_ID,
    title: 'USAspending custom award download',
    homepage: 'https://www.usaspending.gov/download_center/custom_award_data',
    kind: 'procurement',
    hosts: [...new Set([apiHost, USASPENDING_FILES_HOST])],
    mode: 'upsert',
    storage: 'award-partitions',
    importFormats:
      'a USAspending custom award download: the .zip, or its Contracts_PrimeAwardSummaries_*.csv / Contracts_Subawards_*.csv (recognised by header)',
    limits: DOWNLOAD_LIMIT_LIST,
    fetch: (ctx) => fetchDownloads(ctx, flow),
    smoke: (ctx) => smokeDownload(ctx, flow),
    parse: (inputs, ctx) => parseDownloadInputs(inputs, ctx),
  });
}

export const usaspendingDownloadSource = createUsaspendingDownloadSource();
