/**
 * `smoke --live` for usaspending-download: a download is a job of minutes, so the check asks
 * POST /api/v2/download/count/ (api_contracts v2/download/count.md) for the rows a full fetch would
 * bring, and says how many yearly downloads that is. Nothing is built on the server.
 */
import { z } from 'zod';
import { smokeFailure } from '../smoke.ts';
import type { SmokeContext, SmokeReport } from '../types.ts';
import { CONTRACT_AND_IDV_TYPES, ICE_AGENCY, fiscalYearWindows } from './fetch.ts';
import type { DownloadFlowOptions } from './fetch.ts';
import { SOURCE_ID } from './schema.ts';
import { SourceFormatError } from '../../util/errors.ts';

const downloadCountSchema = z.object({
  calculated_count: z.number().int().nonnegative(),
  maximum_limit: z.number().optional(),
  spending_level: z.string().optional(),
});

export async function smokeDownload(ctx: SmokeContext, options: DownloadFlowOptions): Promise<SmokeReport> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const url = `${base}/api/v2/download/count/`;
  const today = ctx.now.toISOString().slice(0, 10);
  const request = 'POST /api/v2/download/count/ (awards, ICE contracts and IDVs)';
  try {
    const { data } = await ctx.http.json({
      method: 'POST',
      url,
      json: {
        filters: { agencies: [{ ...ICE_AGENCY }], award_type_codes: [...CONTRACT_AND_IDV_TYPES], time_period: [{ start_date: options.startDate, end_date: today }] },
        spending_level: 'awards',
      },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const parsed = downloadCountSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SourceFormatError(SOURCE_ID, `download/count has the wrong shape: ${issue?.message ?? 'invalid'}`, { file: url, path: issue?.path.join('.') || '(root)' });
    }
    const windows = fiscalYearWindows(options.startDate, today).length;
    const count = parsed.data.calculated_count;
    return {
      source: SOURCE_ID,
      request,
      rows: 0,
      rowIssues: 0,
      count,
      wouldFetch: `${windows} yearly download(s) from ${options.startDate}, about ${count.toLocaleString('en-US')} award row(s)`,
      status: count > 0 ? 'ok' : 'changed',
      ...(count > 0 ? {} : { message: 'the count says ICE has no contract awards' }),
    };
  } catch (error) {
    return smokeFailure(SOURCE_ID, request, error);
  }
}
