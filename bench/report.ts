/**
 * The benchmark's figures as one JSON value and as Markdown (printed by `npm run bench` and written to
 * reports/bench/latest.md). Targets are the ones issue 7 sets; each is checked against what was measured
 * and a miss says by how much.
 */
import type { GitGrowthResult } from './git-growth.ts';
import { markdownTable } from 'markdown-table';
import type { SizeResult } from './run-size.ts';
import { f1, type Score } from './score.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the bench started and ended: other work on the machine slows every figure. */
  loadStart: number;
  loadEnd: number;
  heapLimitMiB: number;
}

export interface SizeRun {
  size: number;
  generateMs: number;
  csvBytes: number;
  /** Wall time of the child process (startup, registry, run and the extra figures). */
  childMs: number;
  exitCode: number | null;
  stderrTail?: string;
  result?: SizeResult;
}

export interface StartRun {
  label: string;
  command: string;
  /** The run that stands (the fastest of several, when timed more than once). */
  ms: number;
  /** Every run's time, when timed more than once. */
  runsMs?: number[];
  exitCode: number | null;
  outputTail?: string;
}

export interface Target {
  name: string;
  target: string;
  measured: string;
  pass: boolean | null;
  /** For a miss: how far off, e.g. "3.2× too slow". */
  by?: string;
  note?: string;
}

export interface BenchResult {
  schemaVersion: 1;
  generatedAt: string;
  seed: number;
  /** How the bench was started. */
  command: string;
  registryCompanies: number;
  labelledPerSize: number;
  fuseVersion: string;
  machine: Machine;
  benchMs: number;
  sizes: SizeRun[];
  wide?: SizeRun & { rows: number; columns: number; extrapolated1MParseMs?: number };
  starts: StartRun[];
  /** The 1M award store's bytes, extrapolated from the largest one written (files are split at the cap by construction). */
  snapshotAt1M?: { estimatedBytes: number; capBytes: number; from: number };
  /** bench/git-growth.ts: what 30 daily commits of an ICE-sized award store add to the packed history. */
  gitGrowth?: GitGrowthResult;
  targets: Target[];
  notes: string[];
}

const STAGES = ['parse', 'index', 'match', 'plan', 'publish', 'report'] as const;

export function fmtInt(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US');
}

export function fmtSec(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 2 * 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function fmtPct(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`;
}

function sizeLabel(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function scoreCells(s: Score | undefined): string[] {
  if (!s) return ['–', '–', '–'];
  const f = f1(s);
  return [fmtPct(s.precision), fmtPct(s.recall), f === null ? '–' : f.toFixed(3)];
}

export function renderMarkdown(r: BenchResult): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`# icewatch benchmark`, '');
  out.push(
    `Measured ${r.generatedAt.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os} ` +
      `(V8 heap limit ${fmtInt(m.heapLimitMiB)} MiB); load average ${m.loadStart.toFixed(2)} at start, ${m.loadEnd.toFixed(2)} at end. ` +
      `\`${r.command}\`: seed ${r.seed}, registry of ${fmtInt(r.registryCompanies)} generated companies; the whole bench took ${fmtSec(r.benchMs)}.`,
    '',
  );

  out.push('## Targets', '');
  out.push(
    markdownTable([
      ['Target', 'Goal', 'Measured', 'Result'],
      ...r.targets.map((t) => [t.name, t.target, t.measured, t.pass === null ? 'not measured' : t.pass ? 'pass' : `**miss**${t.by ? ` (${t.by})` : ''}`]),
    ]),
    '',
  );
  for (const t of r.targets) if (t.note) out.push(`- ${t.name}: ${t.note}`);
  if (r.targets.some((t) => t.note)) out.push('');

  const runs = r.sizes.filter((s) => s.result);
  out.push('## Pipeline per size', '');
  out.push(
    'Records per second per stage (index: registry companies per second), stage time, the share of it spent waiting on DuckDB statements (the rest is the project\'s JavaScript), and the process high-water mark after the stage.',
    '',
  );
  const header = ['Stage', ...runs.flatMap((s) => [`${sizeLabel(s.size)} time`, `${sizeLabel(s.size)} DuckDB`, `${sizeLabel(s.size)} rec/s`, `${sizeLabel(s.size)} peak RSS`])];
  const rows: string[][] = [];
  for (const name of STAGES) {
    rows.push([
      name,
      ...runs.flatMap((s) => {
        const st = s.result!.stages.find((x) => x.name === name);
        if (!st) return ['not reached', '', '', ''];
        const engine = st.engineMs === undefined ? '–' : fmtPct(st.ms > 0 ? st.engineMs / st.ms : 0);
        if (st.error) return [`failed after ${fmtSec(st.ms)}`, engine, '–', `${fmtInt(st.peakRssMiB)} MiB`];
        return [fmtSec(st.ms), engine, fmtInt(st.perSecond), `${fmtInt(st.peakRssMiB)} MiB`];
      }),
    ]);
  }
  rows.push([
    '**parse → report**',
    ...runs.flatMap((s) => [
      `**${fmtSec(s.result!.totalMs)}**${s.result!.failedStage ? ' (incomplete)' : ''}`,
      fmtPct(s.result!.totalMs > 0 ? s.result!.stages.reduce((sum, st) => sum + (st.engineMs ?? 0), 0) / s.result!.totalMs : 0),
      s.result!.failedStage ? '–' : fmtInt(s.result!.records / (s.result!.totalMs / 1000)),
      `**${fmtInt(s.result!.peakRssMiB)} MiB**`,
    ]),
  ]);
  out.push(markdownTable([header, ...rows]), '');
  const failures = runs.flatMap((s) => s.result!.stages.filter((x) => x.error).map((x) => `- ${sizeLabel(s.size)} ${x.name}: ${x.error}`));
  const crashed = r.sizes.filter((s) => !s.result).map((s) => `- ${sizeLabel(s.size)}: the run exited with code ${s.exitCode}: ${s.stderrTail ?? ''}`);
  const stopped = r.sizes
    .filter((s) => s.result?.failedStage && s.exitCode !== 0)
    .map((s) => `- ${sizeLabel(s.size)}: stopped in ${s.result!.failedStage}, ${fmtSec(s.result!.totalMs)} into the run, at ${fmtInt(s.result!.peakRssMiB)} MiB peak RSS`);
  failures.push(...stopped);
  if (failures.length + crashed.length > 0) out.push('Failures:', '', ...failures, ...crashed, '');

  out.push(
    markdownTable([
      ['Size', 'CSV', 'Generate', 'Distinct recipients', 'Attributed companies', 'Candidates', 'New awards', 'Review queue', 'Child wall time'],
      ...r.sizes.map((s) => [
        sizeLabel(s.size),
        `${(s.csvBytes / 2 ** 20).toFixed(1)} MiB`,
        fmtSec(s.generateMs),
        s.result?.failedStage && !s.result.distinctNames ? '–' : fmtInt(s.result?.distinctNames),
        fmtInt(s.result?.plan?.attributedCompanies),
        fmtInt(s.result?.plan?.candidates),
        fmtInt(s.result?.plan?.newAwards),
        fmtInt(s.result?.plan?.reviewQueue),
        fmtSec(s.childMs),
      ]),
    ]),
    '',
  );
  for (const grown of growths(r)) {
    out.push(
      `Growth: the ${sizeLabel(grown.big)} run took ${grown.ratio.toFixed(1)}× the ${sizeLabel(grown.small)} run${grown.complete ? '' : ' (at least: it did not complete)'} (${(grown.big / grown.small).toFixed(0)}× the records; linear would be ${(grown.big / grown.small).toFixed(0)}×).`,
      '',
    );
  }

  const cold = runs.filter((s) => s.result!.cold);
  if (cold.length > 0) {
    out.push(
      'Matching speed without the name cache (a fresh matcher, every distinct recipient once): ' +
        cold.map((s) => `${sizeLabel(s.size)}: ${fmtInt(s.result!.cold!.namesPerSecond)} names/s over ${fmtInt(s.result!.cold!.names)} names`).join('; ') +
        '.',
      '',
    );
  }
  const warm = runs.filter((s) => s.result!.warmMatch);
  if (warm.length > 0) {
    out.push(
      "Matching speed on a second pass with the plan's matcher (its name cache as warm as the run left it): " +
        warm.map((s) => `${sizeLabel(s.size)}: ${fmtInt(s.result!.warmMatch!.perSecond)} records/s`).join('; ') +
        '.',
      '',
    );
  }
  const live = runs.filter((s) => s.result!.liveHeap);
  if (live.length > 0) {
    out.push(
      'Live heap holding the parsed records (after a forced garbage collection, the plan dropped): ' +
        live
          .map((s) => `${sizeLabel(s.size)}: ${fmtInt(s.result!.liveHeap!.withRecordsMiB)} MiB over a ${fmtInt(s.result!.liveHeap!.baseMiB)} MiB base, ${fmtInt(s.result!.liveHeap!.bytesPerRecord)} bytes a record`)
          .join('; ') +
        '.',
      '',
    );
  }
  const sites = runs.filter((s) => s.result!.site);
  if (sites.length > 0) {
    out.push(
      'Static site (data/published/site, built inside publish; render timed again on its own): ' +
        sites.map((s) => { const site = s.result!.site!; return `${sizeLabel(s.size)}: ${fmtSec(site.ms)} render, ${fmtInt(site.pages)} pages, ${fmtInt(site.files)} files, ${(site.bytes / 2 ** 20).toFixed(1)} MiB`; }).join('; ') + '.',
      '',
    );
  }
  const reports = runs.filter((s) => s.result!.reportBytes);
  if (reports.length > 0) {
    out.push(
      'Report files written (dated .md, .json and .detail.parquet, latest.md): ' + reports.map((s) => `${sizeLabel(s.size)}: ${(s.result!.reportBytes! / 2 ** 20).toFixed(1)} MiB`).join('; ') + '.',
      '',
    );
  }
  if (r.wide) {
    out.push(
      `Wide rows: a ${fmtInt(r.wide.rows)}-row CSV with all ${r.wide.columns} columns of a real download (${fmtInt(r.wide.csvBytes / r.wide.rows)} bytes a row, as in the real file) parsed at ` +
        `${fmtInt(r.wide.result?.stages[0]?.perSecond)} records/s` +
        (r.wide.rows === 1_000_000 ? '.' : `; a 1M-row real download would take about ${fmtSec(r.wide.extrapolated1MParseMs)} to parse (extrapolated, not run).`),
      '',
    );
  }
  const snaps = runs.filter((s) => s.result!.snapshot);
  if (snaps.length > 0 || r.snapshotAt1M) {
    const parts = snaps.map((s) => {
      const sn = s.result!.snapshot!;
      return sn.error
        ? `${sizeLabel(s.size)}: failed (${sn.error})`
        : `${sizeLabel(s.size)}: write ${fmtSec(sn.writeMs)}, read ${fmtSec(sn.readMs)}, ${((sn.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB in ${sn.files ?? '?'} files (largest ${((sn.largestBytes ?? 0) / 2 ** 20).toFixed(1)} MiB)`;
    });
    out.push(`Award store round trip (writeSnapshot + readSnapshot into data/snapshots/<source>/, the path a real import takes): ${parts.join('; ')}.`);
    if (r.snapshotAt1M) {
      out.push(
        ` At 1M records the store would be about ${(r.snapshotAt1M.estimatedBytes / 2 ** 20).toFixed(0)} MiB (extrapolated from ${sizeLabel(r.snapshotAt1M.from)}, not measured: ` +
          `\`--snapshot-max 1000000\` measures it); no file passes ${(r.snapshotAt1M.capBytes / 2 ** 20).toFixed(0)} MiB, where a partition is split.`,
      );
    }
    out.push('');
  }

  const q = runs.filter((s) => s.result!.quality);
  if (q.length > 0) {
    out.push('## Matching quality on the labelled rows', '');
    out.push('Per (company, relation) pair at the proposal threshold (confidence ≥ 0.9); "review only" counts expected pairs the matcher put in the review band (0.7–0.9) instead.', '');
    out.push(
      markdownTable([
        ['Size', 'Labelled rows', 'Expected pairs', 'Precision', 'Recall', 'F1', 'Review only'],
        ...q.map((s) => {
          const qq = s.result!.quality!;
          return [sizeLabel(s.size), fmtInt(qq.rows), fmtInt(qq.pair.expected), ...scoreCells(qq.pair), fmtInt(qq.reviewOnly)];
        }),
      ]),
      '',
    );
    const largest = q[q.length - 1]!.result!.quality!;
    if (largest.byRelation) {
      out.push(`By relation (${sizeLabel(q[q.length - 1]!.size)} run):`, '');
      out.push(
        markdownTable([
          ['Relation', 'Expected', 'Predicted', 'Correct', 'Precision', 'Recall'],
          ...Object.entries(largest.byRelation).map(([relation, s]) => [relation, fmtInt(s.expected), fmtInt(s.predicted), fmtInt(s.correct), fmtPct(s.precision), fmtPct(s.recall)]),
        ]),
        '',
      );
    }
    out.push(`By row kind (${sizeLabel(q[q.length - 1]!.size)} run):`, '');
    out.push(
      markdownTable([
        ['Kind', 'Rows', 'Expected', 'Predicted', 'Correct', 'Precision', 'Recall'],
        ...Object.entries(largest.byKind).map(([kind, s]) => [kind, fmtInt(s!.rows), fmtInt(s!.expected), fmtInt(s!.predicted), fmtInt(s!.correct), fmtPct(s!.precision), fmtPct(s!.recall)]),
      ]),
      '',
    );
  }

  const fuseRun = runs.find((s) => s.result!.fuse);
  if (fuseRun) {
    const fz = fuseRun.result!.fuse!;
    out.push('## Baseline: fuse.js', '');
    out.push(
      `fuse.js ${r.fuseVersion} over ${fmtInt(fz.entries)} registry names and aliases (\`new Fuse(names, { keys: ['text'], includeScore: true, threshold: ${fz.threshold} })\`), ` +
        `best hit within a threshold, on ${fmtInt(fz.records)} labelled records of the ${sizeLabel(fuseRun.size)} run (${fmtInt(fz.distinctNames)} distinct names), ` +
        `as many as its time budget allowed, taken round-robin across row kinds so that every kind is in the sample. ` +
        `"Weighted" scales each kind back to its share of the ${fmtInt(Object.values(fz.sampledByKind).reduce((n, k) => n + (k?.total ?? 0), 0))} labelled rows. ` +
        `Scored by company only (fuse.js knows no relation).`,
      '',
      `Speed: one fuse.js search took ${(fz.searchMs / Math.max(1, fz.searches)).toFixed(0)} ms, so ${fz.recordsPerSecond.toFixed(1)} records/s when every record searches and ` +
        `${fz.memoRecordsPerSecond.toFixed(1)} records/s with a per-name memo on this sample; the icewatch matcher, fresh, did the same records at ${fmtInt(fz.matcher.recordsPerSecond)} records/s. ` +
        `At fuse.js's rate the ${sizeLabel(fuseRun.size)} run's ${fmtInt(fuseRun.result!.records)} records would need about ${fmtSec((fuseRun.result!.records / fz.recordsPerSecond) * 1000)} (extrapolated).`,
      '',
    );
    out.push(
      markdownTable([
        ['Matcher', 'Precision (weighted)', 'Recall (weighted)', 'F1 (weighted)', 'Precision (sample)', 'Recall (sample)', 'Predicted', 'Correct'],
        [
          'icewatch (confidence ≥ 0.9)',
          ...scoreCells(fz.matcher.weighted),
          fmtPct(fz.matcher.sample.precision),
          fmtPct(fz.matcher.sample.recall),
          fmtInt(fz.matcher.sample.predicted),
          fmtInt(fz.matcher.sample.correct),
        ],
        ...fz.byThreshold.map((t) => [
          `fuse.js, score ≤ ${t.threshold}`,
          ...scoreCells(t.weighted),
          fmtPct(t.sample.precision),
          fmtPct(t.sample.recall),
          fmtInt(t.sample.predicted),
          fmtInt(t.sample.correct),
        ]),
      ]),
      '',
    );
    const kinds = Object.keys(fz.sampledByKind).sort();
    out.push('Sample by row kind: records, then correct / predicted (false alarms are the difference) for icewatch and for fuse.js at each threshold.', '');
    out.push(
      markdownTable([
        ['Kind', 'Sampled', ...['icewatch', ...fz.byThreshold.map((t) => `fuse ≤ ${t.threshold}`)]],
        ...kinds.map((kind) => {
          const k = kind as keyof typeof fz.sampledByKind;
          const cell = (s: Score | undefined) => (s ? `${fmtInt(s.correct)} / ${fmtInt(s.predicted)} of ${fmtInt(s.expected)}` : '–');
          return [kind, `${fmtInt(fz.sampledByKind[k]?.sampled)} of ${fmtInt(fz.sampledByKind[k]?.total)}`, cell(fz.matcher.byKind[k]), ...fz.byThreshold.map((t) => cell(t.byKind[k]))];
        }),
      ]),
      '',
    );
  }

  if (r.starts.length > 0) {
    out.push('## Offline run', '');
    out.push(
      markdownTable([
        ['What', 'Command', 'Wall time', 'Exit'],
        ...r.starts.map((s) => [s.label, `\`${s.command}\``, s.runsMs ? `${fmtSec(s.ms)} (fastest of ${s.runsMs.map(fmtSec).join(', ')})` : fmtSec(s.ms), String(s.exitCode)]),
      ]),
      '',
    );
  }

  if (r.notes.length > 0) out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}

export interface Growth {
  small: number;
  big: number;
  ratio: number;
  complete: boolean;
}

/** The time of the `big` run over the `small` one, when both ran (a big run that stopped gives a lower bound). */
export function growthBetween(r: BenchResult, small: number, big: number): Growth | undefined {
  const find = (size: number) => r.sizes.find((s) => s.size === size && s.result && s.result.stages.length + (s.result.failedStage ? 1 : 0) > 0);
  const a = find(small);
  const b = find(big);
  if (!a || !b) return undefined;
  return { small, big, ratio: b.result!.totalMs / a.result!.totalMs, complete: !a.result!.failedStage && !b.result!.failedStage };
}

/** Every pair of sizes ten times apart. */
export function growths(r: BenchResult): Growth[] {
  return r.sizes.flatMap((s) => (growthBetween(r, s.size, s.size * 10) ? [growthBetween(r, s.size, s.size * 10)!] : []));
}

