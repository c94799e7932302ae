/**
 * The audit over the real recordings: every layout is read, and the confident matches hold what a
 * reviewer checked by hand (README, "Matching"): the classes of error found there stay fixed.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectLayout, readAuditRows, runAudit } from '../../scripts/pipeline/audit-command.ts';
import { loadRegistry } from '../../scripts/registry/load.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';

const YINLEON = resolve(sharedFixture('..'), 'matching/ice-parent-recipients-2018-yinleon.csv');
const DEV = resolve(sharedFixture('..'), 'matching/dev-cases.csv');
const TX = [1, 2, 3, 4, 5, 6].map((y) => sharedFixture(`usaspending/transactions/CBP_ICE_FY202${y}_Contract_Obligations.csv`));
const HISTORY = [13, 14, 15, 16, 17].map((y) => sharedFixture(`ice-history/fy${y}_ICE_transactions_selected_vendors.NOHEADER.csv`));
const SUBAWARDS = sharedFixture('usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv');

async function registry() {
  const { registry, problems } = await loadRegistry(resolve('data'));
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return registry;
}

describe('audit layouts', () => {
  it('tells the recorded layouts apart by their header', async () => {
    expect(await detectLayout(YINLEON)).toBe('parent-aggregate');
    expect(await detectLayout(TX[0]!)).toBe('transactions');
    expect(await detectLayout(HISTORY[0]!)).toBe('history');
    expect(await detectLayout(SUBAWARDS)).toBe('download');
    expect(await detectLayout(DEV)).toBe('cases');
  });

  it('reads ICE rows only from the transaction files, dated by the action date', async () => {
    const { rows } = await readAuditRows(TX[4]!);
    expect(rows).toHaveLength(4431);
    expect(rows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.input.date ?? ''))).toBe(true);
  });
});

describe('audit of the recordings', () => {
  it('the transactions: counts per method, and the errors found by hand stay fixed', async () => {
    const { report, text } = await runAudit(await registry(), TX);
    expect(report.rows).toBe(22947);
    expect(text).toMatch(/matches per method/);
    const confident = (companyId: string, test: (d: string) => boolean) =>
      report.confident.filter((g) => g.companyId === companyId && g.method === 'product-term' && test(g.description ?? ''));
    // Quest's Toad "for Oracle users" is not Oracle.
    expect(confident('oracle', (d) => /TOAD/.test(d))).toEqual([]);
    // GrayKey was Grayshift's when bought in 2022.
    expect(confident('magnet-forensics', (d) => /^GRAYKEY/.test(d))).toEqual([]);
    // Mandiant's 2021 award predates Google's acquisition; the report says so.
    expect(report.confident.some((g) => g.companyId === 'google' && g.recipient === 'MANDIANT, INC.' && (g.dates?.[0] ?? '') < '2022-09-12')).toBe(false);
    expect(report.ownership.map((o) => o.text)).toContain(
      "mandiant was acquired by google on 2022-09-12, after the record's date 2021-09-16: not attributed to google",
    );
    // Look-alike names are not companies of the registry.
    expect(report.confident.filter((g) => /AKIRA|PARAGON SYSTEMS|CAP GEMINI|EVIGILANT/.test(g.recipient))).toEqual([]);
    expect(report.confident.find((g) => g.recipient === 'PARAGON SOLUTIONS (US) INC')?.companyId).toBe('paragon-solutions');
  });

  it('the 2018 recipient list: old names go to their holder of the time', async () => {
    const { report } = await runAudit(await registry(), [YINLEON]);
    const of = (recipient: string) => report.confident.filter((g) => g.recipient.replace(/\s+/g, ' ') === recipient).map((g) => `${g.companyId}/${g.relation}`);
    expect(of('SAIC INC.')).toEqual(['leidos/subsidiary']);
    expect(of('SCIENCE APPLICATIONS INTERNATIONAL CORPORATION')).toEqual(['saic/direct']);
    expect(of('COMCAST CABLE COMMUNICATIONS LLC')).toEqual(['comcast/subsidiary']);
    expect(of('THOMSON LEGAL & REGULATORY INC.')).toEqual(['thomson-reuters/subsidiary']);
    expect(of('CDW CORPORATION')).toEqual(['cdw-government/direct']);
    expect(of('SPRINT COMMUNICATIONS COMPANY L.P.')).toEqual([]);
  });

  it('the FY2013-FY2017 history: CSRA before General Dynamics, Leidos with a stale SAIC parent', async () => {
    const { report } = await runAudit(await registry(), HISTORY);
    expect(report.confident.filter((g) => g.recipient === 'CSRA LLC')).toEqual([]);
    expect(report.ownership.some((o) => o.recipient === 'CSRA LLC' && /acquired by general-dynamics on 2018-04-03/.test(o.text))).toBe(true);
    expect(report.confident.filter((g) => g.recipient === 'LEIDOS, INC.').map((g) => g.companyId)).toEqual(['leidos']);
  });
});
