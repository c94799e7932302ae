/** The bench's growth figures: which runs they compare, and when a figure is only a lower bound. */
import { describe, expect, it } from 'vitest';
import { growthBetween, growths, type BenchResult, type SizeRun } from '../../bench/report.ts';

function run(size: number, totalMs: number, failedStage?: string, stages = 1): SizeRun {
  return {
    size,
    generateMs: 0,
    csvBytes: 0,
    childMs: totalMs,
    exitCode: failedStage ? 134 : 0,
    result: {
      size,
      records: size,
      rowIssues: 0,
      csvBytes: 0,
      stages: Array.from({ length: stages }, () => ({ name: 'parse', ms: totalMs, perSecond: 1, peakRssMiB: 1, rssMiB: 1, heapUsedMiB: 1 })),
      totalMs,
      peakRssMiB: 1,
      ...(failedStage ? { failedStage } : {}),
      matchCalls: 0,
      distinctNames: 0,
    },
  };
}

const bench = (sizes: SizeRun[]) => ({ sizes }) as unknown as BenchResult;

describe('growth between bench sizes', () => {
  it('compares runs ten times apart, and says when the larger one stopped', () => {
    const r = bench([run(100_000, 1_000), run(1_000_000, 9_000), run(10_000_000, 60_000, 'parse (out of memory at the 2,048 MiB heap cap after 60 s in it)', 0)]);
    expect(growthBetween(r, 100_000, 1_000_000)).toEqual({ small: 100_000, big: 1_000_000, ratio: 9, complete: true });
    // The 10M run died in its first stage: its time so far still gives a lower bound.
    expect(growthBetween(r, 1_000_000, 10_000_000)).toEqual({ small: 1_000_000, big: 10_000_000, ratio: 60_000 / 9_000, complete: false });
    expect(growths(r).map((g) => [g.small, g.big])).toEqual([
      [100_000, 1_000_000],
      [1_000_000, 10_000_000],
    ]);
  });

  it('is not measured when either size did not run', () => {
    const r = bench([run(10_000, 100), run(1_000_000, 9_000)]);
    expect(growthBetween(r, 100_000, 1_000_000)).toBeUndefined();
    expect(growths(r)).toEqual([]);
  });
});
