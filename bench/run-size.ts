/**
 * One benchmark size, run in a child process of bench/run.ts so that its peak RSS is its own (a process's
 * high-water mark never goes down, so sizes run in one process would inherit each other's peaks).
 *
 * Stages, each timed on its own and all using the project's real code:
 *   parse    the download CSV → award records (usaspending-download parser: csv-parse + zod rows)
 *   index    registry → match index (createMatcher)
 *   match    name normalization + matching of every award (the matcher, timed inside buildPlan)
 *   plan     everything else buildPlan does (dedupe, scope, attribution, summaries, candidates, proposals)
 *   publish  publishOutputs into a temp data dir (companies.json/csv/md, awards.csv, schemas, changes feed)
 *   report   writeReport into a temp reports dir
 * After those (and after their peak RSS is taken) come the figures that are not part of a run: the live heap
 * the parsed records hold, a second (warm) matching pass, precision and recall on the labelled rows, cold
 * matching (every name new), the fuse.js baseline, and a snapshot round trip through the snapshot store.
 *
 * Usage: node --expose-gc --import tsx bench/run-size.ts <job.json>. Prints JSON lines on stdout: one
 * `{"type":"stage"}` as each stage ends, then `{"type":"result"}` (SizeResult).
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../scripts/config.ts';
import { createMatcher } from '../scripts/match/matcher.ts';
import { engineTime } from '../scripts/store/engine.ts';
import { normalizedText } from '../scripts/match/normalize.ts';
import { PROPOSAL_THRESHOLD, REVIEW_THRESHOLD, type Match, type MatchInput, type Matcher } from '../scripts/match/types.ts';
import { publishOutputs, writeReport, type PlanContext } from '../scripts/pipeline/run.ts';
import { publishedCompaniesSchema } from '../scripts/publish/published-schema.ts';
import { renderSite } from '../scripts/site/render-site.ts';
import { sourceHealth } from '../scripts/pipeline/health.ts';
import { buildPlan, type PlanResult } from '../scripts/plan/build-plan.ts';
import type { LastRunState } from '../scripts/plan/last-run.ts';
import type { AwardRecord, MentionRecord } from '../scripts/records.ts';
import { renderCompanyYaml } from '../scripts/registry/write.ts';
import { readSnapshot, writeSnapshot, type SnapshotMeta } from '../scripts/snapshots/store.ts';
import { usaspendingDownloadSource } from '../scripts/sources/usaspending-download/index.ts';
import { parseDownloadInputs } from '../scripts/sources/usaspending-download/parse.ts';
import { FUSE_THRESHOLDS, FuseBaseline } from './baseline-fuse.ts';
import { generateRegistry, type ExpectedPair, type LabelledRow, type RowKind } from './generate.ts';
import { score, scoreByKind, scoreByRelation, weightedScore, type Score, type ScoredRow } from './score.ts';

export const AS_OF = '2025-06-30';
export const NOW = new Date('2025-06-30T12:00:00Z');

export interface SizeJob {
  size: number;
  seed: number;
  csv: string;
  /** JSON file of LabelledRow[] for the first rows of the CSV. */
  labels: string;
  /** Scratch directory for the published outputs, report and snapshot. */
  workDir: string;
  /** data/ of the repo, for config.yaml. */
  configDir: string;
  /** Only parse (the wide-layout probe). */
  parseOnly?: boolean;
  /** Seconds the fuse.js baseline may spend; 0 or absent skips it. */
  fuseSeconds?: number;
  coldMatch?: boolean;
  /** Match every record a second time with the plan's (warm) matcher. */
  warmPass?: boolean;
  snapshot?: boolean;
}

export interface StageResult {
  name: string;
  ms: number;
  /** Records handled per second (the stage's input records). */
  perSecond: number;
  /** Process high-water mark (maxRSS) when the stage ended, MiB. */
  peakRssMiB: number;
  /** Resident set when the stage ended, MiB. */
  rssMiB: number;
  heapUsedMiB: number;
  /** Set when the stage threw: the error and where in scripts/ it was raised. */
  error?: string;
  /** Of `ms`, the time spent waiting on DuckDB statements (the rest is the project's own JavaScript). */
  engineMs?: number;
}

export interface QualityResult {
  rows: number;
  pair: Score;
  company: Score;
  /** Expected pairs that were found only in the review band (0.7–0.9): caught for a person, not proposed. */
  reviewOnly: number;
  byKind: Partial<Record<RowKind, Score>>;
  /** Pair-level precision and recall per relation. */
  byRelation?: Record<string, Score>;
}

export interface FuseResult {
  threshold: number;
  entries: number;
  /** Labelled records scored: a stratified sample, as many as the time budget allowed. */
  records: number;
  distinctNames: number;
  sampledByKind: Partial<Record<RowKind, { sampled: number; total: number }>>;
  searches: number;
  searchMs: number;
  /** fuse.js searches per second (one per distinct name). */
  searchesPerSecond: number;
  /** Records per second if every record ran a search (no memo), as a user's loop would. */
  recordsPerSecond: number;
  /** Records per second with a per-name memo, on these records. */
  memoRecordsPerSecond: number;
  /** Company-level scores: on the sample as drawn, and reweighted to the labelled part's kind mix. */
  byThreshold: Array<{ threshold: number; sample: Score; weighted: Score; byKind: Partial<Record<RowKind, Score>> }>;
  /** The icewatch matcher on exactly these records: quality and speed (fresh matcher, cold caches). */
  matcher: {
    sample: Score;
    weighted: Score;
    pairWeighted: Score;
    byKind: Partial<Record<RowKind, Score>>;
    ms: number;
    recordsPerSecond: number;
    distinctPerSecond: number;
  };
}

export interface SizeResult {
  size: number;
  records: number;
  rowIssues: number;
  csvBytes: number;
  stages: StageResult[];
  /** parse → report, ms. */
  totalMs: number;
  peakRssMiB: number;
  /** The first stage that threw, if any. */
  failedStage?: string;
  matchCalls: number;
  distinctNames: number;
  plan?: { awards: number; attributedCompanies: number; candidates: number; proposals: number; reviewQueue: number; newAwards: number; publishedFiles: number };
  quality?: QualityResult;
  cold?: { names: number; ms: number; namesPerSecond: number };
  warmMatch?: { ms: number; perSecond: number };
  /** Live heap after a forced GC: before parsing, and with the parsed records (plan dropped). */
  liveHeap?: { baseMiB: number; withRecordsMiB: number; bytesPerRecord: number };
  /** Bytes of the report files written (dated .md, .json and .detail.parquet, latest.md). */
  reportBytes?: number;
  /** The static site (built inside publish): its render alone, timed again, and what it wrote. */
  site?: { ms: number; files: number; bytes: number; pages: number };
  fuse?: FuseResult;
  /** The award store round trip: total bytes of its files, how many, and the largest. */
  snapshot?: { writeMs: number; readMs: number; bytes?: number; files?: number; largestBytes?: number; peakRssMiB: number; error?: string };
}

const MiB = 1024 * 1024;

function memory(): { peakRssMiB: number; rssMiB: number; heapUsedMiB: number } {
  const usage = process.memoryUsage();
  return {
    // resourceUsage().maxRSS is in KiB on every platform node supports.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    rssMiB: Math.round(usage.rss / MiB),
    heapUsedMiB: Math.round(usage.heapUsed / MiB),
  };
}

/** Wraps the real matcher to time the calls buildPlan makes; the wrapper costs two clock reads a call. */
class TimedMatcher implements Matcher {
  ms = 0;
  calls = 0;
  constructor(private readonly inner: Matcher) {}

  matchAward(award: AwardRecord): Match[] {
    const start = performance.now();
    const out = this.inner.matchAward(award);
    this.ms += performance.now() - start;
    this.calls++;
    return out;
  }

  matchMention(mention: MentionRecord): Match[] {
    const start = performance.now();
    const out = this.inner.matchMention(mention);
    this.ms += performance.now() - start;
    this.calls++;
    return out;
  }

  match(input: MatchInput): Match[] {
    const start = performance.now();
    const out = this.inner.match(input);
    this.ms += performance.now() - start;
    this.calls++;
    return out;
  }
}

async function measureSite(dataDir: string, context: PlanContext): Promise<SizeResult['site']> {
  const text = await readFile(join(dataDir, 'published', 'v1', 'companies.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const companies = publishedCompaniesSchema.parse(JSON.parse(text));
  const start = performance.now();
  const rendered = await renderSite({ companies, registry: context.registry, attribution: context.result.attribution, downloads: [] });
  const ms = performance.now() - start;
  const files = (await readdir(join(dataDir, 'published', 'site'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const bytes = files.reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
  return { ms, files: files.length, bytes, pages: rendered.filter((f) => f.path.endsWith('.html')).length };
}

async function filesSize(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let total = 0;
  for (const name of names) total += statSync(join(dir, name)).size;
  return total;
}

function pairs(matches: readonly Match[], min: number, below = Infinity): ExpectedPair[] {
  return matches.filter((m) => m.confidence >= min && m.confidence < below).map((m) => ({ companyId: m.companyId, relation: m.relation }));
}

/** Progress goes out one JSON line at a time, so a run that dies part-way still leaves its figures. */
function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const jobPath = process.argv[2];
  if (!jobPath) throw new Error('usage: tsx bench/run-size.ts <job.json>');
  const job = JSON.parse(await readFile(jobPath, 'utf8')) as SizeJob;
  const registry = generateRegistry(job.seed);
  const config: Config = await loadConfig(job.configDir);
  const labels: LabelledRow[] = JSON.parse(await readFile(job.labels, 'utf8'));
  const gcBefore = (globalThis as { gc?: () => void }).gc;
  gcBefore?.();
  // Live heap before any record exists (registry, config, loaded modules), to tell what the records cost.
  const baseHeap = gcBefore ? process.memoryUsage().heapUsed : undefined;
  const stages: StageResult[] = [];
  const recordStage = (entry: StageResult) => {
    stages.push(entry);
    emit({ type: 'stage', size: job.size, ...entry });
  };
  /** Runs a stage; a failure is recorded with its time, memory and error, and the stages that need its output are skipped. */
  const stage = async <T>(name: string, run: () => T | Promise<T>, inputs: (out: T) => number): Promise<T | undefined> => {
    emit({ type: 'begin', size: job.size, name });
    const start = performance.now();
    const engineStart = engineTime();
    try {
      const out = await run();
      const ms = performance.now() - start;
      recordStage({ name, ms, perSecond: inputs(out) / (ms / 1000), ...memory(), engineMs: engineTime() - engineStart });
      return out;
    } catch (error) {
      const ms = performance.now() - start;
      recordStage({ name, ms, perSecond: 0, ...memory(), error: errorLine(error) });
      return undefined;
    }
  };

  const parsed = await stage(
    'parse',
    () => parseDownloadInputs([{ path: job.csv, origin: job.csv, retrievedAt: NOW.toISOString() }]),
    (out) => out.records.length,
  );
  const records = (parsed?.records ?? []) as AwardRecord[];
  const out: SizeResult = {
    size: job.size,
    records: records.length,
    rowIssues: parsed?.rowIssues.length ?? 0,
    csvBytes: statSync(job.csv).size,
    stages,
    totalMs: 0,
    peakRssMiB: 0,
    matchCalls: 0,
    distinctNames: 0,
  };
  const finish = () => {
    out.totalMs = stages.reduce((sum, s) => sum + s.ms, 0);
    out.peakRssMiB = memory().peakRssMiB;
    out.failedStage = stages.find((s) => s.error)?.name;
  };
  if (!parsed || job.parseOnly) {
    finish();
    emit({ type: 'result', ...out });
    return;
  }

  const matcher = (await stage('index', () => new TimedMatcher(createMatcher(registry.companies)), () => registry.companies.length))!;
  const meta: SnapshotMeta = {
    source: usaspendingDownloadSource.id,
    retrievedAt: NOW.toISOString(),
    origins: [job.csv],
    recordCount: records.length,
    contentHash: 'bench',
    rowIssues: parsed.rowIssues.length,
  };
  const health = [sourceHealth(usaspendingDownloadSource, meta, { result: 'fetched' }, config, NOW)];
  const registryValue = { companies: registry.companies, byId: new Map(registry.companies.map((c) => [c.id, c])), dismissed: [] };
  // A previous run that knew none of these awards: every attributed award is "new", the heaviest path.
  const previous: LastRunState = { schemaVersion: 1, companies: {}, lists: [], candidates: {} };
  // Matching happens inside the plan: a process that dies in it was matching or planning.
  emit({ type: 'begin', size: job.size, name: 'match and plan' });
  const planStart = performance.now();
  let result: PlanResult | undefined;
  let planError: string | undefined;
  try {
    result = buildPlan({
      asOf: AS_OF,
      config,
      registry: registryValue,
      sources: [{ id: usaspendingDownloadSource.id, kind: 'procurement', records, meta }],
      health,
      previous,
      matcher,
      normalizeName: normalizedText,
      renderCompanyYaml,
    });
  } catch (error) {
    planError = errorLine(error);
  }
  const planMs = performance.now() - planStart;
  const afterPlan = memory();
  // buildPlan is all JavaScript (the matcher included): no engine time.
  recordStage({ name: 'match', ms: matcher.ms, perSecond: matcher.calls / (matcher.ms / 1000), ...afterPlan, engineMs: 0 });
  recordStage({ name: 'plan', ms: planMs - matcher.ms, engineMs: 0, perSecond: records.length / ((planMs - matcher.ms) / 1000), ...afterPlan, ...(planError ? { error: planError } : {}) });
  out.matchCalls = matcher.calls;

  if (result) {
    const dataDir = join(job.workDir, 'data');
    const reportsDir = join(job.workDir, 'reports');
    await mkdir(join(dataDir, 'published', 'v1'), { recursive: true });
    const context: PlanContext = { config, registry: registryValue, snapshots: new Map(), health, result };
    const written = await stage('publish', () => publishOutputs(dataDir, context, NOW, true), () => records.length);
    await stage('report', () => writeReport(reportsDir, context), () => records.length);
    out.plan = {
      awards: result.awards.length,
      attributedCompanies: result.attribution.awards.size,
      candidates: result.plan.candidates.length,
      proposals: result.plan.proposals.length,
      reviewQueue: result.plan.reviewQueue.length,
      newAwards: result.plan.newAwards.length,
      publishedFiles: written?.length ?? 0,
    };
    out.site = await measureSite(dataDir, context);
  }
  finish();
  // Whatever the plan held is garbage from here; the figures below must not pay for it.
  result = undefined;
  out.distinctNames = new Set(records.map((r) => r.recipient.name)).size;
  out.reportBytes = await filesSize(join(job.workDir, 'reports'));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc && baseHeap !== undefined) {
    gc();
    const live = process.memoryUsage().heapUsed;
    out.liveHeap = { baseMiB: Math.round(baseHeap / MiB), withRecordsMiB: Math.round(live / MiB), bytesPerRecord: Math.round((live - baseHeap) / Math.max(1, records.length)) };
  }
  if (job.warmPass) {
    // The plan's matcher again over every record: its name cache is as warm as one run leaves it.
    const start = performance.now();
    for (const r of records) matcher.matchAward(r);
    const ms = performance.now() - start;
    out.warmMatch = { ms, perSecond: records.length / (ms / 1000) };
  }

  // --- Not part of the run from here on.
  const byKey = new Map(records.map((r) => [r.awardKey, r]));
  const labelled = labels.map((l) => ({ label: l, record: byKey.get(l.awardKey) }));
  const missing = labelled.filter((l) => !l.record).length;
  if (missing > 0) throw new Error(`${missing} labelled award keys are not among the parsed records`);

  const quality = createMatcher(registry.companies);
  const scored: ScoredRow[] = [];
  let reviewOnly = 0;
  for (const { label, record } of labelled) {
    const matches = quality.matchAward(record!);
    const predicted = pairs(matches, PROPOSAL_THRESHOLD);
    const review = pairs(matches, REVIEW_THRESHOLD, PROPOSAL_THRESHOLD);
    for (const e of label.expected) {
      const found = (list: ExpectedPair[]) => list.some((p) => p.companyId === e.companyId && p.relation === e.relation);
      if (!found(predicted) && found(review)) reviewOnly++;
    }
    scored.push({ kind: label.kind, expected: label.expected, predicted });
  }
  out.quality = { rows: scored.length, pair: score(scored, 'pair'), company: score(scored, 'company'), reviewOnly, byKind: scoreByKind(scored, 'pair'), byRelation: scoreByRelation(scored) };

  if (job.coldMatch) {
    // Every distinct recipient once, through a fresh matcher: the cost of a name the cache has not seen.
    const firstOfName = new Map<string, AwardRecord>();
    for (const r of records) if (!firstOfName.has(r.recipient.name)) firstOfName.set(r.recipient.name, r);
    const cold = createMatcher(registry.companies);
    const list = [...firstOfName.values()];
    const start = performance.now();
    for (const r of list) cold.matchAward(r);
    const ms = performance.now() - start;
    out.cold = { names: list.length, ms, namesPerSecond: list.length / (ms / 1000) };
  }

  if (job.fuseSeconds && job.fuseSeconds > 0) out.fuse = runFuse(registry.companies, labelled.map((l) => ({ label: l.label, record: l.record! })), job.fuseSeconds);

  if (job.snapshot) {
    const snapDir = join(job.workDir, 'snapshot-data');
    const entry: NonNullable<SizeResult['snapshot']> = { writeMs: 0, readMs: 0, peakRssMiB: 0 };
    try {
      let start = performance.now();
      await writeSnapshot(snapDir, usaspendingDownloadSource.id, records, { retrievedAt: NOW.toISOString(), origins: ['bench'], rowIssues: 0 }, { layout: 'award-partitions' });
      entry.writeMs = performance.now() - start;
      const folder = join(snapDir, 'snapshots', usaspendingDownloadSource.id);
      const sizes = readdirSync(folder).map((name) => statSync(join(folder, name)).size);
      entry.bytes = sizes.reduce((a, b) => a + b, 0);
      entry.files = sizes.length;
      entry.largestBytes = Math.max(...sizes);
      start = performance.now();
      const back = await readSnapshot(snapDir, usaspendingDownloadSource.id);
      entry.readMs = performance.now() - start;
      if (back?.records.length !== records.length) throw new Error(`snapshot read back ${back?.records.length} records of ${records.length}`);
    } catch (error) {
      entry.error = (error as Error).message.slice(0, 300);
    }
    entry.peakRssMiB = memory().peakRssMiB;
    out.snapshot = entry;
  }

  emit({ type: 'result', ...out });
}

/** The error and the first frames in the project's scripts/, which say where a fix would go. */
function errorLine(error: unknown): string {
  const e = error as Error;
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((l) => l.includes('/scripts/'))
    .slice(0, 3)
    .map((l) => l.trim().replace(/^at /, '').replace(/\(?\/[^()]*\/scripts\//, '(scripts/'));
  return `${e.name ?? 'Error'}: ${String(e.message).slice(0, 200)}${frames.length > 0 ? ` at ${frames.join(' ← ')}` : ''}`;
}

/** Sampling weight per row kind: unknown recipients are most of the data and where false alarms come from. */
const FUSE_ROUND: Readonly<Partial<Record<RowKind, number>>> = { unknown: 4 };

function runFuse(companies: Parameters<typeof createMatcher>[0], rows: Array<{ label: LabelledRow; record: AwardRecord }>, seconds: number): FuseResult {
  const baseline = new FuseBaseline(companies);
  // Stratified: rows are taken round-robin across kinds (in their order in the file), so that the few
  // hundred records fuse.js has time for include every kind; scores are then reweighted to the kind mix.
  const queues = new Map<RowKind, Array<{ label: LabelledRow; record: AwardRecord }>>();
  for (const row of rows) {
    const q = queues.get(row.label.kind);
    if (q) q.push(row);
    else queues.set(row.label.kind, [row]);
  }
  const totals: Partial<Record<RowKind, number>> = {};
  for (const [kind, q] of queues) totals[kind] = q.length;
  const kinds = [...queues.keys()].sort();
  const budgetMs = seconds * 1000;
  const sample: Array<{ label: LabelledRow; record: AwardRecord; hit: ReturnType<FuseBaseline['best']> }> = [];
  const started = performance.now();
  let taken = 0;
  outer: for (let round = 0; ; round++) {
    let any = false;
    for (const kind of kinds) {
      const q = queues.get(kind)!;
      const per = FUSE_ROUND[kind] ?? 1;
      for (let i = 0; i < per; i++) {
        const row = q[round * per + i];
        if (!row) break;
        any = true;
        if (performance.now() - started > budgetMs) break outer;
        sample.push({ ...row, hit: baseline.best(row.record.recipient.name) });
        taken++;
      }
    }
    if (!any) break;
  }
  const memoMs = performance.now() - started;
  const byThreshold = FUSE_THRESHOLDS.map((threshold) => {
    const scored: ScoredRow[] = sample.map(({ label, hit }) => ({
      kind: label.kind,
      expected: label.expected,
      // fuse.js has no relation: scored at company level only.
      predicted: hit && hit.score <= threshold ? [{ companyId: hit.companyId, relation: 'direct' as const }] : [],
    }));
    return { threshold, sample: score(scored, 'company'), weighted: weightedScore(scored, totals, 'company'), byKind: scoreByKind(scored, 'company') };
  });

  // The icewatch matcher on the same records, with a fresh (cold) matcher.
  const matcher = createMatcher(companies);
  const start = performance.now();
  const results = sample.map(({ record }) => matcher.matchAward(record));
  const ms = performance.now() - start;
  const scored: ScoredRow[] = sample.map(({ label }, i) => ({ kind: label.kind, expected: label.expected, predicted: pairs(results[i]!, PROPOSAL_THRESHOLD) }));
  const distinct = new Set(sample.map((h) => h.record.recipient.name)).size;
  const perSearchMs = baseline.searchMs / Math.max(1, baseline.searches);
  return {
    threshold: baseline.threshold,
    entries: baseline.entries,
    records: taken,
    distinctNames: distinct,
    sampledByKind: Object.fromEntries(kinds.map((k) => [k, { sampled: sample.filter((s) => s.label.kind === k).length, total: totals[k] ?? 0 }])),
    searches: baseline.searches,
    searchMs: baseline.searchMs,
    searchesPerSecond: baseline.searches / (baseline.searchMs / 1000),
    recordsPerSecond: 1000 / perSearchMs,
    memoRecordsPerSecond: taken / (memoMs / 1000),
    byThreshold,
    matcher: {
      sample: score(scored, 'company'),
      weighted: weightedScore(scored, totals, 'company'),
      pairWeighted: weightedScore(scored, totals, 'pair'),
      byKind: scoreByKind(scored, 'company'),
      ms,
      recordsPerSecond: taken / (ms / 1000),
      distinctPerSecond: distinct / (ms / 1000),
    },
  };
}

if (resolve(process.argv[1] ?? '') === resolve(new URL(import.meta.url).pathname)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
