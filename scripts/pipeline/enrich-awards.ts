/**
 * Live enrichment: transactions say when ICE obligated money, never when an award ends. For the awards
 * that decide a status (a registry company's or a candidate's recent obligations on an award with no
 * known end date), look the award up with GET /api/v2/awards/{generated_internal_id}/ and keep its
 * period of performance as an award record in the usaspending-transactions snapshot. The next plan then
 * calls the company active or ended from those dates.
 *
 * Bounded per run (config transactions.enrichPerRun); cached by award and last_modified_date: an award
 * already looked up is asked again only when a transaction newer than its last modification appeared.
 * Resumable: results are written in small batches, so an interrupted run keeps what it learned and the
 * next run continues with the awards still unknown.
 */
import { transactionsConfig, type Config } from '../config.ts';
import type { PlanResult } from '../plan/build-plan.ts';
import { sources } from '../sources/index.ts';
import type { SourceDefinition } from '../sources/types.ts';
import { USASPENDING_API, type TransactionsSource } from '../sources/usaspending-transactions/index.ts';
import { createHttpClient } from '../util/http.ts';
import type { AwardRecord, TransactionRecord } from '../records.ts';
import { readSnapshot, writeSnapshot } from '../snapshots/store.ts';
import { readAwardDetail } from '../sources/usaspending/parse.ts';
import { TRANSACTIONS_SOURCE_ID, generatedAwardId } from '../sources/usaspending-transactions/schema.ts';
import { SourceFormatError, SourceUnavailableError } from '../util/errors.ts';
import type { HttpClient } from '../util/http.ts';
import { forLog } from '../util/sanitize.ts';

export const ENRICH_BATCH = 10;
export const AWARD_DETAIL_ORIGIN = '/api/v2/awards/{generated_internal_id}/';

export interface EnrichOptions {
  dataDir: string;
  http: HttpClient;
  /** API origin, e.g. https://api.usaspending.gov (tests: a local server). */
  baseUrl: string;
  limit: number;
  result: PlanResult;
  now: Date;
  log: (message: string) => void;
}

export interface EnrichOutcome {
  /** Awards asked for this run. */
  requested: number;
  stored: number;
  /** Status-deciding awards still without a lookup (left for the next run). */
  remaining: number;
  failed: number;
}

/** Award keys whose end date would decide a status, most money first. */
export function awardsToEnrich(result: PlanResult): string[] {
  const weighted: Array<{ key: string; weight: number }> = [];
  const undated = (keys: string[]) => keys.filter((k) => !result.obligations.datedAwardKeys.has(k));
  for (const s of result.summaries) {
    if (s.status !== 'recent-obligations' || !s.obligations) continue;
    for (const key of undated(s.obligations.recentAwardKeys)) weighted.push({ key, weight: s.obligations.recentObligated });
  }
  for (const c of result.plan.candidates) {
    if (!c.obligations) continue;
    for (const key of undated(c.obligations.recentAwardKeys)) weighted.push({ key, weight: c.obligations.recentObligated });
  }
  const best = new Map<string, number>();
  for (const w of weighted) best.set(w.key, Math.max(best.get(w.key) ?? -Infinity, w.weight));
  return [...best].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key);
}

export async function enrichAwards(options: EnrichOptions): Promise<EnrichOutcome> {
  const { dataDir, log } = options;
  const snapshot = await readSnapshot(dataDir, TRANSACTIONS_SOURCE_ID);
  if (!snapshot) return { requested: 0, stored: 0, remaining: 0, failed: 0 };
  const cached = new Map<string, AwardRecord>();
  const latestAction = new Map<string, string>();
  for (const r of snapshot.records) {
    if (r.recordType === 'award') cached.set(r.awardKey, r);
    if (r.recordType === 'transaction') {
      const t = r as TransactionRecord;
      if ((latestAction.get(t.awardKey) ?? '') < t.actionDate) latestAction.set(t.awardKey, t.actionDate);
    }
  }
  const fresh = (key: string) => {
    const award = cached.get(key);
    return award?.lastModified !== undefined && award.lastModified >= (latestAction.get(key) ?? '');
  };
  const wanted = awardsToEnrich(options.result).filter((k) => !fresh(k));
  const batch = wanted.slice(0, options.limit);
  const base = options.baseUrl.replace(/\/+$/, '');
  let stored = 0;
  let failed = 0;
  let pending: AwardRecord[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const current = (await readSnapshot(dataDir, TRANSACTIONS_SOURCE_ID)) ?? snapshot;
    const keys = new Set(pending.map((a) => a.awardKey));
    const records = [...current.records.filter((r) => !(r.recordType === 'award' && keys.has(r.awardKey))), ...pending];
    const { recordCount: _c, contentHash: _h, source: _s, ...meta } = current.meta;
    const origins = [...new Set([...meta.origins, `${base}${AWARD_DETAIL_ORIGIN}`])].sort().slice(0, 20);
    await writeSnapshot(dataDir, TRANSACTIONS_SOURCE_ID, records, { ...meta, origins });
    stored += pending.length;
    pending = [];
  };
  for (const key of batch) {
    if (!generatedAwardId.safeParse(key).success) {
      log(`${TRANSACTIONS_SOURCE_ID}: not looking up malformed award id ${JSON.stringify(forLog(key, 80))}`);
      continue;
    }
    const url = `${base}/api/v2/awards/${encodeURIComponent(key)}/`;
    try {
      const { data } = await options.http.json({ url });
      const award = readAwardDetail(data, url);
      if (award.awardKey !== key) throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, `asked for ${key}, got ${award.awardKey}`, { file: url });
      pending.push({ ...award, source: TRANSACTIONS_SOURCE_ID });
    } catch (error) {
      if (!(error instanceof SourceUnavailableError || error instanceof SourceFormatError)) throw error;
      failed += 1;
      log(`${TRANSACTIONS_SOURCE_ID}: award ${key} not enriched: ${forLog(error.message, 200)}`);
      // The API refusing us (after retries) will refuse the rest too: keep what we have, resume next run.
      if (error instanceof SourceUnavailableError) break;
    }
    if (pending.length >= ENRICH_BATCH) await flush();
  }
  await flush();
  const remaining = wanted.length - stored;
  log(`${TRANSACTIONS_SOURCE_ID}: enriched ${stored} award(s) with their dates; ${remaining} left for the next run`);
  return { requested: batch.length, stored, remaining, failed };
}

/**
 * The run's enrichment step: only live, only when the transactions source is enabled and refreshed this
 * run. Never throws for the API: a failure is logged and the statuses stay as the transactions say.
 */
export async function enrichStep(options: {
  dataDir: string;
  offline: boolean;
  only?: string[];
  config: Config;
  sourceMap: ReadonlyMap<string, SourceDefinition>;
  httpFor?: (source: SourceDefinition) => HttpClient;
  result: PlanResult;
  now: Date;
  log: (message: string) => void;
}): Promise<EnrichOutcome | undefined> {
  const source = options.sourceMap.get(TRANSACTIONS_SOURCE_ID);
  const limit = transactionsConfig(options.config).enrichPerRun;
  if (options.offline || !source || options.config.sources[source.id] === false || limit === 0) return undefined;
  if (options.only && !options.only.includes(source.id)) return undefined;
  const http = options.httpFor?.(source) ?? createHttpClient({ sourceId: source.id, allowedHosts: source.hosts });
  const baseUrl = (source as Partial<TransactionsSource>).apiBaseUrl ?? USASPENDING_API;
  try {
    return await enrichAwards({ dataDir: options.dataDir, http, baseUrl, limit, result: options.result, now: options.now, log: options.log });
  } catch (error) {
    options.log(`${TRANSACTIONS_SOURCE_ID}: award enrichment stopped: ${forLog((error as Error).message, 300)}`);
    return undefined;
  }
}

/** `icewatch enrich`: plan from the snapshots, then enrich (the scheduled fetch job runs it after its fetch). */
export async function enrichCommandRun(options: { dataDir: string; asOf: string; now: Date; log: (m: string) => void }): Promise<EnrichOutcome | undefined> {
  const { planFromDisk } = await import('./run.ts');
  const context = await planFromDisk({ dataDir: options.dataDir, asOf: options.asOf, now: options.now, log: options.log });
  return enrichStep({
    dataDir: options.dataDir,
    offline: false,
    config: context.config,
    sourceMap: sources,
    result: context.result,
    now: options.now,
    log: options.log,
  });
}
