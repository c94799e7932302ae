import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../../scripts/records.ts';
import type { RawInput } from '../../../scripts/sources/types.ts';
import { HISTORY_COLUMNS, historyAwardKey, isHistoryCsv, parseHistoryCsv } from '../../../scripts/sources/usaspending/history.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { ownFixture, sharedFixture } from '../../helpers/shared-fixtures.ts';

const YEARS = ['fy13', 'fy14', 'fy15', 'fy16', 'fy17'] as const;
const historyFile = (year: string) => sharedFixture(`ice-history/${year}_ICE_transactions_selected_vendors.NOHEADER.csv`);
const input = (path: string): RawInput => ({ path, origin: path, retrievedAt: '2025-01-01T00:00:00.000Z' });

async function parse(...paths: string[]) {
  const result = await parseHistoryCsv(paths.map(input));
  return { ...result, awards: result.records as AwardRecord[] };
}

function byKey(records: AwardRecord[], key: string): AwardRecord {
  const found = records.find((r) => r.awardKey === key);
  if (!found) throw new Error(`no record ${key}`);
  return found;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icewatch-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('column list', () => {
  it('matches column 2 of the data dictionary, in order', async () => {
    const dictionary = (await readFile(sharedFixture('ice-history/follow_the_money_data_dictionary.csv'), 'utf8'))
      .split(/\r?\n/)
      .filter((line) => line !== '')
      .map((line) => line.split(',')[1]);
    expect(HISTORY_COLUMNS).toHaveLength(259);
    expect([...HISTORY_COLUMNS]).toEqual(dictionary);
  });
});

describe('award keys', () => {
  it('builds USAspending generated_unique_award_id keys', () => {
    expect(historyAwardKey({ kind: 'contract', piid: 'HSCETC13F00010', agencyId: '7012', parentPiid: 'GS35F0086U', parentAgencyId: '4730' })).toBe(
      'CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730',
    );
    expect(historyAwardKey({ kind: 'contract', piid: '70cdcr20p00000053', agencyId: '7012' })).toBe('CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-');
    expect(historyAwardKey({ kind: 'idv', piid: 'HSCEDM11D00003', agencyId: '7012', parentPiid: 'IGNORED' })).toBe('CONT_IDV_HSCEDM11D00003_7012');
  });
});

describe('each fiscal year file', () => {
  it('parses every transaction without issues', async () => {
    const counts: Record<string, [number, number]> = {};
    for (const year of YEARS) {
      const { awards, rowIssues } = await parse(historyFile(year));
      expect(rowIssues).toEqual([]);
      counts[year] = [awards.length, awards.filter((a) => a.kind === 'idv').length];
    }
    // Transactions per file: 11, 17, 36, 64, 148; each file holds one transaction per award.
    expect(counts).toEqual({ fy13: [11, 0], fy14: [17, 0], fy15: [36, 0], fy16: [64, 0], fy17: [148, 9] });
  });

  it('maps an FY2013 Palantir delivery order field by field', async () => {
    const { awards } = await parse(historyFile('fy13'));
    expect(byKey(awards, 'CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730')).toEqual({
      recordType: 'award',
      source: 'usaspending',
      awardKey: 'CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730',
      piid: 'HSCETC13F00010',
      parentPiid: 'GS35F0086U',
      kind: 'contract',
      awardType: 'DELIVERY ORDER',
      recipient: { name: 'PALANTIR TECHNOLOGIES INCORPORATED', duns: '362130952', parentName: 'PALANTIR TECHNOLOGIES INC.', parentDuns: '362130952' },
      amounts: { obligated: 394843.12, current: 394843.12, potential: 394843.12 },
      start: '2013-03-14',
      end: '2013-06-13',
      awardingAgency: 'DEPARTMENT OF HOMELAND SECURITY (DHS)',
      awardingSubAgency: 'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT',
      awardingAgencyCode: '7012',
      naics: '811212',
      psc: '7030',
      description: 'PALANTIR ANNUAL SUPPORT&MAINTENANCE FOR 3/14/2013 TO 6/13/2013.',
      lastModified: '2018-05-08',
      url: 'https://www.usaspending.gov/award/CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730',
    });
  });

  it('left-pads DUNS that lost their leading zeros', async () => {
    const { awards } = await parse(historyFile('fy13'));
    const g4s = byKey(awards, 'CONT_AWD_HSCEDM13J00028_7012_HSCEDM12A00002_7012');
    expect(g4s.recipient).toEqual({ name: 'G4S SECURE SOLUTIONS (USA) INC', duns: '001903723', parentName: 'G4S PLC', parentDuns: '737341631' });
    expect(g4s.amounts).toEqual({ obligated: 645000, current: 7176766.12, potential: 8364073.12 });
    expect([g4s.start, g4s.end]).toEqual(['2013-09-23', '2013-10-31']);
  });

  it('maps FY2017 IDVs with their last date to order', async () => {
    const { awards } = await parse(historyFile('fy17'));
    expect(byKey(awards, 'CONT_IDV_HSCETC14C00002_7012')).toEqual({
      recordType: 'award',
      source: 'usaspending',
      awardKey: 'CONT_IDV_HSCETC14C00002_7012',
      piid: 'HSCETC14C00002',
      kind: 'idv',
      awardType: 'IDC',
      recipient: { name: 'PALANTIR USG, INC.', duns: '825284321', parentName: 'PALANTIR USG INC.', parentDuns: '825284321' },
      amounts: { obligated: 709653.84, potential: 51504911.17 },
      start: '2017-09-25',
      lastDateToOrder: '2019-09-24',
      awardingAgency: 'DEPARTMENT OF HOMELAND SECURITY (DHS)',
      awardingSubAgency: 'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT',
      awardingAgencyCode: '7012',
      naics: '541512',
      psc: 'D307',
      description: 'IGF::CT::IGF WEB-ENABLED INVESTIGATING CASE MANAGEMENT (ICM) SYSTEM',
      lastModified: '2017-09-25',
      url: 'https://www.usaspending.gov/award/CONT_IDV_HSCETC14C00002_7012',
    });
    const geo = byKey(awards, 'CONT_IDV_HSCEDM17D00009_7012');
    expect(geo.recipient.duns).toBe('612706465');
    // "11/10/29 00:00": a two-digit year, day first.
    expect(geo.lastDateToOrder).toBe('2029-10-11');
    expect(geo.lastModified).toBe('2017-11-19');
    expect(geo.amounts).toEqual({ obligated: 0, potential: 457361488 });
    const bpa = byKey(awards, 'CONT_IDV_HSCETC15A00002_7012');
    expect([bpa.awardType, bpa.recipient.duns, bpa.lastDateToOrder]).toEqual(['BPA', '019121586', '2019-11-07']);
  });
});

describe('all five years together', () => {
  it('folds transactions across files into 230 awards', async () => {
    const { awards, rowIssues } = await parse(...YEARS.map(historyFile));
    expect(rowIssues).toEqual([]);
    expect(awards).toHaveLength(230);
    const keys = awards.map((a) => a.awardKey);
    expect(keys).toEqual([...keys].sort());
  });

  it('sums obligations, spans dates and keeps the base transaction\'s description (as USAspending does)', async () => {
    const { awards } = await parse(...YEARS.map(historyFile));
    // P00001 (FY13) 1218373.06 + P00006 (FY14) 1431264.65 + P00009 (FY15) 241794.41.
    const falcon = byKey(awards, 'CONT_AWD_HSCETC13F00030_7012_GS35F0086U_4730');
    expect(falcon.amounts).toEqual({ obligated: 2891432.12, current: 12080065.52, potential: 33397847.53 });
    expect([falcon.start, falcon.end, falcon.lastModified]).toEqual(['2013-09-26', '2015-05-27', '2018-05-08']);
    expect(falcon.description).toBe(
      'IGF::OT::IGF FALCON OPERATIONS AND MAINTENANCE (O&M) SUPPORT SERVICES FOR PALANTIR GOVERNMENT, A PROPRIETARY SOFTWARE PRODUCT OF PALANTIR TECHNOLOGIES, INC.',
    );
    expect(falcon.psc).toBe('D309');

    // FY13 645000 + FY14 0 − FY15 293077.88 + FY17 closeout 0; the FY17 closeout is the latest action, whose
    // "BULK CLOSE OUT" text does not replace the base description.
    const g4s = byKey(awards, 'CONT_AWD_HSCEDM13J00028_7012_HSCEDM12A00002_7012');
    expect(g4s.amounts).toEqual({ obligated: 351922.12, current: 7176766.12, potential: 8364073.12 });
    expect([g4s.start, g4s.end]).toEqual(['2013-09-23', '2014-07-31']);
    expect(g4s.description).toBe('IGF::OT::IGF OTHER FUNCTIONS - SAN FRANCISCO DETENTION OFFICER TRANSPORTATION');
    expect(g4s.recipient.duns).toBe('001903723');

    const palantirOrder = byKey(awards, 'CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730');
    expect(palantirOrder.amounts.obligated).toBe(394843.12);
    expect([palantirOrder.start, palantirOrder.end]).toEqual(['2013-03-14', '2013-06-13']);
  });

  it('counts a transaction read twice once', async () => {
    const { awards, rowIssues } = await parse(historyFile('fy13'), historyFile('fy13'));
    expect(awards).toHaveLength(11);
    expect(byKey(awards, 'CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730').amounts.obligated).toBe(394843.12);
    expect(rowIssues).toHaveLength(11);
    expect(rowIssues[0]).toEqual({
      file: 'fy13_ICE_transactions_selected_vendors.NOHEADER.csv',
      line: 1,
      message: 'transaction HSCETC13F00010 modification 0 already read; counted once',
    });
  });
});

describe('damaged and foreign files', () => {
  it('reports mangled dates, missing cells and rounded DUNS with line and column', async () => {
    const { awards, rowIssues } = await parse(ownFixture('csv/history-damaged.NOHEADER.csv'));
    expect(awards.map((a) => a.awardKey)).toEqual(['CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730']);
    expect(rowIssues).toEqual([
      {
        file: 'history-damaged.NOHEADER.csv',
        line: 2,
        field: 'action_date',
        message: 'column action_date: "41540" looks like a spreadsheet serial date, not DD/MM/YYYY',
      },
      { file: 'history-damaged.NOHEADER.csv', line: 3, message: 'row has 258 field(s), the header has 259: columns are shifted, row skipped' },
      {
        file: 'history-damaged.NOHEADER.csv',
        line: 4,
        field: 'recipient_duns',
        message: 'column recipient_duns: "3.62E+08" is in scientific notation: a spreadsheet rounded it, the exact value is lost',
      },
    ]);
  });

  it('refuses a CSV with a header row or another layout', async () => {
    const withHeader = join(dir, 'with-header.csv');
    const body = await readFile(historyFile('fy13'), 'utf8');
    await writeFile(withHeader, `${HISTORY_COLUMNS.join(',')}\n${body}`);
    const headerError = await parseHistoryCsv([input(withHeader)]).catch((e: unknown) => e);
    expect(headerError).toBeInstanceOf(SourceFormatError);
    expect((headerError as Error).message).toMatch(/with-header\.csv, line 1: this CSV has a header row/);

    const prime = sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');
    const layoutError = await parseHistoryCsv([input(prime)]).catch((e: unknown) => e);
    expect(layoutError).toBeInstanceOf(SourceFormatError);
    expect((layoutError as Error).message).toMatch(/no row has the history export's 259 columns \(found 286\)/);
  });

  it('isHistoryCsv tells the export from other files', async () => {
    expect(await isHistoryCsv(historyFile('fy15'))).toBe(true);
    expect(await isHistoryCsv(sharedFixture('usaspending/downloads/ICE_mn_Contracts_Subawards_2025-03-21_H19M57S41_1.csv'))).toBe(false);
    expect(await isHistoryCsv(sharedFixture('usaspending/api/nasa_download_status.json'))).toBe(false);
  });
});
