import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../scripts/config.ts';
import type { CoverageRecord, SourceRecord, TransactionRecord } from '../../../scripts/records.ts';
import { parseTransactions } from '../../../scripts/sources/usaspending-transactions/parse.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { sharedFixture } from '../../helpers/shared-fixtures.ts';

const YEARS = [2021, 2022, 2023, 2024, 2025, 2026];
const file = (fy: number) => sharedFixture(`usaspending/transactions/CBP_ICE_FY${fy}_Contract_Obligations.csv`);
const ICE_ROWS: Record<number, number> = { 2021: 5298, 2022: 3000, 2023: 3300, 2024: 4097, 2025: 4431, 2026: 2821 };
const CBP = { name: 'U.S. Customs and Border Protection', toptier: 'Department of Homeland Security', code: '7014' };
const ICE = { name: 'U.S. Immigration and Customs Enforcement', toptier: 'Department of Homeland Security', code: '7012' };

async function parse(paths: string[], agencies = [ICE]) {
  const logs: string[] = [];
  const result = await parseTransactions(
    paths.map((p) => ({ path: p, origin: p, retrievedAt: '2026-12-02T00:00:00Z' })),
    { log: (m) => logs.push(m), config: { agencies } as unknown as Config },
  );
  return { ...result, logs };
}
const coverageOf = (records: SourceRecord[]) => records.filter((r): r is CoverageRecord => r.recordType === 'coverage');
const txOf = (records: SourceRecord[]) => records.filter((r): r is TransactionRecord => r.recordType === 'transaction');

describe('import of the recorded transactions, one fiscal year a file', () => {
  for (const fy of YEARS) {
    it(`FY${fy}: every ICE row, in FY${fy}, with a completeness derived from the file's evidence`, async () => {
      const { records, rowIssues, logs } = await parse([file(fy)]);
      expect(rowIssues).toEqual([]);
      const tx = txOf(records);
      expect(tx).toHaveLength(ICE_ROWS[fy]!);
      expect(tx.every((t) => t.fiscalYear === fy && t.awardingAgencyCode === '7012')).toBe(true);
      expect(new Set(tx.map((t) => `${t.awardKey}|${t.key}`)).size).toBe(tx.length);
      expect(logs.some((l) => /CBP row\(s\) skipped/.test(l))).toBe(true);
      const [coverage, ...more] = coverageOf(records);
      expect(more).toEqual([]);
      // FY2022 and FY2023 stopped on a page boundary before reaching any de-obligation.
      const truncated = fy === 2022 || fy === 2023;
      expect(coverage).toMatchObject({ fiscalYear: fy, group: 'contracts', rows: ICE_ROWS[fy], complete: !truncated });
      expect(coverage!.expected).toBe(truncated ? undefined : ICE_ROWS[fy]);
      if (truncated) expect(coverage!.basis).toMatch(/0 negative amount\(s\).*lower bound/);
    });
  }

  it('keeps the real duplicate rows apart and the amounts exact to the cent', async () => {
    const { records } = await parse([file(2026)]);
    const tx = txOf(records);
    expect(tx.filter((t) => t.key.endsWith('|2')).length).toBeGreaterThan(0);
    expect(tx.some((t) => t.obligated < 0)).toBe(true);
    const palantir = tx.find((t) => t.awardKey === 'CONT_AWD_70CTD026FC0000012_7012_70RTAC26A00000001_7001');
    expect(palantir?.recipient.name).toMatch(/PALANTIR/);
  });

  it('with CBP opted in, reads its rows too and judges its years on their own evidence', async () => {
    const { records } = await parse([file(2021)], [ICE, CBP]);
    const cbp = coverageOf(records).find((c) => c.awardingAgencyCode === '7014');
    // CBP's FY2021 file also holds exactly 51 full pages and no negative amount: incomplete.
    expect(cbp).toMatchObject({ rows: 5100, complete: false });
    expect(txOf(records).filter((t) => t.awardingAgencyCode === '7014')).toHaveLength(5100);
  });

  describe('bad input', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'icewatch-txcsv-'));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));
    const header = 'Agency,Award ID,Recipient Name,Federal Action Obligation,Action Date,Modification,Product/Service Description,NAICS Description,Transaction Description,Generated Award ID';

    it('refuses a CSV with other columns, naming what it expected', async () => {
      const path = join(dir, 'other.csv');
      await writeFile(path, 'a,b,c\n1,2,3\n');
      await expect(parse([path])).rejects.toBeInstanceOf(SourceFormatError);
      await expect(parse([path])).rejects.toThrow(/expected the columns Agency, Award ID/);
    });

    it('tolerates a bad row with its line and field, and judges the year without it', async () => {
      const path = join(dir, 'bad-row.csv');
      await writeFile(
        path,
        `${header}\nICE,X1,ACME LLC,10.5,2026-01-02,0,IT AND TELECOM - X,SOFTWARE PUBLISHERS,"a, quoted",CONT_AWD_X1_7012_-NONE-_-NONE-\n` +
          `ICE,X2,ACME LLC,ten dollars,2026-01-03,0,,,,CONT_AWD_X2_7012_-NONE-_-NONE-\n` +
          `ICE,X3,ACME LLC,-1,2026-01-04,1,,,,CONT_AWD_X3_7012_-NONE-_-NONE-\n`,
      );
      const { records, rowIssues } = await parse([path]);
      expect(rowIssues).toEqual([expect.objectContaining({ line: 3, field: 'Federal Action Obligation' })]);
      const tx = txOf(records);
      expect(tx.map((t) => t.obligated)).toEqual([10.5, -1]);
      expect(tx[0]).toMatchObject({ naics: '513210', description: 'a, quoted' });
      expect(coverageOf(records)[0]).toMatchObject({ rows: 2, complete: true });
    });
  });
});
