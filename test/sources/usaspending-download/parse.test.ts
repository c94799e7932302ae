import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../../scripts/records.ts';
import { readCsvRows } from '../../../scripts/sources/usaspending-download/csv-reader.ts';
import { usaspendingDownloadSource } from '../../../scripts/sources/usaspending-download/index.ts';
import { kindFromName, parseDownloadInputs } from '../../../scripts/sources/usaspending-download/parse.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { ownFixture } from '../../helpers/shared-fixtures.ts';
import { makeZip } from './make-zip.ts';
import { input, MN_SUBAWARDS, PRIME, SUBAWARDS } from './recordings.ts';


async function parse(...paths: string[]) {
  const logs: string[] = [];
  const result = await parseDownloadInputs(paths.map(input), { log: (m) => logs.push(m) });
  return { ...result, awards: result.records as AwardRecord[], logs };
}

function byKey(records: AwardRecord[], key: string): AwardRecord {
  const found = records.find((r) => r.awardKey === key);
  if (!found) throw new Error(`no record ${key}`);
  return found;
}

async function formatError(promise: Promise<unknown>): Promise<SourceFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceFormatError);
  return error as SourceFormatError;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icewatch-usd-parse-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prime award summaries (286 columns)', () => {
  it('parses the 5 ICE awards of the recording', async () => {
    const { awards, rowIssues } = await parse(PRIME);
    expect(rowIssues).toEqual([]);
    expect(awards.map((r) => r.awardKey)).toEqual([
      'CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-',
      'CONT_AWD_70CDCR21P00000021_7012_-NONE-_-NONE-',
      'CONT_AWD_70CDCR22P00000014_7012_-NONE-_-NONE-',
      'CONT_AWD_70CDCR23P00000017_7012_-NONE-_-NONE-',
      'CONT_AWD_70CDCR24P00000013_7012_-NONE-_-NONE-',
    ]);
  });

  it('maps every field of an award', async () => {
    const { awards } = await parse(PRIME);
    expect(byKey(awards, 'CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-')).toEqual({
      recordType: 'award',
      source: 'usaspending-download',
      awardKey: 'CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-',
      piid: '70CDCR20P00000053',
      kind: 'contract',
      awardType: 'PURCHASE ORDER',
      recipient: {
        name: 'REGENTS OF THE UNIVERSITY OF MINNESOTA',
        uei: 'KABJZBBJ4B54',
        parentName: 'OFFICE OF THE BOARD OF REGENTS',
        parentUei: 'CB47L9C9MDX1',
      },
      amounts: { obligated: 16000, current: 16000, potential: 16000 },
      start: '2020-05-07',
      end: '2021-05-11',
      awardingAgency: 'Department of Homeland Security',
      awardingSubAgency: 'U.S. Immigration and Customs Enforcement',
      awardingAgencyCode: '7012',
      naics: '713990',
      psc: 'X1EA',
      description: 'OUTDOOR GUN RANGE IN ST PAUL MN',
      lastModified: '2022-04-02',
      url: 'https://www.usaspending.gov/award/CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-',
    });
  });

  it('keeps outlays, later NAICS codes and a recipient that is its own parent', async () => {
    const { awards } = await parse(PRIME);
    const fy22 = byKey(awards, 'CONT_AWD_70CDCR22P00000014_7012_-NONE-_-NONE-');
    expect(fy22.amounts).toEqual({ obligated: 4745, current: 4745, potential: 4745, outlays: 3120 });
    expect(fy22.naics).toBe('611699');
    expect([fy22.start, fy22.end, fy22.lastModified]).toEqual(['2022-05-12', '2023-05-11', '2024-02-13']);
    expect(fy22.description).toBe('UNIVERSITY OF MINNESOTA FIREARMS RANGE RENTAL');

    const fy24 = byKey(awards, 'CONT_AWD_70CDCR24P00000013_7012_-NONE-_-NONE-');
    expect(fy24.recipient).toEqual({
      name: 'REGENTS OF UNIVERSITY OF MINNESOTA',
      uei: 'FVJMNPLMEEJ2',
      parentName: 'REGENTS OF UNIVERSITY OF MINNESOTA',
      parentUei: 'FVJMNPLMEEJ2',
    });
    expect(fy24.amounts).toEqual({ obligated: 18867, current: 18867, potential: 18867, outlays: 3000 });
    expect([fy24.start, fy24.end, fy24.lastModified]).toEqual(['2024-05-12', '2025-05-11', '2024-05-14']);

    const fy23 = byKey(awards, 'CONT_AWD_70CDCR23P00000017_7012_-NONE-_-NONE-');
    expect(fy23.recipient.parentUei).toBe('KABJZBBJ4B54');
    expect(fy23.amounts.obligated).toBe(11375);
  });
});

describe('subaward files yield the prime awards', () => {
  it('482 subaward rows give 159 distinct ICE prime awards', async () => {
    const { awards, rowIssues } = await parse(SUBAWARDS);
    expect(rowIssues).toEqual([]);
    expect(awards).toHaveLength(159);
    expect(new Set(awards.map((r) => r.awardKey)).size).toBe(159);
    expect(awards.every((r) => r.kind === 'contract' && r.awardingAgencyCode === '7012')).toBe(true);
    expect(awards[0]?.awardKey).toBe('CONT_AWD_70CDCR19FR0000027_7012_GS00Q14OADU113_4732');
    expect(awards.at(-1)?.awardKey).toBe('CONT_AWD_HSCETC17J00024_7012_HSHQDC13DE2056_7001');
  });

  it('maps a prime award with its recipient and a different parent UEI', async () => {
    const { awards } = await parse(SUBAWARDS);
    expect(byKey(awards, 'CONT_AWD_70CDCR19FR0000027_7012_GS00Q14OADU113_4732')).toEqual({
      recordType: 'award',
      source: 'usaspending-download',
      awardKey: 'CONT_AWD_70CDCR19FR0000027_7012_GS00Q14OADU113_4732',
      piid: '70CDCR19FR0000027',
      parentPiid: 'GS00Q14OADU113',
      kind: 'contract',
      recipient: { name: 'DELOITTE CONSULTING LLP', uei: 'CKV2L9GZKJK3', parentName: 'DELOITTE CONSULTING LLP', parentUei: 'GT54N467W2C6' },
      amounts: { obligated: 18784491.51, outlays: 5630360.75 },
      start: '2019-04-29',
      end: '2024-01-31',
      awardingAgency: 'Department of Homeland Security (DHS)',
      awardingSubAgency: 'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT',
      awardingAgencyCode: '7012',
      naics: '541330',
      description: "''IGF::CT::IGF'' PACIFIC ENFORCEMENT RESPONSE CENTER (PERC) PROFESSIONAL ANALYTICAL SUPPORT SERVICES",
      url: 'https://www.usaspending.gov/award/CONT_AWD_70CDCR19FR0000027_7012_GS00Q14OADU113_4732',
    });
  });

  it('keeps DUNS, definitive contracts without a parent, and the latest report of an award', async () => {
    const { awards } = await parse(SUBAWARDS);
    const ads = byKey(awards, 'CONT_AWD_70CMSW20FC0000093_7012_HSCEMS16A00003_7012');
    expect(ads.recipient).toEqual({
      name: 'ATLANTIC DIVING SUPPLY, INC.',
      uei: 'GJMSFBCNMSK3',
      duns: '027079776',
      // Two spaces in the file; folded as untrusted text.
      parentName: 'ATLANTIC DIVING SUPPLY INC.',
      parentUei: 'KHSXFAPJZEV8',
      parentDuns: '078857127',
    });
    expect(ads.amounts).toEqual({ obligated: 61529 });

    const koman = byKey(awards, 'CONT_AWD_70CMSW22C00000007_7012_-NONE-_-NONE-');
    expect(koman.parentPiid).toBeUndefined();
    expect(koman.recipient).toEqual({ name: 'KOMAN CONSTRUCTION, LLC', uei: 'NMJCBQ7AEKM6', parentName: 'KOMAN CONSTRUCTION LLC', parentUei: 'NMJCBQ7AEKM6' });
    expect([koman.start, koman.end, koman.naics]).toEqual(['2022-08-17', '2023-06-23', '238110']);

    // Two subaward rows: reported 2023-10-23 with 19472560.38 and 2025-03-25 with 19490310.38.
    const lukos = byKey(awards, 'CONT_AWD_70CDCR22FR0000048_7012_47QRAD20D1155_4732');
    expect(lukos.amounts).toEqual({ obligated: 19490310.38, outlays: 14000560.48 });
    expect(lukos.recipient).toEqual({ name: 'LUKOS, LLC', uei: 'HB6GKZYMMW89', parentName: 'LUKOS LLC', parentUei: 'THA7PWZRDM31' });
  });

  it('parses the 3-row Minnesota subaward file', async () => {
    const { awards, rowIssues } = await parse(MN_SUBAWARDS);
    expect(rowIssues).toEqual([]);
    expect(awards.map((r) => r.awardKey)).toEqual([
      'CONT_AWD_70CMSW19FC0000027_7012_HSCEMS16A00003_7012',
      'CONT_AWD_70CMSW19FC0000029_7012_HSCEMS17A00003_7012',
      'CONT_AWD_70CMSW24FC0000026_7012_70CMSW21A00000003_7012',
    ]);
    const first = byKey(awards, 'CONT_AWD_70CMSW19FC0000027_7012_HSCEMS16A00003_7012');
    expect(first).toMatchObject({
      piid: '70CMSW19FC0000027',
      parentPiid: 'HSCEMS16A00003',
      amounts: { obligated: 320035.95 },
      start: '2019-03-28',
      end: '2021-09-26',
      naics: '332994',
      description: 'LAW ENFORCEMENT (LE) EQUIPMENT',
      recipient: { name: 'ATLANTIC DIVING SUPPLY, INC.', uei: 'GJMSFBCNMSK3', duns: '027079776', parentUei: 'KHSXFAPJZEV8', parentDuns: '078857127' },
    });
    const third = byKey(awards, 'CONT_AWD_70CMSW24FC0000026_7012_70CMSW21A00000003_7012');
    expect(third.recipient).toEqual({ name: 'ATLANTIC DIVING SUPPLY, INC.', uei: 'GJMSFBCNMSK3', parentName: 'ADS TACTICAL INC.', parentUei: 'GJMSFBCNMSK3' });
    expect(third.amounts).toEqual({ obligated: 246063.95, outlays: 246063.95 });
  });
});

describe('zip downloads', () => {
  it('streams the contract CSVs out of a zip and skips other entries', async () => {
    const zip = await makeZip(join(dir, 'ICE_2025.zip'), [
      { name: 'ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv', path: PRIME },
      { name: 'ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv', path: SUBAWARDS },
      { name: 'ICE_Assistance_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv', data: 'assistance_award_unique_key\r\n' },
      { name: 'Data_Dictionary_Crosswalk.xlsx', data: 'not a csv' },
    ]);
    const { awards, rowIssues, logs } = await parse(zip);
    expect(rowIssues).toEqual([]);
    expect(awards).toHaveLength(5 + 159);
    expect(byKey(awards, 'CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-').amounts).toEqual({ obligated: 16000, current: 16000, potential: 16000 });
    expect(byKey(awards, 'CONT_AWD_70CDCR19FR0000027_7012_GS00Q14OADU113_4732').recipient.parentUei).toBe('GT54N467W2C6');
    expect(logs).toEqual([
      'ICE_2025.zip: skipping ICE_Assistance_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv (not a contract prime award or subaward file)',
      'ICE_2025.zip: skipping Data_Dictionary_Crosswalk.xlsx (not a contract prime award or subaward file)',
    ]);
  });

  it('prefers the prime summary over a subaward row for the same award, whatever the order', async () => {
    // Made variant of the mn subaward file: its first row re-pointed at an award of the prime file.
    const mn = await readFile(MN_SUBAWARDS, 'utf8');
    const edited = mn.replaceAll('CONT_AWD_70CMSW19FC0000027_7012_HSCEMS16A00003_7012', 'CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-');
    const subPath = join(dir, 'edited_Contracts_Subawards_1.csv');
    await writeFile(subPath, edited);
    const zip = await makeZip(join(dir, 'mixed.zip'), [
      { name: 'x_Contracts_Subawards_1.csv', path: subPath },
      { name: 'x_Contracts_PrimeAwardSummaries_1.csv', path: PRIME },
    ]);
    const { awards } = await parse(zip);
    expect(awards).toHaveLength(5 + 2);
    const award = byKey(awards, 'CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-');
    expect(award.recipient.name).toBe('REGENTS OF THE UNIVERSITY OF MINNESOTA');
    expect(award.amounts).toEqual({ obligated: 16000, current: 16000, potential: 16000 });
  });

  it('rejects a zip without contract files, and a damaged zip', async () => {
    const empty = await makeZip(join(dir, 'assistance.zip'), [{ name: 'All_Assistance_PrimeAwardSummaries_1.csv', data: 'a\r\n' }]);
    expect((await formatError(parse(empty))).message).toMatch(/assistance\.zip: the zip holds no Contracts_PrimeAwardSummaries/);

    const good = await makeZip(join(dir, 'good.zip'), [{ name: 'x_Contracts_PrimeAwardSummaries_1.csv', path: PRIME }]);
    const bytes = await readFile(good);
    const cut = join(dir, 'cut.zip');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await formatError(parse(cut))).message).toMatch(/cut\.zip: not a readable zip/);

    // Flipped bytes inside the deflated entry, past the header: the stream fails mid-file.
    const large = await readFile(await makeZip(join(dir, 'large.zip'), [{ name: 'x_Contracts_Subawards_1.csv', path: SUBAWARDS }]));
    const flipped = Buffer.from(large);
    for (let i = 2000; i < 2100; i += 1) flipped[i] = (flipped[i] ?? 0) ^ 0xff;
    const corrupt = join(dir, 'corrupt.zip');
    await writeFile(corrupt, flipped);
    expect((await formatError(parse(corrupt))).message).toMatch(/corrupt\.zip: damaged zip: /);
  });
});

describe('plain CSV imports and broken files', () => {
  it('recognises a renamed CSV by its header', async () => {
    const renamed = join(dir, 'awards.csv');
    await copyFile(SUBAWARDS, renamed);
    expect(kindFromName('awards.csv')).toBeUndefined();
    const { awards } = await parse(renamed);
    expect(awards).toHaveLength(159);
  });

  it('rejects spreadsheet-mangled cells with line and column, keeping the good rows', async () => {
    const { awards, rowIssues } = await parse(ownFixture('csv/prime-spreadsheet-mangled.csv'));
    expect(awards.map((r) => r.awardKey)).toEqual(['CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-']);
    expect(rowIssues).toEqual([
      {
        file: 'prime-spreadsheet-mangled.csv',
        line: 3,
        field: 'total_obligated_amount',
        message: 'column total_obligated_amount: "9.39E+03" is in scientific notation: a spreadsheet rounded it, the exact value is lost',
      },
      {
        file: 'prime-spreadsheet-mangled.csv',
        line: 4,
        field: 'period_of_performance_start_date',
        message: 'column period_of_performance_start_date: "5/12/2022" is a slash date where YYYY-MM-DD is expected: the file was likely re-saved by a spreadsheet',
      },
    ]);
  });

  it('reports a row with shifted columns and keeps the others', async () => {
    const { awards, rowIssues } = await parse(ownFixture('csv/prime-shifted-columns.csv'));
    expect(awards.map((r) => r.piid)).toEqual(['70CDCR20P00000053', '70CDCR22P00000014']);
    expect(rowIssues).toEqual([
      { file: 'prime-shifted-columns.csv', line: 3, message: 'row has 285 field(s), the header has 286: columns are shifted, row skipped' },
    ]);
  });

  it('fails on missing required columns, naming them and the file', async () => {
    const error = await formatError(parse(ownFixture('csv/prime-missing-columns.csv')));
    expect(error.details).toMatchObject({ file: 'prime-missing-columns.csv', line: 1 });
    expect(error.message).toBe(
      'source usaspending-download format: prime-missing-columns.csv, line 1: header lacks required column(s): recipient_uei, last_modified_date',
    );
  });

  it('reads columns by name, through a BOM, mixed line ends and a bare LF inside quotes', async () => {
    const reordered = await parse(ownFixture('csv/prime-reordered-bom-mixed-eol.csv'));
    const original = await parse(PRIME);
    expect(reordered.rowIssues).toEqual([]);
    expect(reordered.awards).toEqual(original.awards.slice(0, 3));
  });

  it('fails on a CSV that is neither prime summaries nor subawards, and on an empty file', async () => {
    const other = join(dir, 'other.csv');
    await writeFile(other, 'assistance_award_unique_key,award_id_fain\r\nASST_1,1\r\n');
    expect((await formatError(parse(other))).message).toMatch(/other\.csv, line 1: not a Contracts_PrimeAwardSummaries or Contracts_Subawards CSV/);
    const empty = join(dir, 'x_Contracts_PrimeAwardSummaries_1.csv');
    await writeFile(empty, '');
    expect((await formatError(parse(empty))).message).toMatch(/the CSV is empty/);
  });

  it('fails on broken quoting with the line, instead of guessing where the row ends', async () => {
    const header = (await readFile(PRIME, 'utf8')).split('\r\n')[0];
    const broken = join(dir, 'quote_Contracts_PrimeAwardSummaries_1.csv');
    await writeFile(broken, `${header}\r\nCONT_AWD_X_7012_-NONE-_-NONE-,X,"unterminated\r\n`);
    const error = await formatError(parse(broken));
    expect(error.message).toMatch(/not valid CSV: Quote Not Closed/);
    expect(error.details.line).toBe(3);
  });
});

describe('readCsvRows', () => {
  it('numbers records by their first line across quoted newlines, blank lines and mixed line ends', async () => {
    const csv = '\uFEFFa,b\r\n1,"two\nlines"\r\n\r\n3,4\n5,"x\r\ny"\n6,7';
    const rows = [];
    for await (const row of readCsvRows(Readable.from([Buffer.from(csv)]), { sourceId: 't', file: 'f.csv' })) rows.push(row);
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'two\nlines'] },
      { line: 5, fields: ['3', '4'] },
      { line: 6, fields: ['5', 'x\r\ny'] },
      { line: 8, fields: ['6', '7'] },
    ]);
  });
});

describe('source declaration', () => {
  it('declares the download hosts and upsert mode', () => {
    expect(usaspendingDownloadSource.id).toBe('usaspending-download');
    expect(usaspendingDownloadSource.hosts).toEqual(['api.usaspending.gov', 'files.usaspending.gov']);
    expect(usaspendingDownloadSource.mode).toBe('upsert');
    expect(usaspendingDownloadSource.kind).toBe('procurement');
  });
});
