import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attribution } from '../../scripts/plan/attribute.ts';
import type { NewAward, Plan } from '../../scripts/plan/types.ts';
import { floodPlan } from './flood-plan.ts';
import { writeReport, type PlanContext } from '../../scripts/pipeline/run.ts';
import { reportDetailParquet, reportDetailRows } from '../../scripts/publish/report-detail.ts';
import { REPORT_JSON_LIMITS } from '../../scripts/publish/report-json.ts';
import { renderReport } from '../../scripts/publish/report.ts';
import { sqlString, withEngine } from '../../scripts/store/engine.ts';

const emptyAttribution: Attribution = { awards: new Map(), resellerAwards: new Map(), mentions: new Map(), review: [], unmatchedAwards: [], unmatchedMentions: [] };

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('report detail', () => {
  it('keeps the Markdown and JSON bounded on a flood while the detail Parquet holds every row', async () => {
    const plan = floodPlan();
    const report = renderReport(plan, emptyAttribution);
    expect(Buffer.byteLength(report.markdown)).toBeLessThan(512 * 1024);
    expect(report.markdown).toContain('The 200 largest of 5000 by obligated:');
    expect(report.markdown).toContain('…and 4800 more in `2026-12-01.detail.parquet` (section `new-award`).');
    expect(report.markdown).toContain('…and 19950 more in `2026-12-01.detail.parquet` (section `list-added`).');
    expect(report.markdown).not.toContain('<b>');
    const json = JSON.parse(report.json);
    expect(Buffer.byteLength(report.json)).toBeLessThan(3 * 2 ** 20);
    expect(json.plan.newAwards).toHaveLength(REPORT_JSON_LIMITS.newAwards);
    // The largest by obligated, in the plan's order.
    const shown = json.plan.newAwards.map((n: NewAward) => n.award.obligated as number);
    const cutoff = [...plan.newAwards.map((n) => n.award.obligated!)].sort((a, b) => b - a)[REPORT_JSON_LIMITS.newAwards - 1]!;
    expect(Math.min(...shown)).toBeGreaterThanOrEqual(cutoff);
    expect(json.plan.candidates[0].awards).toHaveLength(REPORT_JSON_LIMITS.evidencePerCompany);
    expect(json.plan.candidates[0].awardCount).toBe(300);
    expect(json.plan.listChanges[0].added).toHaveLength(REPORT_JSON_LIMITS.listNames);
    expect(json.plan.listChanges[0].addedCount).toBe(20_000);
    expect(json.omitted).toEqual({ candidates: 600 - REPORT_JSON_LIMITS.candidates, newAwards: 5000 - REPORT_JSON_LIMITS.newAwards, reviewQueue: 3000 - REPORT_JSON_LIMITS.reviewQueue });
    expect(json.detail.rows).toEqual({
      'new-award': 5000,
      'new-candidate-award': 300 + 299 * 2,
      'new-candidate-mention': 1,
      review: 3000,
      'list-added': 20_000,
      'list-removed': 1,
    });

    const bytes = (await reportDetailParquet(plan))!;
    // Same plan, same bytes, whatever order the rows came in.
    const shuffled = { ...plan, newAwards: [...plan.newAwards].reverse(), reviewQueue: [...plan.reviewQueue].reverse() };
    expect(Buffer.from((await reportDetailParquet(shuffled))!).equals(Buffer.from(bytes))).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-detail-'));
    dirs.push(dir);
    const file = join(dir, 'detail.parquet');
    await writeFile(file, bytes);
    const counts = await withEngine((engine) =>
      engine.all<{ section: string; n: number; obligated: number | null }>(
        `SELECT section, count(*) AS n, sum(obligated) AS obligated FROM read_parquet(${sqlString(file)}) GROUP BY section ORDER BY section`,
      ),
    );
    expect(Object.fromEntries(counts.map((c) => [c.section, c.n]))).toEqual(json.detail.rows);
    expect(counts.find((c) => c.section === 'new-award')!.obligated).toBeCloseTo(plan.newAwards.reduce((s, n) => s + n.award.obligated!, 0), 2);
    const [first] = await withEngine((engine) =>
      engine.all(`SELECT * FROM read_parquet(${sqlString(file)}) WHERE section = 'review' AND note IS NOT NULL ORDER BY name LIMIT 1`),
    );
    expect(first).toMatchObject({ name: 'VENDOR 0', company_id: null, note: 'acquired later', url: 'https://www.usaspending.gov/award/x' });
  });

  it('has no rows (and no file) for a plan with nothing in detail', async () => {
    const plan: Plan = { asOf: '2026-12-01', sources: [], candidates: [], newAwards: [], transitions: [], listChanges: [], reviewQueue: [], proposals: [] };
    expect([...reportDetailRows(plan)]).toEqual([]);
    expect(await reportDetailParquet(plan)).toBeUndefined();
    expect(JSON.parse(renderReport(plan, emptyAttribution).json).detail).toBeUndefined();
  });

  it('writeReport writes the detail beside the report, and a rerun with none removes the old one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-detail-'));
    dirs.push(dir);
    const plan = floodPlan();
    const context = (p: Plan) => ({ result: { plan: p, attribution: emptyAttribution } }) as unknown as PlanContext;
    const first = await writeReport(dir, context(plan));
    const detail = join(dir, '2026-12-01.detail.parquet');
    expect(first.written).toContain(detail);
    expect((await stat(detail)).size).toBeGreaterThan(0);
    const again = await writeReport(dir, context(plan));
    expect(again.written).toEqual([]);
    const onlyLists = { ...plan, newAwards: [], candidates: [], reviewQueue: [], listChanges: [{ source: 'watchdog', list: 'companies', added: [], removed: [], needsReview: false, structureChange: 'heading renamed' }] };
    const third = await writeReport(dir, context(onlyLists));
    expect(third.written).toContain(detail);
    await expect(stat(detail)).rejects.toThrow();
    expect(JSON.parse(await readFile(join(dir, '2026-12-01.json'), 'utf8')).detail).toBeUndefined();
  });
});
