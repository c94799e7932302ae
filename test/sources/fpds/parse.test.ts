import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../../scripts/records.ts';
import { fpdsSource, readFeedPage } from '../../../scripts/sources/fpds/index.ts';
import { parsePage } from '../../../scripts/sources/fpds/parse.ts';
import type { RawInput } from '../../../scripts/sources/types.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { ownFixture, sharedFixture } from '../../helpers/shared-fixtures.ts';

const ICE_V153 = sharedFixture('fpds/ICE_raw_PUBLIC_v1.5.3_PIID_70CDCR26FR0000014_ithildin.xml');
const GSA_V152 = sharedFixture('fpds/raw_PUBLIC_v1.5.2_LAST_MOD_DATE_2020-04-02_page1_kapangyu-gsa.xml');

function input(path: string): RawInput {
  return { path, origin: path, retrievedAt: '2026-03-14T00:00:00.000Z' };
}

async function parseFiles(...paths: string[]) {
  const logs: string[] = [];
  const result = await fpdsSource.parse(paths.map(input), { log: (m) => logs.push(m) });
  const awards = result.records as AwardRecord[];
  const byKey = new Map(awards.map((r) => [r.awardKey, r]));
  return { ...result, awards, byKey, logs };
}

describe('fpds parse: ICE recording (v1.5.3, a delivery order and its modification)', () => {
  it('folds the base award and P00001 into one award, field by field', async () => {
    const { awards, rowIssues, logs } = await parseFiles(ICE_V153);
    expect(rowIssues).toEqual([]);
    expect(awards).toEqual([
      {
        recordType: 'award',
        source: 'fpds',
        awardKey: 'CONT_AWD_70CDCR26FR0000014_7012_70CDCR26D00000017_7012',
        piid: '70CDCR26FR0000014',
        parentPiid: '70CDCR26D00000017',
        kind: 'contract',
        awardType: 'DELIVERY ORDER',
        recipient: {
          name: 'FRAUD INC',
          uei: 'D13LLJJZYH64',
          parentName: 'FRAUD INC',
          parentUei: 'D13LLJJZYH64',
        },
        // P00001 obligated $0; the cumulative totals of the latest action carry the $348,000.
        amounts: { obligated: 348000, current: 348000, potential: 348000 },
        start: '2025-12-16',
        // P00001 extended the period of performance from 2026-03-15 to 2026-05-14.
        end: '2026-05-14',
        awardingAgency: 'HOMELAND SECURITY, DEPARTMENT OF',
        awardingSubAgency: 'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT',
        awardingAgencyCode: '7012',
        naics: '561611',
        psc: 'R799',
        // The base award's description, not the modification's "THE PURPOSE OF THIS MODIFICATION …".
        description: 'SKIP TRACING SERVICES TASK ORDER 5,000 CASES 90 DAY POP',
        lastModified: '2026-03-13',
        url: 'https://www.usaspending.gov/award/CONT_AWD_70CDCR26FR0000014_7012_70CDCR26D00000017_7012',
      },
    ]);
    expect(logs.join('\n')).toContain('2 contract action(s) → 1 award(s)');
  });

  it('reads each action of the recording with its own modification values', async () => {
    const { transactions } = parsePage(await readFile(ICE_V153, 'utf8'), ICE_V153);
    expect(transactions.map((t) => [t.modNumber, t.signedDate, t.obligatedAmount, t.currentCompletionDate, t.lastModifiedAt])).toEqual([
      ['0', '2025-12-16', 348000, '2026-03-15', '2026-01-22 16:13:22'],
      ['P00001', '2026-03-11', 0, '2026-05-14', '2026-03-13 13:08:22'],
    ]);
  });

  it('reading the same page twice still yields one award (actions dedupe)', async () => {
    const { awards } = await parseFiles(ICE_V153, ICE_V153);
    expect(awards.map((a) => [a.awardKey, a.amounts.obligated])).toEqual([['CONT_AWD_70CDCR26FR0000014_7012_70CDCR26D00000017_7012', 348000]]);
  });

  it('has no paging links (a single-PIID search result)', async () => {
    const page = readFeedPage(await readFile(ICE_V153, 'utf8'), ICE_V153);
    expect(page.links.next).toBeUndefined();
    expect(page.links.last).toBeUndefined();
    expect(page.entries.map((e) => e.contentType)).toEqual(['award', 'award']);
  });
});

describe('fpds parse: GSA recording (v1.5.2 page 1 of LAST_MOD_DATE 2020-04-02)', () => {
  it('reads the next and last links and ten entries', async () => {
    const page = readFeedPage(await readFile(GSA_V152, 'utf8'), GSA_V152);
    expect(page.links.next).toBe(
      'https://www.fpds.gov/ezsearch/FEEDS/ATOM?s=FPDS&FEEDNAME=PUBLIC&VERSION=1.5.2&q=LAST_MOD_DATE%3A%5B2020%2F04%2F02%2C2020%2F04%2F02%5D&start=10',
    );
    expect(page.links.last).toBe(
      'https://www.fpds.gov/ezsearch/FEEDS/ATOM?s=FPDS&FEEDNAME=PUBLIC&VERSION=1.5.2&q=LAST_MOD_DATE%3A%5B2020%2F04%2F02%2C2020%2F04%2F02%5D&start=33160',
    );
    expect(page.entries).toHaveLength(10);
    expect(page.entries[0]?.modified).toBe('2020-04-02 07:30:45');
    expect(page.entries[8]?.title).toBe('New BPA CALL 0001 awarded to CADUCEUS HEALTHCARE INC for the amount of $559,484.4');
  });

  it('yields ten awards, sorted by key, with no issues', async () => {
    const { awards, rowIssues } = await parseFiles(GSA_V152);
    expect(rowIssues).toEqual([]);
    expect(awards.map((a) => a.awardKey)).toEqual([
      'CONT_AWD_0001_9700_N0017812D7077_9700',
      'CONT_AWD_0001_9700_N0017814D7171_9700',
      'CONT_AWD_0001_9700_N0017814D7174_9700',
      'CONT_AWD_0001_9700_N0017815D8340_9700',
      'CONT_AWD_0001_9700_N0017816D8902_9700',
      'CONT_AWD_0001_9700_SPE4A716D0258_9700',
      'CONT_AWD_0001_9700_W15P7T09DW201_9700',
      'CONT_AWD_0001_9700_W81K0417A0003_9700',
      'CONT_AWD_0001_9700_W91RUS15D0015_9700',
      // The order's own agency (9701) differs from its IDV's (9700): both go into the key.
      'CONT_AWD_0001_9701_N0017811D6668_9700',
    ]);
  });

  it('reads DUNS and UEI, parents included, with DUNS kept 9 digits (leading zeros)', async () => {
    const { byKey } = await parseFiles(GSA_V152);
    expect(byKey.get('CONT_AWD_0001_9700_SPE4A716D0258_9700')).toEqual({
      recordType: 'award',
      source: 'fpds',
      awardKey: 'CONT_AWD_0001_9700_SPE4A716D0258_9700',
      piid: '0001',
      parentPiid: 'SPE4A716D0258',
      kind: 'contract',
      awardType: 'DELIVERY ORDER',
      recipient: {
        name: 'DANKO ARLINGTON, INC',
        uei: 'G9KUF9669JB5',
        duns: '003062809',
        // FPDS writes the parent name with the comma turned into a double space; whitespace is folded.
        parentName: 'DANKO ARLINGTON INC',
        parentUei: 'G9KUF9669JB5',
        parentDuns: '003062809',
      },
      amounts: { obligated: 1961, current: 1961, potential: 1961 },
      start: '2017-06-20',
      end: '2018-09-13',
      awardingAgency: 'DEPT OF DEFENSE',
      awardingSubAgency: 'DEFENSE LOGISTICS AGENCY',
      awardingAgencyCode: '97AS',
      naics: '336413',
      psc: '1560',
      description: '8504508098!PLATE,STRUCTURAL,AI',
      lastModified: '2020-04-02',
      url: 'https://www.usaspending.gov/award/CONT_AWD_0001_9700_SPE4A716D0258_9700',
    });
  });

  it('keeps a parent that differs from the vendor (NTT DATA)', async () => {
    const { byKey } = await parseFiles(GSA_V152);
    expect(byKey.get('CONT_AWD_0001_9700_N0017815D8340_9700')?.recipient).toEqual({
      name: 'NTT DATA FEDERAL SERVICES, INC',
      uei: 'WLDXH4S6J7G6',
      duns: '066781865',
      parentName: 'NTT DATA FEDERAL SERVICES INC',
      parentUei: 'MBF8BNJR3AN9',
      parentDuns: '690626718',
    });
  });

  it('takes amounts from the cumulative totals when they differ from the action (BPA call)', async () => {
    const { byKey } = await parseFiles(GSA_V152);
    const call = byKey.get('CONT_AWD_0001_9700_W81K0417A0003_9700');
    expect(call?.awardType).toBe('BPA CALL');
    expect(call?.amounts).toEqual({ obligated: 204057.31, current: 204057.31, potential: 204057.31 });
    expect(call?.recipient.duns).toBe('847908774');
  });

  it('reads a lone modification (mod 11) with its totals and its own description', async () => {
    const { byKey } = await parseFiles(GSA_V152);
    expect(byKey.get('CONT_AWD_0001_9700_W91RUS15D0015_9700')).toMatchObject({
      piid: '0001',
      amounts: { obligated: 11373630.87, current: 11392366.76, potential: 11392366.76 },
      start: '2018-03-04',
      end: '2020-07-05',
      naics: '517110',
      psc: 'D304',
      description: 'INFORMATION TECHNOLOGY SUPPORT SERVICES FOR FORT BENNING',
      lastModified: '2020-01-03',
      recipient: { name: 'BY LIGHT, PROFESSIONAL IT SERVICES, INC.', uei: 'NKKQE6FG4C28', duns: '132027694' },
    });
  });

  it('cuts times off dates (an effectiveDate of 12:04:00 in a v1.3 award)', async () => {
    const { byKey } = await parseFiles(GSA_V152);
    const award = byKey.get('CONT_AWD_0001_9700_W15P7T09DW201_9700');
    expect([award?.start, award?.end, award?.amounts.obligated]).toEqual(['2009-04-30', '2011-04-29', 3454791.72]);
  });
});

describe('fpds parse: made namespace variants', () => {
  const file = ownFixture('fpds/prefix-variants.xml');

  it('reads FPDS content whatever the prefix, and only from FPDS namespaces', async () => {
    const { byKey, awards, rowIssues } = await parseFiles(file);
    expect(awards.map((a) => a.awardKey)).toEqual([
      'CONT_AWD_70CDCR26F99990002_7012_47QTCA99D0001_4732',
      'CONT_AWD_70CDCR26P99990003_7012_-NONE-_-NONE-',
      'CONT_AWD_HSCETC09C00001_7012_-NONE-_-NONE-',
    ]);
    // Default namespace, decoy PIID in urn:example:decoy ignored, lower-case UEI upper-cased.
    expect(byKey.get('CONT_AWD_70CDCR26F99990002_7012_47QTCA99D0001_4732')).toEqual({
      recordType: 'award',
      source: 'fpds',
      awardKey: 'CONT_AWD_70CDCR26F99990002_7012_47QTCA99D0001_4732',
      piid: '70CDCR26F99990002',
      parentPiid: '47QTCA99D0001',
      kind: 'contract',
      awardType: 'DELIVERY ORDER',
      recipient: { name: 'EXAMPLE ANALYTICS CORP', uei: 'EXAMPLEUEI02', parentName: 'EXAMPLE ANALYTICS CORP', parentUei: 'EXAMPLEUEI02' },
      amounts: { obligated: 120000.5, current: 120000.5, potential: 600000 },
      start: '2026-01-09',
      end: '2027-01-08',
      awardingAgency: 'HOMELAND SECURITY, DEPARTMENT OF',
      awardingSubAgency: 'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT',
      awardingAgencyCode: '7012',
      naics: '513210',
      psc: '7A21',
      description: 'DATA ANALYTICS PLATFORM LICENSES',
      lastModified: '2026-01-10',
      url: 'https://www.usaspending.gov/award/CONT_AWD_70CDCR26F99990002_7012_47QTCA99D0001_4732',
    });
    // fpds: prefix; v1.5.2 layout with both blocks: the UEI block's parent name wins over the DUNS one.
    expect(byKey.get('CONT_AWD_70CDCR26P99990003_7012_-NONE-_-NONE-')?.recipient).toEqual({
      name: 'EXAMPLE TRANSPORT, INC.',
      uei: 'EXAMPLEUEI03',
      duns: '001234567',
      parentName: 'EXAMPLE MOBILITY GROUP',
      parentUei: 'EXAMPLEPAR03',
      parentDuns: '007654321',
    });
    expect(byKey.get('CONT_AWD_70CDCR26P99990003_7012_-NONE-_-NONE-')?.parentPiid).toBeUndefined();
    expect(rowIssues).toHaveLength(1);
  });

  it('reads the legacy fpdsng.com namespace: DUNS padded, no totals so actions are summed', async () => {
    const { byKey } = await parseFiles(file);
    expect(byKey.get('CONT_AWD_HSCETC09C00001_7012_-NONE-_-NONE-')).toEqual({
      recordType: 'award',
      source: 'fpds',
      awardKey: 'CONT_AWD_HSCETC09C00001_7012_-NONE-_-NONE-',
      piid: 'HSCETC09C00001',
      kind: 'contract',
      awardType: 'DEFINITIVE CONTRACT',
      recipient: { name: 'EXAMPLE LEGACY SYSTEMS', duns: '044273592', parentName: 'EXAMPLE LEGACY SYSTEMS', parentDuns: '044273592' },
      amounts: { obligated: 1500.25, current: 1500.25, potential: 3000 },
      start: '2009-03-01',
      end: '2010-08-31',
      awardingSubAgency: 'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT',
      awardingAgencyCode: '7012',
      naics: '541512',
      psc: 'D302',
      description: 'CASE MANAGEMENT SYSTEM MAINTENANCE',
      lastModified: '2009-09-15',
      url: 'https://www.usaspending.gov/award/CONT_AWD_HSCETC09C00001_7012_-NONE-_-NONE-',
    });
  });

  it('reports an award element outside the FPDS namespace as a row issue', async () => {
    const { rowIssues, awards } = await parseFiles(file);
    expect(rowIssues).toEqual([
      {
        file,
        line: expect.any(Number),
        field: 'entry[4]/content/award',
        message: 'entry 4 (Not FPDS): {urn:example:not-fpds}award is not in the FPDS namespace (https://www.fpds.gov/FPDS or http://www.fpdsng.com/FPDS)',
      },
    ]);
    const text = await readFile(file, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('<!-- 4:')) + 2;
    expect(rowIssues[0]?.line).toBe(line);
    expect(awards.some((a) => a.recipient.name === 'SHOULD NOT APPEAR')).toBe(false);
  });

  it('reads the next link of an atom:-prefixed feed', async () => {
    const page = readFeedPage(await readFile(file, 'utf8'), file);
    expect(page.links.next).toBe('https://www.fpds.gov/ezsearch/FEEDS/ATOM?s=FPDS&FEEDNAME=PUBLIC&VERSION=1.5.3&q=made&start=10');
    expect(page.entries).toHaveLength(5);
  });
});

describe('fpds parse: made IDV', () => {
  it('reads an IDV and its modification into one CONT_IDV award', async () => {
    const { awards, rowIssues } = await parseFiles(ownFixture('fpds/idv.xml'));
    expect(rowIssues).toEqual([]);
    expect(awards).toEqual([
      {
        recordType: 'award',
        source: 'fpds',
        awardKey: 'CONT_IDV_70CDCR26D99990001_7012',
        piid: '70CDCR26D99990001',
        kind: 'idv',
        awardType: 'IDC',
        recipient: { name: 'EXAMPLE DETENTION SERVICES LLC', uei: 'EXAMPLEUEI01', parentName: 'EXAMPLE HOLDINGS INC', parentUei: 'EXAMPLEPAR01' },
        amounts: { obligated: 2500, current: 0, potential: 25000000 },
        start: '2025-11-03',
        // The modification (listed first on the page, signed later) extended ordering by a year.
        lastDateToOrder: '2031-11-02',
        awardingAgency: 'HOMELAND SECURITY, DEPARTMENT OF',
        awardingSubAgency: 'U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT',
        awardingAgencyCode: '7012',
        naics: '561611',
        psc: 'R799',
        description: 'SKIP TRACING AND LOCATION SERVICES IDIQ',
        lastModified: '2026-02-20',
        url: 'https://www.usaspending.gov/award/CONT_IDV_70CDCR26D99990001_7012',
      },
    ]);
  });
});

describe('fpds parse: bad entries among good ones', () => {
  const file = ownFixture('fpds/bad-entries.xml');

  it('keeps the good entries and reports each bad one with its entry, line and field', async () => {
    const { awards, rowIssues } = await parseFiles(file);
    expect(awards.map((a) => [a.awardKey, a.recipient.name, a.amounts.obligated])).toEqual([
      ['CONT_AWD_70CDCR26P99990010_7012_-NONE-_-NONE-', 'EXAMPLE GOOD VENDOR LLC', 1000],
      ['CONT_AWD_70CDCR26P99990016_7012_-NONE-_-NONE-', 'EXAMPLE SECOND VENDOR', -250.75],
    ]);
    expect(rowIssues.map((i) => [i.line, i.field])).toEqual([
      [36, 'entry[1]/award/awardID/awardContractID/PIID'],
      [66, 'entry[2]/award/relevantContractDates/signedDate'],
      [96, 'entry[3]/award/dollarValues/obligatedAmount'],
      [126, 'entry[4]/award/vendor/vendorSiteDetails/entityIdentifiers/vendorUEIInformation/UEI'],
      [156, 'entry[5]/content/OtherTransactionAward'],
    ]);
    expect(rowIssues.every((i) => i.file === file)).toBe(true);
    expect(rowIssues[1]?.message).toBe(
      'entry 2 (ORDER WITH A SPREADSHEET DATE) skipped: award/relevantContractDates/signedDate: not a date (expected YYYY-MM-DD hh:mm:ss): "02/02/2026"',
    );
    expect(rowIssues[2]?.message).toContain('not a dollar amount: "1,000.00"');
    expect(rowIssues[3]?.message).toContain('not a UEI: "NOT-A-UEI"');
    expect(rowIssues[4]?.message).toContain('unsupported FPDS content type OtherTransactionAward');
  });
});

describe('fpds parse: pages that are not ATOM feeds', () => {
  it('an HTML page is a SourceFormatError naming the file', async () => {
    const file = ownFixture('fpds/not-a-feed.html');
    const error = await fpdsSource.parse([input(file)], { log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details.file).toBe(file);
    expect((error as SourceFormatError).message).toContain('not an ATOM feed');
  });

  it.each([
    ['JSON', '{"error":"maintenance"}', 'not well-formed XML'],
    ['truncated XML', '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title>', 'not well-formed XML'],
    ['RSS', '<rss version="2.0"><channel><title>x</title></channel></rss>', 'root element is {}rss'],
    ['feed outside the Atom namespace', '<feed><entry/></feed>', 'root element is {}feed'],
    ['undeclared prefix', '<a:feed><a:entry/></a:feed>', 'undeclared prefix a'],
  ])('%s is a SourceFormatError', (_name, text, message) => {
    expect(() => readFeedPage(text, 'page.xml')).toThrow(SourceFormatError);
    expect(() => readFeedPage(text, 'page.xml')).toThrow(message);
  });

  it('an empty feed is valid and yields nothing', () => {
    const page = readFeedPage('<feed xmlns="http://www.w3.org/2005/Atom"><title>none</title></feed>', 'empty.xml');
    expect(page).toEqual({ title: 'none', links: {}, entries: [] });
  });
});
