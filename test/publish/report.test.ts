import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../scripts/plan/attribute.ts';
import type { Plan, ReviewItem } from '../../scripts/plan/types.ts';
import { renderReport } from '../../scripts/publish/report.ts';
import { REPORT_JSON_LIMITS } from '../../scripts/publish/report-json.ts';

const emptyAttribution: Attribution = {
  awards: new Map(),
  resellerAwards: new Map(),
  mentions: new Map(),
  review: [],
  unmatchedAwards: [],
  unmatchedMentions: [],
};

function planWith(review: ReviewItem[]): Plan {
  return { asOf: '2026-11-27', sources: [], candidates: [], newAwards: [], transitions: [], listChanges: [], reviewQueue: review, proposals: [] };
}

describe('renderReport', () => {
  it('bounds long Markdown sections and the JSON, pointing at the detail file for the rest', () => {
    const review = Array.from({ length: 1500 }, (_, i): ReviewItem => ({
      kind: 'award',
      name: `VENDOR ${String(i).padStart(4, '0')}`,
      source: 'usaspending',
      awardKey: `CONT_AWD_${i}_7012_-NONE-_-NONE-`,
      url: `https://www.usaspending.gov/award/CONT_AWD_${i}_7012_-NONE-_-NONE-`,
      matches: [{ companyId: 'acme', relation: 'direct', confidence: 0.8, method: 'fuzzy', reason: 'similar name' }],
    }));
    const report = renderReport(planWith(review), emptyAttribution);
    const rows = report.markdown.split('\n').filter((l) => l.startsWith('| award |'));
    expect(rows).toHaveLength(200);
    expect(report.markdown).toContain('…and 1300 more in `2026-11-27.detail.parquet` (section `review`).');
    const json = JSON.parse(report.json);
    expect(json.plan.reviewQueue).toHaveLength(REPORT_JSON_LIMITS.reviewQueue);
    expect(json.omitted).toEqual({ reviewQueue: 1500 - REPORT_JSON_LIMITS.reviewQueue });
    expect(json.detail).toEqual({ file: '2026-11-27.detail.parquet', rows: { review: 1500 } });
    expect([...report.jsonChunks()].join('')).toBe(report.json);
  });

  it('puts source health before everything else and marks stale sources', () => {
    const plan = planWith([]);
    plan.sources = [{ source: 'fpds', title: 'FPDS', state: 'stale', ageDays: 4, records: 10, message: 'HTTP 503 after 4 attempts' }];
    const md = renderReport(plan, emptyAttribution).markdown;
    expect(md.indexOf('## Source health')).toBeLessThan(md.indexOf('## Summary'));
    expect(md).toContain('**stale** (4 d old)');
    expect(md).toContain('nothing is inferred from their absence');
  });

  it('says a partial source is a lower bound, and names FPDS removals, without calling them stale', () => {
    const plan = planWith([]);
    plan.sources = [
      { source: 'usaspending', title: 'USAspending', state: 'partial', records: 257, message: 'partial: contracts (spending_by_award_count): 250 of 257 fetched' },
      { source: 'fpds', title: 'FPDS', state: 'ok', records: 1, message: 'removed 1 record(s) deleted upstream: CONT_AWD_X_7012_-NONE-_-NONE- (FPDS deleted the base action of X on 2026-04-06 (FEEDNAME=DELETED))' },
    ];
    const md = renderReport(plan, emptyAttribution).markdown;
    expect(md).toContain('**partial**');
    expect(md).toContain('250 of 257 fetched');
    expect(md).toContain('1 source(s) are partial');
    expect(md).toContain('its figures are a lower bound');
    expect(md).toContain('deleted upstream: CONT\\_AWD\\_X');
    expect(md).not.toContain('were not refreshed this run');
  });

  it('lists what a fetched award store added, removed and changed per fiscal year, keys escaped and bounded', () => {
    const plan = planWith([]);
    const added = Array.from({ length: 20 }, (_, i) => `CONT_AWD_A${i}_7012_-NONE-_-NONE-`);
    plan.sources = [
      {
        source: 'usaspending-download',
        title: 'USAspending downloads',
        state: 'ok',
        records: 300,
        storeChanges: [
          { fiscalYear: 0, added: 0, removed: 1, changed: 0, addedKeys: [], removedKeys: ['CONT_AWD_<b>x</b>_7012'], changedKeys: [] },
          { fiscalYear: 2026, added: 120, removed: 0, changed: 2, addedKeys: added, removedKeys: [], changedKeys: ['K1', 'K2'] },
        ],
      },
      { source: 'fpds', title: 'FPDS', state: 'ok', records: 1 },
    ];
    const md = renderReport(plan, emptyAttribution).markdown;
    const section = md.slice(md.indexOf('## What the award stores changed'), md.indexOf('## Summary'));
    expect(section).toContain('| usaspending-download | FY2026 | 120 | 0 | 2 | added: CONT\\_AWD\\_A0');
    expect(section).toContain('…and 115 more; changed: K1, K2 |');
    expect(section).toContain('| unknown start | 0 | 1 | 0 | removed: CONT\\_AWD\\_');
    expect(section).not.toContain('<b>');
    expect(section).not.toContain('fpds');
    expect(renderReport(planWith([]), emptyAttribution).markdown).not.toContain('## What the award stores changed');
  });
});
