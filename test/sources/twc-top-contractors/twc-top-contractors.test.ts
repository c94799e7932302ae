import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { MentionRecord } from '../../../scripts/records.ts';
import { parseTwcTopContractorsPage, twcTopContractorsSource } from '../../../scripts/sources/twc-top-contractors/index.ts';
import { parseDollars, TWC_POST_URL } from '../../../scripts/sources/twc-top-contractors/schema.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { ownFixture, sharedFixture } from '../../helpers/shared-fixtures.ts';
import { renderSitePage } from '../watchdog/render-html.ts';

const RECORDING = sharedFixture('watchdogs/twc/2026-02-22-corporate-targets-for-tech-worker-activism-against-ice.md');
const read = (path: string) => readFile(path, 'utf8');

/** The table as the post gives it, in its order (rank = position). */
const TABLE: Array<[string, number]> = [
  ['CSI AVIATION, INC', 9_707_485_430],
  ['THE GEO GROUP, INC.', 5_370_665_928],
  ['MVM, INC.', 2_068_344_189],
  ['CORECIVIC, INC.', 2_028_372_809],
  ['B.I. INCORPORATED', 1_672_887_893],
  ['INSERSO CORPORATION', 1_484_191_479],
  ['AKIMA INFRASTRUCTURE PROTECTION LLC', 1_241_684_376],
  ['AKIMA GLOBAL SERVICES, LLC', 1_045_991_175],
  ['PARAGON PROFESSIONAL SERVICES LLC', 1_044_183_289],
  ['STEAMPUNK, INC.', 819_579_403],
  ['WIDEPOINT INTEGRATED SOLUTIONS CORP', 691_184_173],
  ['PALANTIR TECHNOLOGIES INC.', 659_800_540],
  ['DELOITTE CONSULTING LLP', 610_394_065],
  ['CACI, INC. - FEDERAL', 591_706_852],
  ['G4S SECURE SOLUTIONS (USA) INC.', 556_405_484],
  ['CACI NSS, LLC', 421_025_885],
  ['MANAGEMENT & TRAINING CORPORATION', 420_212_896],
  ['CLASSIC AIR CHARTER INC.', 379_336_739],
  ['ITC FEDERAL, LLC', 347_138_958],
];

function byRank(records: MentionRecord[]): Array<[string, number | undefined, number | undefined]> {
  return [...records].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0)).map((r) => [r.name, r.rank, r.amount]);
}

describe('twc-top-contractors: the recorded post', () => {
  it('reads all 19 rows, the first one included (it sits in the Markdown table head)', async () => {
    const result = parseTwcTopContractorsPage(await read(RECORDING), { file: 'post.md' });
    expect(result.rowIssues).toEqual([]);
    expect(result.lists).toEqual(['top-contractors']);
    const records = result.records as MentionRecord[];
    expect(byRank(records)).toEqual(TABLE.map(([name, amount], i) => [name, i + 1, amount]));
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(['amount', 'list', 'name', 'rank', 'recordType', 'source', 'url']);
      expect(record).toMatchObject({ recordType: 'mention', source: 'twc-top-contractors', list: 'top-contractors', url: TWC_POST_URL });
    }
    // Snapshot order is by name, not by rank.
    expect(records.slice(0, 3).map((r) => r.name)).toEqual(['AKIMA GLOBAL SERVICES, LLC', 'AKIMA INFRASTRUCTURE PROTECTION LLC', 'B.I. INCORPORATED']);
  });

  it('the HTML page gives the same records', async () => {
    const markdown = await read(RECORDING);
    const fromHtml = parseTwcTopContractorsPage(renderSitePage(markdown, 'Tech Workers Coalition'), { file: 'post.html' });
    expect(fromHtml.records).toEqual(parseTwcTopContractorsPage(markdown, { file: 'post.md' }).records);
  });

  it('parses through the source definition', async () => {
    const result = await twcTopContractorsSource.parse([{ path: RECORDING, origin: 'post.md', retrievedAt: '2026-03-01T00:00:00Z' }], { log: () => {} });
    expect(result.records).toHaveLength(19);
    expect(twcTopContractorsSource.mode).toBe('replace');
    expect(twcTopContractorsSource.hosts).toContain(new URL(TWC_POST_URL).hostname);
  });
});

describe('twc-top-contractors: other shapes', () => {
  it('an HTML table with a real header row, explicit ranks, worded amounts and a bad row', async () => {
    const result = parseTwcTopContractorsPage(await read(ownFixture('watchdogs/twc-table-with-header.html')), { file: 'made.html' });
    expect(byRank(result.records as MentionRecord[])).toEqual([
      ['Example Aviation, Inc', 1, 1_200_000_000],
      ['Example Prisons Corp.', 2, 660_000_000],
      ['Example Data, Inc.', 4, 1234.56],
    ]);
    expect(result.rowIssues).toEqual([{ file: 'made.html', line: 12, field: 'amount', message: 'row 3: not an exact dollar amount: "about a lot"' }]);
  });

  it('a page without a table of amounts is a format error', async () => {
    const text = (await read(RECORDING)).replace(/^\|.*\|$/gm, '');
    expect(() => parseTwcTopContractorsPage(text, { file: 'post.md' })).toThrowError(
      expect.objectContaining({ name: 'SourceFormatError', details: { file: 'post.md', path: 'table' } }),
    );
    expect(() => parseTwcTopContractorsPage('<html><body><table><tr><td>a</td><td>b</td></tr></table></body></html>', { file: 'x' })).toThrowError(SourceFormatError);
  });
});

describe('parseDollars', () => {
  it('is exact for every way the amount may be written', () => {
    expect(parseDollars('$9,707,485,430')).toBe(9_707_485_430);
    expect(parseDollars('$819,579,403  ')).toBe(819_579_403);
    expect(parseDollars('$1.2 billion')).toBe(1_200_000_000);
    expect(parseDollars('$660 million')).toBe(660_000_000);
    expect(parseDollars('$659.8M')).toBe(659_800_000);
    expect(parseDollars('$1.1 billion')).toBe(1_100_000_000); // 1.1 * 1e9 in floating point is 1100000000.0000002
    expect(parseDollars('$0.3 million')).toBe(300_000);
    expect(parseDollars('$2.5K')).toBe(2_500);
    expect(parseDollars('$1,234.56')).toBe(1234.56);
    expect(parseDollars('$12')).toBe(12);
  });

  it('refuses what is not an exact dollar amount', () => {
    for (const text of ['about $660 million', '9,707,485,430', '$1,23', '$1.2 gazillion', '$1.234', '$1.2345678 thousand', '-$5', '$', '$9007199254740993', '']) {
      expect(parseDollars(text), text).toBeUndefined();
    }
  });
});
