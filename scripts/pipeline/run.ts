/**
 * The whole job, as plain functions the CLI calls: refresh sources (each on its own; a failure keeps the
 * last good snapshot), load the registry, match, plan, publish, report, and write the proposals. Planning
 * happens before anything is written, so a dry run and a real run make the same decisions.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { WatchlistOutcome } from '../watchlist/outputs.ts';
import { renderWatchlistSection } from '../watchlist/outputs.ts';
import { loadValidWatchlists, planWatchlists, writeWatchlistOutputs } from '../watchlist/run-watchlists.ts';
import { loadConfig, transactionsConfig, type Config } from '../config.ts';
import { createMatcher } from '../match/matcher.ts';
import { normalizedText } from '../match/normalize.ts';
import { buildPlan, type PlanResult, type PlanSource } from '../plan/build-plan.ts';
import { readLastRun, writeLastRun } from '../plan/last-run.ts';
import { planFileSchema } from '../plan/plan-schema.ts';
import type { Plan, SourceHealth } from '../plan/types.ts';
import { IcewatchError } from '../util/errors.ts';
import { publish } from '../publish/publish.ts';
import { renderReport } from '../publish/report.ts';
import { reportDetailFile, reportDetailParquet } from '../publish/report-detail.ts';
import { registryJsonSchemas } from '../registry/json-schema.ts';
import { loadValidRegistry } from '../registry/load.ts';
import type { Registry } from '../registry/schema.ts';
import { renderCompanyYaml } from '../registry/write.ts';
import { readSnapshot, type Snapshot } from '../snapshots/store.ts';
import { updateSource } from '../snapshots/update-source.ts';
import { describeShortfall } from '../sources/types.ts';
import { withDataLock } from '../snapshots/data-lock.ts';
import { sources as allSources } from '../sources/index.ts';
import type { SourceDefinition } from '../sources/types.ts';
import { writeFilesAtomic, writeIfChanged } from '../util/atomic-fs.ts';
import { createHttpClient, type HttpClient } from '../util/http.ts';
import { forLog } from '../util/sanitize.ts';
import { enrichStep } from './enrich-awards.ts';
import { sourceHealth, type SourceOutcome } from './health.ts';

export interface RunOptions {
  dataDir: string;
  reportsDir: string;
  asOf: string;
  now: Date;
  /** Do not try the network; use the committed snapshots. */
  offline: boolean;
  /** Only these sources are refreshed (all enabled ones by default). */
  only?: string[];
  log: (message: string) => void;
  /** Injected for tests; by default each source gets a client limited to its own hosts. */
  httpFor?: (source: SourceDefinition) => HttpClient;
  sourceMap?: ReadonlyMap<string, SourceDefinition>;
}

export interface RunResult {
  result: PlanResult;
  health: SourceHealth[];
  registry: Registry;
  config: Config;
  written: string[];
  reportPath?: string;
  /** What each watch list (data/watchlists/) saw in this run, with the issue comment to post. */
  watchlists: WatchlistOutcome[];
}

async function registryOrThrow(dataDir: string, log: (m: string) => void): Promise<Registry> {
  const { registry, warnings } = await loadValidRegistry(dataDir);
  for (const w of warnings) log(`warning: ${w.file}:${w.line}: ${w.message}`);
  return registry;
}

export function enabledSources(config: Config, map: ReadonlyMap<string, SourceDefinition> = allSources): SourceDefinition[] {
  return [...map.values()].filter((s) => config.sources[s.id] !== false);
}

/** Refresh sources; never throws for a source failure — the failure becomes that source's health. */
export async function refreshSources(options: RunOptions, config: Config): Promise<Map<string, SourceOutcome>> {
  const outcomes = new Map<string, SourceOutcome>();
  for (const source of enabledSources(config, options.sourceMap)) {
    if (options.offline) {
      outcomes.set(source.id, { result: 'failed', message: 'offline run: committed snapshot used' });
      continue;
    }
    if (options.only && !options.only.includes(source.id)) {
      outcomes.set(source.id, { result: 'skipped' });
      continue;
    }
    const http = options.httpFor?.(source) ?? createHttpClient({ sourceId: source.id, allowedHosts: source.hosts });
    try {
      const r = await updateSource({ source, dataDir: options.dataDir, http, now: options.now, log: options.log, config });
      options.log(
        `${source.id}: ${r.meta.recordCount} records (${r.added} added, ${r.updated} updated, ${r.removed} removed` +
          `${r.rowIssues.length ? `, ${r.rowIssues.length} rows skipped` : ''})`,
      );
      for (const removal of r.removals) options.log(`${source.id}: removed ${removal.key}: ${forLog(removal.reason, 200)}`);
      for (const shortfall of r.shortfalls) options.log(`${source.id}: partial: ${forLog(describeShortfall(shortfall), 300)}`);
      outcomes.set(source.id, { result: 'fetched' });
    } catch (error) {
      const message = forLog((error as Error).message, 300);
      options.log(`${source.id}: ${message} — keeping the last good snapshot`);
      outcomes.set(source.id, { result: 'failed', message });
    }
  }
  return outcomes;
}

export interface PlanContext {
  config: Config;
  registry: Registry;
  snapshots: Map<string, Snapshot | undefined>;
  health: SourceHealth[];
  result: PlanResult;
}

/** Load everything from disk and build the plan. Reads only; writes nothing. */
export async function planFromDisk(options: {
  dataDir: string;
  asOf: string;
  now: Date;
  outcomes?: Map<string, SourceOutcome>;
  log: (m: string) => void;
  sourceMap?: ReadonlyMap<string, SourceDefinition>;
  /** Already loaded by the caller (a run loads both before fetching); read from dataDir otherwise. */
  loaded?: { config: Config; registry: Registry };
}): Promise<PlanContext> {
  const config = options.loaded?.config ?? (await loadConfig(options.dataDir));
  const registry = options.loaded?.registry ?? (await registryOrThrow(options.dataDir, options.log));
  const enabled = enabledSources(config, options.sourceMap);
  const snapshots = new Map<string, Snapshot | undefined>();
  const health: SourceHealth[] = [];
  const unreadable = new Set<string>();
  for (const source of enabled) {
    let snapshot: Snapshot | undefined;
    let outcome = options.outcomes?.get(source.id) ?? { result: 'skipped' as const };
    try {
      snapshot = await readSnapshot(options.dataDir, source.id);
    } catch (error) {
      unreadable.add(source.id);
      const message = `snapshot unreadable, source unknown this run (nothing inferred from it): ${forLog((error as Error).message, 260)}`;
      options.log(`${source.id}: ${message}`);
      outcome = { result: 'failed', message };
    }
    snapshots.set(source.id, snapshot);
    health.push(sourceHealth(source, snapshot?.meta, outcome, config, options.now));
  }
  const planSources: PlanSource[] = enabled.map((s) => ({
    id: s.id,
    kind: s.kind,
    records: snapshots.get(s.id)?.records ?? [],
    meta: snapshots.get(s.id)?.meta,
    ...(unreadable.has(s.id) ? { unreadable: true } : {}),
  }));
  const previous = await readLastRun(options.dataDir);
  const result = buildPlan({
    asOf: options.asOf,
    config,
    registry,
    sources: planSources,
    health,
    previous,
    matcher: createMatcher(registry.companies),
    normalizeName: normalizedText,
    renderCompanyYaml,
  });
  return { config, registry, snapshots, health, result };
}

export async function publishOutputs(
  dataDir: string,
  context: PlanContext,
  now: Date,
  withPlan: boolean,
  sourceMap: ReadonlyMap<string, SourceDefinition> = allSources,
): Promise<string[]> {
  const written = await publish(join(dataDir, 'published', 'v1'), {
    asOf: context.result.plan.asOf,
    now: now.toISOString(),
    registry: context.registry,
    summaries: context.result.summaries,
    attribution: context.result.attribution,
    health: context.health,
    sources: enabledSources(context.config, sourceMap).map((s) => ({ id: s.id, title: s.title, homepage: s.homepage, kind: s.kind })),
    plan: withPlan ? context.result.plan : undefined,
    extraSchemas: registryJsonSchemas(),
    siteDir: join(dataDir, 'published', 'site'),
    obligations: {
      coverage: context.result.obligations.coverage,
      recentWindowDays: transactionsConfig(context.config).recentWindowDays,
      candidates: context.result.plan.candidates,
    },
  });
  return written;
}

/**
 * Published outputs built without an unreadable source would state its awards as gone; they are left as
 * the last good run wrote them, and the run says so.
 */
export async function publishUnlessUnknown(
  dataDir: string,
  context: PlanContext,
  now: Date,
  withPlan: boolean,
  log: (m: string) => void,
  sourceMap: ReadonlyMap<string, SourceDefinition> = allSources,
): Promise<string[]> {
  const unknown = context.result.plan.unknownSources ?? [];
  if (unknown.length > 0) {
    log(`published outputs left as they were: ${unknown.join(', ')} could not be read this run (see above); restore the snapshot and publish again`);
    return [];
  }
  return publishOutputs(dataDir, context, now, withPlan, sourceMap);
}

/**
 * A dated report (Markdown, latest.md as a copy, the bounded JSON and the detail Parquet) is written only
 * for a run that found something new, so a rerun on the same inputs, which finds nothing new against the
 * state the first run left, writes nothing.
 */
export async function writeReport(
  reportsDir: string,
  context: PlanContext,
  watchlists: readonly WatchlistOutcome[] = [],
): Promise<{ written: string[]; path?: string }> {
  const report = renderReport(context.result.plan, context.result.attribution);
  // Watch-list events come from the plan's changes, so a run with any has a report already.
  if (!report.changed) return { written: [] };
  const date = context.result.plan.asOf;
  const section = renderWatchlistSection(watchlists);
  const markdown = section ? `${report.markdown.trimEnd()}\n\n${section}` : report.markdown;
  const written: string[] = [];
  for (const [file, content] of [
    [join(reportsDir, `${date}.md`), markdown],
    [join(reportsDir, 'latest.md'), markdown],
  ] as const) {
    if (await writeIfChanged(file, content)) written.push(file);
  }
  const jsonFile = join(reportsDir, `${date}.json`);
  const detailFile = join(reportsDir, reportDetailFile(date));
  const detail = await reportDetailParquet(context.result.plan);
  written.push(
    ...(await writeFilesAtomic([
      { path: jsonFile, content: { chunks: report.jsonChunks } },
      ...(detail ? [{ path: detailFile, content: detail }] : []),
    ])),
  );
  // A rerun of the same day with nothing left in detail must not leave the earlier run's rows beside it.
  if (!detail && (await rm(detailFile).then(() => true, () => false))) written.push(detailFile);
  return { written, path: join(reportsDir, `${date}.md`) };
}

/** A plan written by `run --plan-out`; checked for the parts `propose` relies on. */
export async function readPlanFile(file: string): Promise<Plan> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new IcewatchError(`${file}: cannot read the plan (${error.code ?? error.message})`);
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new IcewatchError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const checked = planFileSchema.safeParse(data);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new IcewatchError(`${file}: not a plan written by \`icewatch run --plan-out\`: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return data as Plan;
}

export async function runPipeline(options: RunOptions): Promise<RunResult> {
  return withDataLock(options.dataDir, 'run', () => runPipelineLocked(options));
}

async function runPipelineLocked(options: RunOptions): Promise<RunResult> {
  const config = await loadConfig(options.dataDir);
  // Fail on a broken registry before spending time on the network.
  const registry = await registryOrThrow(options.dataDir, options.log);
  const watchlists = await loadValidWatchlists(options.dataDir, options.log);
  const outcomes = await refreshSources(options, config);
  let context = await planFromDisk({ ...options, outcomes, loaded: { config, registry } });
  // Dates for the awards that decide a status (transactions have none); then plan again on them.
  const enriched = await enrichStep({ ...options, config, sourceMap: options.sourceMap ?? allSources, result: context.result });
  if (enriched && enriched.stored > 0) context = await planFromDisk({ ...options, outcomes, loaded: { config, registry } });
  const written = [...(await publishUnlessUnknown(options.dataDir, context, options.now, true, options.log, options.sourceMap))];
  const watched = await planWatchlists(options.dataDir, context.registry, context.result.plan, watchlists);
  written.push(...(await writeWatchlistOutputs(watched)));
  const report = await writeReport(options.reportsDir, context, watched);
  written.push(...report.written);
  if (await writeLastRun(options.dataDir, context.result.nextState)) written.push(resolve(options.dataDir, 'state', 'last-run.json'));
  return {
    result: context.result,
    health: context.health,
    registry: context.registry,
    config: context.config,
    written,
    reportPath: report.path,
    watchlists: watched,
  };
}
