/**
 * `npm run bench`: scale and speed of the pipeline on generated data (issue 7).
 *
 * For each size (10k, 100k, 1M and 10M award records by default) it writes a seeded synthetic
 * Contracts_PrimeAwardSummaries CSV, then runs bench/run-size.ts in a child process: parse → match →
 * plan → publish → report with the project's own code, each stage timed, peak RSS per process. The 100k
 * run also scores the matcher against a fuse.js baseline on its labelled rows. Then it times an offline
 * `icewatch run` on a copy of data/ and on a generated data directory, checks the issue's targets and
 * writes reports/bench/latest.json and latest.md.
 *
 * Flags: --sizes 10000,100000 (default 10000,100000,1000000,10000000; from 10M the child's heap is capped at
 * the 10M memory target), --seed N, --fuse-seconds S (default 30),
 * --no-start (skip the offline runs), --snapshot-max N (largest size whose snapshot round trip is measured,
 * default 1000000: the store target is measured, not extrapolated), --keep (keep the scratch directory), --out DIR (default reports/bench).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { MAX_PARTITION_BYTES } from '../scripts/store/partition-files.ts';
import { renderCompanyYaml } from '../scripts/registry/write.ts';
import { generateRegistry, writeDataset, DEFAULT_SEED, type BenchRegistry } from './generate.ts';
import { growthBetween, renderMarkdown, fmtInt, fmtSec, fmtPct, type BenchResult, type SizeRun, type StartRun, type Target } from './report.ts';
import type { SizeJob, SizeResult, StageResult } from './run-size.ts';
import type { GitGrowthResult } from './git-growth.ts';
import { f1 } from './score.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
/** Labelled rows per size: enough for precision/recall to the tenth of a percent, cheap to score. */
const LABELLED = 20_000;
const ONE_MILLION = 1_000_000;
const TEN_MILLION = 10_000_000;
/**
 * A size this large runs with V8's heap capped at its memory target: a design that needs more than that
 * cannot meet it, and finding out takes a minute instead of filling the machine's memory.
 */
const CAPPED_FROM = TEN_MILLION;

const TARGET = {
  matchPerSecond: 200_000,
  peakRssMiB: 1024,
  millionMs: 30_000,
  tenMillionMs: 300_000,
  tenMillionRssMiB: 2048,
  growth: 12,
  growthTenMillion: 11,
  fuseSpeedup: 20,
  startMs: 2_000,
  gitGrowthBytes: 30_000_000,
  storeBytes1M: 80_000_000,
  storeFileBytes: 50_000_000,
  reportBytes1M: 10_000_000,
  wideIngest1MMs: 60_000,
} as const;

interface Options {
  sizes: number[];
  seed: number;
  fuseSeconds: number;
  start: boolean;
  /** Largest size whose snapshot round trip is measured (each 1M costs about a minute). */
  snapshotMax: number;
  keep: boolean;
  out: string;
  /** Awards of the repository-growth store (0: not measured). */
  gitGrowth: number;
  /** Rows of the real-layout (286-column) download parsed; at 1M the target is measured, below it extrapolated. */
  wideRows: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000,1000000,10000000' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      'fuse-seconds': { type: 'string', default: '30' },
      'no-start': { type: 'boolean', default: false },
      'snapshot-max': { type: 'string', default: '1000000' },
      keep: { type: 'boolean', default: false },
      'git-growth': { type: 'string', default: '300000' },
      'wide-rows': { type: 'string', default: '1000000' },
      out: { type: 'string', default: join(REPO, 'reports', 'bench') },
    },
  });
  const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error(`--sizes: expected integers ≥ 100, got ${values.sizes}`);
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    seed: Number(values.seed),
    fuseSeconds: Number(values['fuse-seconds']),
    start: !values['no-start'],
    snapshotMax: Number(values['snapshot-max']),
    keep: values.keep,
    out: resolve(values.out),
    gitGrowth: Number(values['git-growth']),
    wideRows: Number(values['wide-rows']),
  };
}

function label(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs one size in a child process, echoing its stages as they finish. */
function runChild(
  job: SizeJob,
  jobPath: string,
): Promise<{
  ms: number;
  exitCode: number | null;
  result?: SizeResult;
  stages: StageResult[];
  stderrTail?: string;
  running?: { name: string; ms: number };
  peakRssMiB?: number;
  /** V8 stopped the child at its heap limit. */
  outOfMemory: boolean;
}> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const capped = job.size >= CAPPED_FROM ? [`--max-old-space-size=${TARGET.tenMillionRssMiB}`] : [];
    // --expose-gc only for the live-heap figure taken after the timed stages.
    // The flag scripts/cli.ts sets for every command (see there), so a stage costs what it costs a user.
    const child = spawn(process.execPath, ['--expose-gc', '--no-allocation-site-pretenuring', ...capped, '--import', 'tsx', join(BENCH_DIR, 'run-size.ts'), jobPath], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stages: StageResult[] = [];
    let result: SizeResult | undefined;
    let stderr = '';
    let running: { name: string; at: number } | undefined;
    // The kernel's high-water mark of the child, read while it lives: a child killed by its heap limit
    // reports nothing itself. (Linux only; elsewhere the stages' own figures stand.)
    let peakRssMiB: number | undefined;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakRssMiB = Math.max(peakRssMiB ?? 0, Math.round(Number(hwm[1]) / 1024));
      } catch {
        // Gone, or no /proc.
      }
    }, 250);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: { type?: string } & Record<string, unknown>;
      try {
        message = JSON.parse(line);
      } catch {
        return;
      }
      if (message.type === 'begin') {
        running = { name: String(message.name), at: performance.now() };
      } else if (message.type === 'stage') {
        const st = message as unknown as StageResult;
        stages.push(st);
        running = undefined;
        log(
          `  ${label(job.size).padStart(4)} ${st.name.padEnd(8)} ${fmtSec(st.ms).padStart(8)} ${fmtInt(st.perSecond).padStart(10)}/s ` +
            `${fmtInt(st.peakRssMiB).padStart(6)} MiB peak${st.error ? `  FAILED: ${st.error}` : ''}`,
        );
      } else if (message.type === 'result') {
        result = message as unknown as SizeResult;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      clearInterval(poll);
      const tail = stderr.trim().split('\n').slice(0, 3).join(' | ').slice(0, 600);
      resolvePromise({
        ms: performance.now() - started,
        exitCode: code,
        stages,
        ...(running && !result ? { running: { name: running.name, ms: performance.now() - running.at } } : {}),
        ...(peakRssMiB !== undefined ? { peakRssMiB } : {}),
        outOfMemory: /Reached heap limit|heap out of memory/.test(stderr),
        ...(result ? { result } : {}),
        ...(tail ? { stderrTail: tail } : {}),
      });
    });
  });
}

async function runSize(registry: BenchRegistry, size: number, work: string, opts: Options): Promise<SizeRun> {
  const dir = join(work, label(size));
  await mkdir(dir, { recursive: true });
  const csv = join(dir, `ICE_bench_Contracts_PrimeAwardSummaries_${label(size)}_1.csv`);
  const started = performance.now();
  const dataset = await writeDataset(registry, csv, size, Math.min(size, LABELLED));
  const generateMs = performance.now() - started;
  log(`${label(size)}: generated ${fmtInt(dataset.rows)} rows (${(dataset.bytes / 2 ** 20).toFixed(1)} MiB) in ${fmtSec(generateMs)}`);
  const labelsPath = join(dir, 'labels.json');
  await writeFile(labelsPath, JSON.stringify(dataset.labels));
  const fuseSize = opts.sizes.includes(100_000) ? 100_000 : Math.max(...opts.sizes.filter((s) => s <= 100_000), opts.sizes[0]!);
  const job: SizeJob = {
    size,
    seed: opts.seed,
    csv,
    labels: labelsPath,
    workDir: join(dir, 'work'),
    configDir: join(REPO, 'data'),
    // The extra matcher figures are taken up to 1M; the largest size is about the pipeline's own scaling.
    coldMatch: size < CAPPED_FROM,
    warmPass: size < CAPPED_FROM,
    snapshot: size <= opts.snapshotMax,
    fuseSeconds: size === fuseSize ? opts.fuseSeconds : 0,
  };
  const jobPath = join(dir, 'job.json');
  await writeFile(jobPath, JSON.stringify(job));
  const child = await runChild(job, jobPath);
  await rm(csv, { force: true });
  const result =
    child.result ?? (child.stages.length > 0 || child.running ? partialResult(job, dataset.bytes, child.stages, child.running, child.peakRssMiB, child.outOfMemory) : undefined);
  return {
    size,
    generateMs,
    csvBytes: dataset.bytes,
    childMs: child.ms,
    exitCode: child.exitCode,
    ...(child.stderrTail && child.exitCode !== 0 ? { stderrTail: child.stderrTail } : {}),
    ...(result ? { result } : {}),
  };
}

/**
 * A child that died (out of memory, say) still reported the stages it finished, and which one it was in:
 * its time counts up to the exit (a lower bound), its peak is what the kernel saw.
 */
function partialResult(
  job: SizeJob,
  csvBytes: number,
  stages: StageResult[],
  running: { name: string; ms: number } | undefined,
  peakRssMiB: number | undefined,
  outOfMemory: boolean,
): SizeResult {
  const heapLimit = job.size >= CAPPED_FROM && outOfMemory;
  return {
    size: job.size,
    records: job.size,
    rowIssues: 0,
    csvBytes,
    stages,
    totalMs: stages.reduce((n, s) => n + s.ms, 0) + (running?.ms ?? 0),
    peakRssMiB: Math.max(peakRssMiB ?? 0, ...stages.map((s) => s.peakRssMiB)),
    failedStage: running
      ? `${running.name} (${heapLimit ? `out of memory at the ${fmtInt(TARGET.tenMillionRssMiB)} MiB heap cap` : 'the process exited'} after ${fmtSec(running.ms)} in it)`
      : 'process exited',
    matchCalls: 0,
    distinctNames: 0,
  };
}

async function runWide(registry: BenchRegistry, work: string, opts: Options): Promise<NonNullable<BenchResult['wide']>> {
  const dir = join(work, 'wide');
  await mkdir(dir, { recursive: true });
  const csv = join(dir, 'ICE_bench_wide_Contracts_PrimeAwardSummaries_1.csv');
  const started = performance.now();
  const rows = opts.wideRows;
  const dataset = await writeDataset(registry, csv, rows, 0, 'wide');
  const generateMs = performance.now() - started;
  const labelsPath = join(dir, 'labels.json');
  await writeFile(labelsPath, '[]');
  const job: SizeJob = { size: rows, seed: opts.seed, csv, labels: labelsPath, workDir: join(dir, 'work'), configDir: join(REPO, 'data'), parseOnly: true };
  const jobPath = join(dir, 'job.json');
  await writeFile(jobPath, JSON.stringify(job));
  const child = await runChild(job, jobPath);
  await rm(csv, { force: true });
  const parseMs = child.result?.stages[0]?.ms;
  return {
    size: rows,
    rows: dataset.rows,
    columns: dataset.columns,
    generateMs,
    csvBytes: dataset.bytes,
    childMs: child.ms,
    exitCode: child.exitCode,
    ...(child.result ? { result: child.result } : {}),
    ...(parseMs === undefined ? {} : { extrapolated1MParseMs: (parseMs / rows) * ONE_MILLION }),
  };
}

function timeCommand(labelText: string, command: string, args: string[]): Promise<StartRun> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => {
      const shown = [command, ...args].map((a) => (a.startsWith(tmpdir()) ? `<tmp>/${relative(tmpdir(), a).split('/').slice(1).join('/')}` : a)).join(' ');
      resolvePromise({ label: labelText, command: shown, ms: performance.now() - started, exitCode: code, outputTail: output.trim().split('\n').slice(-4).join(' | ') });
    });
  });
}

/** What a data directory holds, so the offline run's time can be read against it. */
async function describeData(dir: string): Promise<string> {
  const companies = (await readdir(join(dir, 'registry', 'companies')).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml')).length;
  let records = 0;
  // Every snapshot's meta (JSONL pair) or manifest (award store) counts its records.
  for (const name of await readdir(join(dir, 'snapshots')).catch(() => [] as string[])) {
    const meta = name.endsWith('.meta.json') ? join(dir, 'snapshots', name) : join(dir, 'snapshots', name, 'manifest.json');
    const text = await readFile(meta, 'utf8').catch(() => undefined);
    if (text) records += (JSON.parse(text) as { recordCount: number }).recordCount;
  }
  return `${fmtInt(companies)} companies, ${fmtInt(records)} snapshot records`;
}

const START_RUNS = 3;

/** The fastest of `n` runs (a failed run stands whatever its time), with all their times. */
async function fastestOf(n: number, run: () => Promise<StartRun>): Promise<StartRun> {
  const runs: StartRun[] = [];
  for (let i = 0; i < n; i++) runs.push(await run());
  const failed = runs.find((r) => r.exitCode !== 0);
  const best = failed ?? runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { ...best, runsMs: runs.map((r) => r.ms) };
}

/** data/ as committed, and a generated one: the registry as YAML plus the 100k run's snapshot. */
async function runStarts(registry: BenchRegistry, work: string, sizes: SizeRun[]): Promise<StartRun[]> {
  const starts: StartRun[] = [];
  const copy = join(work, 'start-committed', 'data');
  await cp(join(REPO, 'data'), copy, { recursive: true });
  // What `npm start` runs: the compiled bundle (built once here, so no run below pays for a rebuild).
  const built = await timeCommand('build dist/cli.mjs', 'node', ['scripts/build.mjs']);
  if (built.exitCode !== 0) throw new Error(`bench: could not build the bundle: ${built.outputTail}`);
  // Process start and module loading alone: the bundle's --help loads every module and runs nothing.
  // Short runs on a shared machine move by a third from one run to the next: each is timed three times
  // and the fastest stands, with every time kept beside it.
  starts.push(await fastestOf(START_RUNS, () => timeCommand('start-up and module loading (icewatch --help from the bundle)', 'node', ['dist/cli.mjs', '--help'])));
  const args = (data: string, reports: string) => ['scripts/start.mjs', '--offline', '--data', data, '--reports', reports];
  const held = await describeData(copy);
  starts.push(
    await fastestOf(START_RUNS, () => timeCommand(`offline run, committed data/ (copy: ${held})`, 'node', args(copy, join(work, 'start-committed', 'reports')))),
  );

  const snapshotRun = sizes.filter((s) => s.result?.snapshot && !s.result.snapshot.error).sort((a, b) => b.size - a.size)[0];
  if (snapshotRun) {
    const data = join(work, 'start-generated', 'data');
    await mkdir(join(data, 'registry', 'companies'), { recursive: true });
    await mkdir(join(data, 'snapshots'), { recursive: true });
    await cp(join(REPO, 'data', 'config.yaml'), join(data, 'config.yaml'));
    for (const company of registry.companies) {
      await writeFile(join(data, 'registry', 'companies', `${company.id}.yaml`), renderCompanyYaml(company));
    }
    const from = join(work, label(snapshotRun.size), 'work', 'snapshot-data', 'snapshots');
    await cp(from, join(data, 'snapshots'), { recursive: true });
    starts.push(
      await timeCommand(
        `offline run, generated data/ (${fmtInt(registry.companies.length)} companies, ${label(snapshotRun.size)}-award snapshot)`,
        'node',
        args(data, join(work, 'start-generated', 'reports')),
      ),
    );
  }
  return starts;
}

function ratioText(measured: number, goal: number, higherIsBetter: boolean): string {
  const r = higherIsBetter ? goal / measured : measured / goal;
  return `${r.toFixed(1)}× ${higherIsBetter ? 'short' : 'over'}`;
}

function rssTarget(name: string, m: SizeResult | undefined, goalMiB: number): Target {
  return {
    name,
    target: `< ${fmtInt(goalMiB)} MiB`,
    measured: m ? `${fmtInt(m.peakRssMiB)} MiB${m.failedStage ? ` (run stopped in ${m.failedStage})` : ''}` : 'not run',
    pass: m ? !m.failedStage && m.peakRssMiB < goalMiB : null,
    ...(m && (m.failedStage || m.peakRssMiB >= goalMiB) ? { by: m.peakRssMiB >= goalMiB ? ratioText(m.peakRssMiB, goalMiB, false) : 'did not complete' } : {}),
  };
}

function timeTarget(name: string, m: SizeResult | undefined, goalMs: number): Target {
  return {
    name,
    target: `< ${fmtSec(goalMs)}`,
    measured: m ? (m.failedStage ? `stopped after ${fmtSec(m.totalMs)}, in ${m.failedStage}` : fmtSec(m.totalMs)) : 'not run',
    pass: m ? !m.failedStage && m.totalMs < goalMs : null,
    ...(m && (m.failedStage || m.totalMs >= goalMs) ? { by: m.failedStage ? 'did not complete' : ratioText(m.totalMs, goalMs, false) } : {}),
  };
}

function growthTarget(r: BenchResult, small: number, big: number, limit: number): Target {
  const g = growthBetween(r, small, big);
  return {
    name: `Growth ${label(small)} → ${label(big)}`,
    target: `${label(big)} ≤ ${limit}× the ${label(small)} time`,
    measured: g ? `${g.ratio.toFixed(1)}×${g.complete ? '' : ' (incomplete run: a lower bound)'}` : 'not measured',
    pass: g ? g.complete && g.ratio <= limit : null,
    ...(g && (!g.complete || g.ratio > limit)
      ? { by: g.ratio > limit ? `${ratioText(g.ratio, limit, false)}${g.complete ? '' : ', and more: the larger run did not complete'}` : 'the larger run did not complete' }
      : {}),
  };
}

function checkTargets(r: BenchResult): Target[] {
  const targets: Target[] = [];
  const million = r.sizes.find((s) => s.size === ONE_MILLION);
  const largest = [...r.sizes].reverse().find((s) => s.result);
  const matchRun = million?.result ? million : largest;
  const match = matchRun?.result?.stages.find((s) => s.name === 'match' && !s.error);
  targets.push({
    name: 'Matching speed',
    target: `≥ ${fmtInt(TARGET.matchPerSecond)} records/s, one core`,
    measured: match ? `${fmtInt(match.perSecond)} records/s (${label(matchRun!.size)} run)` : 'not measured',
    pass: match ? match.perSecond >= TARGET.matchPerSecond : null,
    ...(match && match.perSecond < TARGET.matchPerSecond ? { by: ratioText(match.perSecond, TARGET.matchPerSecond, true) } : {}),
  });
  const ten = r.sizes.find((s) => s.size === TEN_MILLION)?.result;
  targets.push(rssTarget('1M peak RSS', million?.result, TARGET.peakRssMiB));
  targets.push(timeTarget('1M end to end', million?.result, TARGET.millionMs));
  targets.push(rssTarget('10M peak RSS', ten, TARGET.tenMillionRssMiB));
  targets.push(timeTarget('10M end to end', ten, TARGET.tenMillionMs));
  targets.push(growthTarget(r, 100_000, ONE_MILLION, TARGET.growth));
  targets.push(growthTarget(r, ONE_MILLION, TEN_MILLION, TARGET.growthTenMillion));
  const fuseRun = r.sizes.find((s) => s.result?.fuse);
  const fz = fuseRun?.result?.fuse;
  if (fz) {
    // Both sides with their per-name caches (fuse.js memoized, the matcher's own), on the same records.
    const speedup = fz.matcher.recordsPerSecond / fz.memoRecordsPerSecond;
    targets.push({
      name: 'Speed vs fuse.js',
      target: `≥ ${TARGET.fuseSpeedup}× faster`,
      measured: `${fmtInt(speedup)}× (same ${fmtInt(fz.records)} records, both with a per-name cache; ${fmtInt(fz.matcher.recordsPerSecond / fz.searchesPerSecond)}× against fuse.js searching every record)`,
      pass: speedup >= TARGET.fuseSpeedup,
      ...(speedup < TARGET.fuseSpeedup ? { by: ratioText(speedup, TARGET.fuseSpeedup, true) } : {}),
    });
    const best = [...fz.byThreshold].sort((a, b) => (f1(b.weighted) ?? -1) - (f1(a.weighted) ?? -1))[0]!;
    const ours = fz.matcher.weighted.precision ?? 0;
    const theirs = best.weighted.precision ?? 0;
    const beatsAll = fz.byThreshold.every((t) => ours > (t.weighted.precision ?? 0));
    targets.push({
      name: 'Precision vs fuse.js',
      target: 'higher than fuse.js',
      measured: `${fmtPct(ours)} vs ${fmtPct(theirs)} (weighted sample; fuse.js at its best-F1 threshold ${best.threshold}; recall ${fmtPct(fz.matcher.weighted.recall)} vs ${fmtPct(best.weighted.recall)})`,
      pass: ours > theirs,
      ...(beatsAll
        ? {}
        : {
            note: fz.byThreshold
              .filter((t) => (t.weighted.precision ?? 0) >= ours)
              .map((t) => `fuse.js at score ≤ ${t.threshold} is as precise (${fmtPct(t.weighted.precision)}) but finds only ${fmtPct(t.weighted.recall)} of the expected companies (icewatch ${fmtPct(fz.matcher.weighted.recall)})`)
              .join('; '),
          }),
    });
  } else {
    targets.push({ name: 'Speed vs fuse.js', target: `≥ ${TARGET.fuseSpeedup}× faster`, measured: 'not measured', pass: null });
    targets.push({ name: 'Precision vs fuse.js', target: 'higher than fuse.js', measured: 'not measured', pass: null });
  }
  // Reports at 1M: measured on a 1M run, else scaled linearly from the largest run (said so).
  const reportRun = million?.result?.reportBytes !== undefined ? million : [...r.sizes].reverse().find((s) => s.result?.reportBytes !== undefined);
  const reportBytes = reportRun ? (reportRun.result!.reportBytes! * ONE_MILLION) / reportRun.size : undefined;
  targets.push({
    name: 'Reports at 1M',
    target: `≤ ${fmtInt(TARGET.reportBytes1M / 1e6)} MB in all`,
    measured:
      reportBytes === undefined
        ? 'not measured'
        : `${(reportBytes / 1e6).toFixed(1)} MB${reportRun!.size === ONE_MILLION ? '' : ` (extrapolated linearly from ${label(reportRun!.size)}; the reports are bounded, so this overstates)`}`,
    pass: reportBytes === undefined ? null : reportBytes <= TARGET.reportBytes1M,
    ...(reportBytes !== undefined && reportBytes > TARGET.reportBytes1M ? { by: ratioText(reportBytes, TARGET.reportBytes1M, false) } : {}),
  });
  const wideMs = r.wide?.extrapolated1MParseMs;
  targets.push({
    name: 'Real-layout download at 1M',
    target: `1M rows of 286 columns ingested ≤ ${fmtSec(TARGET.wideIngest1MMs)}`,
    measured:
      wideMs === undefined
        ? 'not measured'
        : `${fmtSec(wideMs)}${r.wide!.rows === ONE_MILLION ? ` (${fmtInt(r.wide!.result?.stages[0]?.peakRssMiB)} MiB peak)` : ` (extrapolated from ${fmtInt(r.wide!.rows)} rows)`}`,
    pass: wideMs === undefined ? null : wideMs <= TARGET.wideIngest1MMs,
    ...(wideMs !== undefined && wideMs > TARGET.wideIngest1MMs ? { by: ratioText(wideMs, TARGET.wideIngest1MMs, false) } : {}),
  });
  const million1 = r.sizes.find((s) => s.size === ONE_MILLION && s.result?.snapshot?.bytes);
  const store = million1?.result?.snapshot;
  const storeBytes = store?.bytes ?? r.snapshotAt1M?.estimatedBytes;
  const largestFile = store?.largestBytes ?? (r.snapshotAt1M ? Math.min(r.snapshotAt1M.capBytes, r.snapshotAt1M.estimatedBytes) : undefined);
  targets.push({
    name: 'Committed store at 1M',
    target: `≤ ${fmtInt(TARGET.storeBytes1M / 1e6)} MB in all, no file > ${fmtInt(TARGET.storeFileBytes / 1e6)} MB`,
    measured:
      storeBytes === undefined
        ? 'not measured'
        : `${(storeBytes / 1e6).toFixed(1)} MB, largest file ${((largestFile ?? 0) / 1e6).toFixed(1)} MB${store ? '' : ` (extrapolated from ${label(r.snapshotAt1M!.from)}; files are split at ${(MAX_PARTITION_BYTES / 1e6).toFixed(0)} MB)`}`,
    pass: storeBytes === undefined ? null : storeBytes <= TARGET.storeBytes1M && (largestFile ?? 0) <= TARGET.storeFileBytes,
  });
  const gg = r.gitGrowth;
  targets.push({
    name: 'Repository growth',
    target: `30 daily commits of a 300k-award store add ≤ ${fmtInt(TARGET.gitGrowthBytes / 1e6)} MB packed`,
    measured: gg ? `+${(gg.addedBytes / 1e6).toFixed(1)} MB (${fmtInt(gg.awards)} awards, ~${fmtInt(gg.changedPerDay)} changed a day; pack ${(gg.initialPackBytes / 1e6).toFixed(1)} → ${(gg.finalPackBytes / 1e6).toFixed(1)} MB)` : 'not measured',
    pass: gg ? gg.addedBytes <= TARGET.gitGrowthBytes : null,
  });
  const loading = r.starts.find((s) => s.label.startsWith('start-up'));
  const start = r.starts.find((s) => s.label.startsWith('offline run, committed'));
  targets.push({
    name: 'Offline run',
    target: `< ${fmtSec(TARGET.startMs)} on the committed data`,
    measured: start
      ? `${fmtSec(start.ms)} (exit ${start.exitCode}${start.runsMs ? `; fastest of ${start.runsMs.map(fmtSec).join(', ')}` : ''}${loading ? `; ${fmtSec(loading.ms)} of it is process start-up and module loading` : ''})`
      : 'not run',
    pass: start ? start.exitCode === 0 && start.ms < TARGET.startMs : null,
    ...(start && start.exitCode !== 0 ? { by: `exited with ${start.exitCode}: ${start.outputTail ?? ''}` } : start && start.ms >= TARGET.startMs ? { by: ratioText(start.ms, TARGET.startMs, false) } : {}),
  });
  return targets;
}

function notes(r: BenchResult): string[] {
  const out: string[] = [
    'All sizes use the narrow CSV (the 27 columns the parser reads, in the real file\'s order); real downloads have 286 columns, see "Wide rows" for their parse cost.',
    'Times are wall-clock in one Node process per size (the pipeline is single-threaded; V8 runs its garbage collector on other threads). Other work on this shared machine (see the load average) slows every figure.',
    'match is the time spent inside matcher.matchAward during buildPlan (the matcher\'s name cache warm, as in a real run); plan is buildPlan minus that time.',
  ];
  const fuseRun = r.sizes.find((s) => s.result?.fuse);
  if (fuseRun) out.push(`The fuse.js figures come from a sample (${fmtInt(fuseRun.result!.fuse!.records)} records) because one search takes ${(fuseRun.result!.fuse!.searchMs / Math.max(1, fuseRun.result!.fuse!.searches)).toFixed(0)} ms; its speed on a full run is extrapolated from the per-search time.`);
  if (r.wide?.extrapolated1MParseMs && r.wide.rows !== ONE_MILLION) out.push(`The 1M wide-row parse time (${fmtSec(r.wide.extrapolated1MParseMs)}) is extrapolated from ${fmtInt(r.wide.rows)} rows, not run.`);
  if (r.snapshotAt1M) out.push('The 1M award store size is extrapolated from the largest store written, not written.');
  return out;
}

async function main(): Promise<void> {
  const opts = options();
  const started = performance.now();
  const loadStart = loadavg()[0] ?? 0;
  const work = await mkdtemp(join(tmpdir(), 'icewatch-bench-'));
  log(`icewatch bench: sizes ${opts.sizes.map(label).join(', ')}, seed ${opts.seed}, scratch ${work}`);
  try {
    const registry = generateRegistry(opts.seed);
    const sizes: SizeRun[] = [];
    for (const size of opts.sizes) sizes.push(await runSize(registry, size, work, opts));
    log('wide rows: parse probe');
    const wide = await runWide(registry, work, opts);
    const starts = opts.start ? await runStarts(registry, work, sizes) : [];
    for (const s of starts) log(`${s.label}: ${fmtSec(s.ms)} (exit ${s.exitCode})`);

    let gitGrowth: GitGrowthResult | undefined;
    if (opts.gitGrowth > 0) {
      log(`repository growth: ${fmtInt(opts.gitGrowth)}-award store, 30 daily commits`);
      const run = await timeCommand('git growth', 'node', ['--import', 'tsx', join(BENCH_DIR, 'git-growth.ts'), '--awards', String(opts.gitGrowth), '--json']);
      const line = run.outputTail?.split(' | ').find((l) => l.startsWith('{'));
      if (run.exitCode === 0 && line) gitGrowth = JSON.parse(line) as GitGrowthResult;
      else log(`repository growth failed: ${run.outputTail ?? ''}`);
    }

    const snap = sizes.filter((s) => s.result?.snapshot?.bytes).sort((a, b) => b.size - a.size)[0];
    const snapshotMeasuredAt1M = sizes.some((s) => s.size >= ONE_MILLION && s.result?.snapshot);
    const fuseVersion = (JSON.parse(await readFile(join(REPO, 'node_modules', 'fuse.js', 'package.json'), 'utf8')) as { version: string }).version;
    const cpu = cpus();
    const result: BenchResult = {
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      seed: opts.seed,
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      registryCompanies: registry.companies.length,
      labelledPerSize: LABELLED,
      fuseVersion,
      machine: {
        cpu: cpu[0]?.model ?? 'unknown',
        cores: cpu.length,
        memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
        node: process.version,
        os: `${platform()} ${release()}`,
        loadStart,
        loadEnd: loadavg()[0] ?? 0,
        heapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      },
      benchMs: performance.now() - started,
      sizes,
      wide,
      starts,
      ...(gitGrowth ? { gitGrowth } : {}),
      ...(snap && !snapshotMeasuredAt1M
        ? {
            snapshotAt1M: {
              estimatedBytes: Math.round((snap.result!.snapshot!.bytes! / snap.size) * ONE_MILLION),
              capBytes: MAX_PARTITION_BYTES,
              from: snap.size,
            },
          }
        : {}),
      targets: [],
      notes: [],
    };
    result.targets = checkTargets(result);
    result.notes = notes(result);
    const markdown = renderMarkdown(result);
    await mkdir(opts.out, { recursive: true });
    await writeFile(join(opts.out, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(opts.out, 'latest.md'), markdown);
    process.stdout.write(`\n${markdown}`);
    log(`wrote ${relative(process.cwd(), join(opts.out, 'latest.json'))} and latest.md`);
  } finally {
    if (opts.keep) log(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
