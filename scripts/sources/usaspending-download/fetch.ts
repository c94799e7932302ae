/**
 * The custom award download flow: ask for a download (POST /api/v2/bulk_download/awards/), poll
 * /api/v2/download/status until the file is built, then stream the zip to disk. USAspending limits
 * one request to a year of dates, so a long range is fetched as one download per fiscal year.
 */
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { SourceFormatError, SourceUnavailableError } from '../../util/errors.ts';
import type { HttpClient } from '../../util/http.ts';
import { forLog } from '../../util/sanitize.ts';
import type { FetchContext, FetchResult, RawInput } from '../types.ts';
import { DOWNLOAD_LIMITS } from './limits.ts';
import { SOURCE_ID, downloadRequestResponseSchema, downloadStatusSchema, type DownloadStatus } from './schema.ts';

/** The awarding agency filter, as the Custom Award Data page sends it. */
export const ICE_AGENCY = {
  type: 'awarding',
  tier: 'subtier',
  name: 'U.S. Immigration and Customs Enforcement',
  toptier_name: 'Department of Homeland Security',
} as const;

/** Contracts (A–D) and IDVs (IDV_*): all land in the zip's Contracts_PrimeAwardSummaries file. */
export const CONTRACT_AND_IDV_TYPES = ['A', 'B', 'C', 'D', 'IDV_A', 'IDV_B', 'IDV_B_A', 'IDV_B_B', 'IDV_B_C', 'IDV_C', 'IDV_D', 'IDV_E'] as const;

/** The earliest date the Custom Award Data download offers (start of FY2008). */
export const EARLIEST_DOWNLOAD_DATE = DOWNLOAD_LIMITS.earliestDate;

export interface DownloadFlowOptions {
  baseUrl: string;
  /** First action date of a full (non-incremental) fetch. */
  startDate: string;
  /** Also request procurement subawards (adds a Contracts_Subawards file to each zip). */
  includeSubawards: boolean;
  /** First wait before polling; doubles up to `maxPollIntervalMs`. */
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  /** Give up on one download after this long. */
  maxWaitMs: number;
  /** Zip size cap handed to the HTTP client. */
  maxZipBytes: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface DateWindow {
  start: string;
  end: string;
}

export type DateType = 'action_date' | 'last_modified_date';

export function buildDownloadRequest(window: DateWindow, dateType: DateType, includeSubawards: boolean): Record<string, unknown> {
  return {
    filters: {
      prime_award_types: [...CONTRACT_AND_IDV_TYPES],
      ...(includeSubawards ? { sub_award_types: ['procurement'] } : {}),
      date_type: dateType,
      date_range: { start_date: window.start, end_date: window.end },
      agencies: [{ ...ICE_AGENCY }],
    },
    file_format: 'csv',
  };
}

const DAY_MS = 86_400_000;

function toIso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function parseDay(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

/** Split [start, end] into fiscal-year windows (Oct 1 – Sep 30), each within the API's one-year limit. */
export function fiscalYearWindows(start: string, end: string): DateWindow[] {
  const windows: DateWindow[] = [];
  let cursor = parseDay(start);
  const last = parseDay(end);
  while (cursor.getTime() <= last.getTime()) {
    const year = cursor.getUTCMonth() >= 9 ? cursor.getUTCFullYear() + 1 : cursor.getUTCFullYear();
    const fyEnd = new Date(Date.UTC(year, 8, 30));
    const windowEnd = fyEnd.getTime() < last.getTime() ? fyEnd : last;
    // A fiscal year is at most 366 days, the API's limit for one request.
    if ((windowEnd.getTime() - cursor.getTime()) / DAY_MS + 1 > DOWNLOAD_LIMITS.maxRangeDays) throw new RangeError(`window ${toIso(cursor)} – ${toIso(windowEnd)} exceeds ${DOWNLOAD_LIMITS.maxRangeDays} days`);
    windows.push({ start: toIso(cursor), end: toIso(windowEnd) });
    cursor = new Date(windowEnd.getTime() + DAY_MS);
  }
  return windows;
}

function checked<T>(schema: z.ZodType<T>, data: unknown, url: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SourceFormatError(SOURCE_ID, issue?.message ?? 'unexpected response', {
    file: url,
    path: issue && issue.path.length > 0 ? issue.path.join('.') : '(root)',
  });
}

/** A file name from the API, reduced to something safe to create in the work directory. */
function localName(fileName: string, index: number): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 160);
  return `${String(index).padStart(2, '0')}-${safe.endsWith('.zip') ? safe : `${safe}.zip`}`;
}

async function waitForFile(http: HttpClient, statusUrl: string, fileName: string, options: DownloadFlowOptions, ctx: FetchContext): Promise<DownloadStatus> {
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {}));
  let interval = options.pollIntervalMs;
  let waited = 0;
  for (;;) {
    await sleep(interval, ctx.signal);
    waited += interval;
    const { data } = await http.json({ method: 'GET', url: statusUrl, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const status = checked(downloadStatusSchema, data, statusUrl);
    if (status.file_name !== fileName) {
      throw new SourceFormatError(SOURCE_ID, `status is for ${forLog(status.file_name)}, not ${forLog(fileName)}`, { file: statusUrl, path: 'file_name' });
    }
    if (status.status === 'finished') return status;
    if (status.status === 'failed') {
      throw new SourceUnavailableError(SOURCE_ID, `USAspending could not build ${forLog(fileName)}: ${forLog(status.message ?? 'no message')}`, { url: statusUrl });
    }
    if (waited >= options.maxWaitMs) {
      throw new SourceUnavailableError(SOURCE_ID, `${forLog(fileName)} still ${status.status} after ${Math.round(waited / 1000)} s`, { url: statusUrl });
    }
    interval = Math.min(interval * 2, options.maxPollIntervalMs);
  }
}

/** Request one download, wait for it and save the zip; returns the raw input describing it. */
export async function downloadWindow(
  ctx: FetchContext,
  options: DownloadFlowOptions,
  window: DateWindow,
  dateType: DateType,
  index: number,
): Promise<RawInput> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const requestUrl = `${base}/api/v2/bulk_download/awards/`;
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const { data } = await ctx.http.json({ method: 'POST', url: requestUrl, json: buildDownloadRequest(window, dateType, options.includeSubawards), ...signal });
  const requested = checked(downloadRequestResponseSchema, data, requestUrl);
  ctx.log(`requested ${forLog(requested.file_name)} (${dateType} ${window.start} – ${window.end})`);
  // The status route is ours to build: status_url is informational and may name another host.
  const statusUrl = `${base}/api/v2/download/status?file_name=${encodeURIComponent(requested.file_name)}`;
  const status = await waitForFile(ctx.http, statusUrl, requested.file_name, options, ctx);
  // file_url is absolute on files.usaspending.gov in production, relative in the contract's examples.
  const fileUrl = new URL(status.file_url, `${base}/`).toString();
  const dest = join(ctx.workDir, localName(requested.file_name, index));
  const saved = await ctx.http.download({ method: 'GET', url: fileUrl, maxBytes: options.maxZipBytes, ...signal }, dest);
  ctx.log(`downloaded ${forLog(requested.file_name)}: ${saved.bytes} bytes`);
  return {
    path: dest,
    origin: saved.url,
    retrievedAt: ctx.now.toISOString(),
    status: saved.status,
    contentType: 'application/zip',
    // number_of_rows summed over the zip's files, headers excluded (download_generation.py); null until finished.
    ...(typeof status.total_rows === 'number' && status.total_rows >= 0 ? { expectedRows: status.total_rows } : {}),
  };
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A full fetch asks for every ICE contract with an action since `startDate`; with a checkpoint
 * (the end date of the last good fetch) it asks only for awards modified since then.
 */
export async function fetchDownloads(ctx: FetchContext, options: DownloadFlowOptions): Promise<FetchResult> {
  const today = toIso(ctx.now);
  let dateType: DateType = 'action_date';
  let start = options.startDate;
  if (ctx.checkpoint !== undefined) {
    if (ISO_DAY.test(ctx.checkpoint) && !Number.isNaN(parseDay(ctx.checkpoint).getTime())) {
      dateType = 'last_modified_date';
      start = ctx.checkpoint;
    } else {
      ctx.log(`ignoring checkpoint ${forLog(ctx.checkpoint)}: not a YYYY-MM-DD date; fetching the full range`);
    }
  }
  if (start > today) start = today;
  const windows = fiscalYearWindows(start, today);
  const inputs: RawInput[] = [];
  for (const [index, window] of windows.entries()) {
    ctx.signal?.throwIfAborted();
    inputs.push(await downloadWindow(ctx, options, window, dateType, index + 1));
  }
  return { inputs, checkpoint: today, incremental: dateType === 'last_modified_date' };
}
