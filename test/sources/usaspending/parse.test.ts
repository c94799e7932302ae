import { describe, expect, it } from 'vitest';
import { awardRecordSchema } from '../../../scripts/records.ts';
import type { AwardRecord, SourceRecord } from '../../../scripts/records.ts';
import { usaspendingSource } from '../../../scripts/sources/usaspending/index.ts';
import { parseAwardKey, padDuns } from '../../../scripts/sources/usaspending/schema.ts';
import type { RawInput } from '../../../scripts/sources/types.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { ownFixture, sharedFixture } from '../../helpers/shared-fixtures.ts';

const api = (name: string) => sharedFixture(`usaspending/api/${name}`);

function input(path: string): RawInput {
  return { path, origin: path, retrievedAt: '2025-01-01T00:00:00.000Z' };
}

async function parse(...paths: string[]) {
  const logs: string[] = [];
  const result = await usaspendingSource.parse(paths.map(input), { log: (m) => logs.push(m) });
  return { ...result, logs };
}

function award(records: SourceRecord[], key: string): AwardRecord {
  const found = records.find((r): r is AwardRecord => r.recordType === 'award' && r.awardKey === key);
  if (!found) throw new Error(`no record ${key}; have ${records.map((r) => (r.recordType === 'mention' ? r.name : r.recordType === 'award' ? r.awardKey : r.recordType)).join(', ')}`);
  return found;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('usaspending parse: spending_by_award recordings', () => {
  it('reads the contracts page (2 awards) field by field', async () => {
    const { records, rowIssues } = await parse(api('nasa_spending_by_award_contracts.json'));
    expect(rowIssues).toEqual([]);
    expect(records.map((r) => (r as AwardRecord).awardKey)).toEqual([
      'CONT_AWD_80NM0018F0615_8000_80NM0018D0004_8000',
      'CONT_AWD_GSFC0200211DNAS502200_8000_-NONE-_-NONE-',
    ]);
    expect(award(records, 'CONT_AWD_GSFC0200211DNAS502200_8000_-NONE-_-NONE-')).toEqual({
      recordType: 'award',
      source: 'usaspending',
      awardKey: 'CONT_AWD_GSFC0200211DNAS502200_8000_-NONE-_-NONE-',
      piid: 'GSFC0200211DNAS502200',
      kind: 'contract',
      awardType: 'DEFINITIVE CONTRACT',
      recipient: { name: 'NORTHROP GRUMMAN SYSTEMS CORPORATION', uei: 'VSBAFMDKTWL4', recipientId: 'c1d87c0c-1b5f-f2c8-c447-e001bb4cc08c-C' },
      amounts: { obligated: 4345585999.01, outlays: 519112956.52 },
      start: '2003-10-01',
      end: '2022-12-25',
      awardingAgency: 'National Aeronautics and Space Administration',
      awardingSubAgency: 'National Aeronautics and Space Administration',
      // This recording did not ask for "Awarding Sub Agency Code"; the key carries the agency.
      awardingAgencyCode: '8000',
      naics: '336414',
      psc: 'AR34',
      description:
        'THE JAMES WEBB SPACE TELESCOPE (JWST) PHASE 2 OBSERVATORY CONTRACTOR SHALL BE RESPONSIBLE FOR PROVIDING THE SPACECRAFT, THE OPTICAL TELESCOPE ELEMENT (OTE), PORTIONS OF THE INTEGRATED SCIENCE INSTRUMENT MODULE (ISIM), OBSERVATORY AND SYSTEM INTEGRATION AND TEST (I&T), OBSERVATORY VERIFICATION, OBSERVATORY COMMISSIONING, ASSOCIATED SYSTEMS ENGINEERING, AND THE GROUND AND LAUNCH SUPPORT EQUIPMENT NECESSARY TO DEVELOP AND LAUNCH THE JWST OBSERVATORY.',
      url: 'https://www.usaspending.gov/award/CONT_AWD_GSFC0200211DNAS502200_8000_-NONE-_-NONE-',
    });
    const order = award(records, 'CONT_AWD_80NM0018F0615_8000_80NM0018D0004_8000');
    expect(order.piid).toBe('80NM0018F0615');
    expect(order.parentPiid).toBe('80NM0018D0004');
    expect(order.awardType).toBe('DELIVERY ORDER');
    expect(order.recipient).toEqual({ name: 'CALIFORNIA INSTITUTE OF TECHNOLOGY', uei: 'YC1YP79BFD19', recipientId: '6e76fa33-2d96-c636-941c-bca1997db076-C' });
    expect(order.amounts).toEqual({ obligated: 2856157775.98, outlays: 2361314245.28 });
    expect([order.start, order.end, order.lastDateToOrder]).toEqual(['2018-10-01', '2025-09-30', undefined]);
    expect(order.description?.length).toBe(1000);
    expect(order.description?.endsWith('…')).toBe(true);
  });

  it('keeps all 5 results of the hand-edited page (limit 4) and dedupes the repeated award to its newest version', async () => {
    const { records, rowIssues, logs } = await parse(api('nasa_awards_search_results_contracts.json'));
    expect(rowIssues).toEqual([]);
    expect(logs.some((l) => l.includes('5 results on a page whose limit is 4'))).toBe(true);
    expect(records).toHaveLength(4);
    const tracers = award(records, 'CONT_AWD_80GSFC18C0008_8000_-NONE-_-NONE-');
    // Row 1 (modified 2025-06-23) and row 5 (modified 2025-08-19) are the same award.
    expect(tracers.lastModified).toBe('2025-08-19');
    expect(tracers.end).toBe('2025-08-19');
    expect(tracers.amounts).toEqual({ obligated: 172213419.67, outlays: 154805291.75 });
    expect(tracers.naics).toBe('541713');
    expect(tracers.psc).toBe('AR11');
    expect(tracers.awardingAgencyCode).toBe('8000');
    expect(tracers.recipient).toEqual({ name: 'THE UNIVERSITY OF IOWA', uei: 'Z1H9VJS8NG16', recipientId: '0b441d38-e3c0-de89-ee08-69fc9e6ee58a-C' });

    const iss = award(records, 'CONT_AWD_NAS1510000_8000_-NONE-_-NONE-');
    expect(iss.recipient.name).toBe('THE BOEING COMPANY');
    expect(iss.recipient.uei).toBe('HLWWEH2CCXW5');
    expect(iss.amounts.obligated).toBe(22108961401.86);
    expect([iss.start, iss.end, iss.lastModified]).toEqual(['1993-11-15', '2026-09-30', '2025-07-16']);
    expect(iss.description).toBe('INTERNATIONAL SPACE STATION');

    const orion = award(records, 'CONT_AWD_NNJ06TA25C_8000_-NONE-_-NONE-');
    expect(orion.recipient.name).toBe('LOCKHEED MARTIN CORP');
    expect(orion.naics).toBe('541710');
    expect(orion.psc).toBe('AR33');
  });

  it('reads the IDV page 2: ordering period, no period-of-performance end', async () => {
    const { records, rowIssues } = await parse(api('nasa_awards_search_results_idvs.json'));
    expect(rowIssues).toEqual([]);
    expect(records.map((r) => (r as AwardRecord).awardKey)).toEqual(['CONT_IDV_80JSC019C0012_8000', 'CONT_IDV_NNJ09GA02B_8000', 'CONT_IDV_NNK10LB00B_8000']);
    expect(award(records, 'CONT_IDV_NNJ09GA02B_8000')).toEqual({
      recordType: 'award',
      source: 'usaspending',
      awardKey: 'CONT_IDV_NNJ09GA02B_8000',
      piid: 'NNJ09GA02B',
      kind: 'idv',
      awardType: 'INDEFINITE DELIVERY / INDEFINITE QUANTITY',
      recipient: { name: 'ORBITAL SCIENCES LLC', uei: 'JFDGGEVK4EA5', recipientId: 'c8c17467-80ae-cdbc-49ab-584b1416d93d-C' },
      amounts: { obligated: 2890983472.11, outlays: 177349 },
      start: '2008-12-23',
      lastDateToOrder: '2019-12-31',
      awardingAgency: 'National Aeronautics and Space Administration',
      awardingSubAgency: 'National Aeronautics and Space Administration',
      awardingAgencyCode: '8000',
      naics: '481212',
      psc: 'V126',
      description: 'ISS COMMERCIAL RESUPPLY SERVICES',
      lastModified: '2020-08-31',
      url: 'https://www.usaspending.gov/award/CONT_IDV_NNJ09GA02B_8000',
    });
    const ula = award(records, 'CONT_IDV_NNK10LB00B_8000');
    expect(ula.recipient.name).toBe('UNITED LAUNCH SERVICES, LLC');
    expect(ula.lastDateToOrder).toBe('2032-12-31');
    expect(ula.end).toBeUndefined();
  });
});

describe('usaspending parse: award details', () => {
  it('reads a contract award: all four amounts and the parent from the recipient block', async () => {
    const { records } = await parse(api('nasa_awards_contract.json'));
    expect(records).toHaveLength(1);
    const tracers = award(records, 'CONT_AWD_80GSFC18C0008_8000_-NONE-_-NONE-');
    expect(tracers.amounts).toEqual({ obligated: 172213419.67, current: 172272419.67, potential: 172272419.67, outlays: 154805291.75 });
    expect(tracers.recipient).toEqual({
      name: 'THE UNIVERSITY OF IOWA',
      uei: 'Z1H9VJS8NG16',
      parentName: 'THE UNIVERSITY OF IOWA',
      parentUei: 'Z1H9VJS8NG16',
      recipientId: '0b441d38-e3c0-de89-ee08-69fc9e6ee58a-C',
    });
    expect([tracers.start, tracers.end, tracers.lastModified]).toEqual(['2018-03-05', '2025-08-19', '2025-08-19']);
    expect([tracers.naics, tracers.psc, tracers.awardType, tracers.awardingAgencyCode]).toEqual(['541713', 'AR11', 'DEFINITIVE CONTRACT', '8000']);
  });

  it('reads an IDV award: end_date is the last date to order', async () => {
    const { records } = await parse(api('nasa_awards_idv.json'));
    const orion = award(records, 'CONT_IDV_80JSC019C0012_8000');
    expect(orion.kind).toBe('idv');
    expect(orion.lastDateToOrder).toBe('2030-09-30');
    expect(orion.end).toBeUndefined();
    expect(orion.amounts).toEqual({ obligated: 2770845719.63, potential: 10489314619, outlays: 2442918291.79 });
    expect(orion.recipient).toEqual({
      name: 'LOCKHEED MARTIN CORP',
      uei: 'FYHNA5WC8XD7',
      parentName: 'LOCKHEED MARTIN CORP',
      parentUei: 'ZFN2JJXBLZT3',
      recipientId: '6e7a895c-aa57-8600-2a8a-4e237f6213f6-C',
    });
    expect(orion.description).toBe('ORION PRODUCTION AND OPERATIONS CONTRACT');
  });

  it('reads the API contract examples: DUNS, parent DUNS, parent IDV, datetime last-modified', async () => {
    const { records } = await parse(
      api('apicontract_example_awards_contract_CONT_AWD_H907_9700_SPE2DX16D1500_9700.json'),
      api('apicontract_example_awards_idv_CONT_IDV_FA304715A0037_9700.json'),
    );
    expect(award(records, 'CONT_AWD_H907_9700_SPE2DX16D1500_9700')).toEqual({
      recordType: 'award',
      source: 'usaspending',
      awardKey: 'CONT_AWD_H907_9700_SPE2DX16D1500_9700',
      piid: 'H907',
      parentPiid: 'SPE2DX16D1500',
      kind: 'contract',
      awardType: 'DELIVERY ORDER',
      recipient: {
        name: 'MCKESSON CORPORATION',
        uei: 'JTAPCFM4NSL4',
        duns: '105919864',
        parentName: 'MCKESSON CORPORATION',
        parentUei: 'S1RUKWWRYFL6',
        parentDuns: '177667227',
        recipientId: 'a704b6c0-d296-fc75-79e9-7a9546b3b634-C',
      },
      amounts: { obligated: 61241.34, current: 61241.34, potential: 61241.34 },
      start: '2016-06-24',
      end: '2016-06-27',
      awardingAgency: 'Department of Defense',
      awardingSubAgency: 'Defense Logistics Agency',
      awardingAgencyCode: '97AS',
      naics: '325411',
      psc: '6505',
      description: '4534723185!PV PHARM BRANCH, VENDOR, CAGE 0U9U0',
      lastModified: '2019-10-27',
      url: 'https://www.usaspending.gov/award/CONT_AWD_H907_9700_SPE2DX16D1500_9700',
    });
    const bpa = award(records, 'CONT_IDV_FA304715A0037_9700');
    expect(bpa.kind).toBe('idv');
    expect(bpa.awardType).toBe('BPA');
    expect(bpa.recipient).toMatchObject({ name: 'GRADLYN - G.K. AIRFREIGHT SERVICE GMBH', duns: '317771921', parentName: 'GK AIRFREIGHT-SERVICE GRADLYN KENNELS GMBH' });
    expect([bpa.start, bpa.lastDateToOrder, bpa.lastModified]).toEqual(['2015-07-17', '2020-07-16', '2018-06-11']);
    expect(bpa.amounts).toEqual({ obligated: 0, current: 0, potential: 0 });
    expect(bpa.awardingAgencyCode).toBe('5700');
  });

  it('merges a search row with the detail of the same award, and fills the parent from a recipient profile', async () => {
    const { records } = await parse(api('nasa_awards_search_results_contracts.json'), api('nasa_awards_contract.json'), api('nasa_recipient_university.json'));
    const tracers = award(records, 'CONT_AWD_80GSFC18C0008_8000_-NONE-_-NONE-');
    expect(tracers.amounts).toEqual({ obligated: 172213419.67, current: 172272419.67, potential: 172272419.67, outlays: 154805291.75 });
    // The detail names the parent; the recipient profile adds the parent's DUNS.
    expect(tracers.recipient).toEqual({
      name: 'THE UNIVERSITY OF IOWA',
      uei: 'Z1H9VJS8NG16',
      parentName: 'THE UNIVERSITY OF IOWA',
      parentUei: 'Z1H9VJS8NG16',
      parentDuns: '062761671',
      recipientId: '0b441d38-e3c0-de89-ee08-69fc9e6ee58a-C',
    });
    const alone = await parse(api('nasa_awards_search_results_contracts.json'), api('nasa_recipient_university.json'));
    expect(award(alone.records, 'CONT_AWD_80GSFC18C0008_8000_-NONE-_-NONE-').recipient).toEqual({
      name: 'THE UNIVERSITY OF IOWA',
      uei: 'Z1H9VJS8NG16',
      parentName: 'THE UNIVERSITY OF IOWA',
      parentUei: 'Z1H9VJS8NG16',
      parentDuns: '062761671',
      recipientId: '0b441d38-e3c0-de89-ee08-69fc9e6ee58a-C',
    });
    // Boeing's recipient has no profile file: no parent is invented.
    expect(award(alone.records, 'CONT_AWD_NAS1510000_8000_-NONE-_-NONE-').recipient.parentName).toBeUndefined();
  });

  it('produces valid, sorted, stable records from every recording', async () => {
    const all = [
      'nasa_spending_by_award_contracts.json',
      'nasa_awards_search_results_contracts.json',
      'nasa_awards_search_results_idvs.json',
      'nasa_awards_contract.json',
      'nasa_awards_idv.json',
      'apicontract_example_awards_contract_CONT_AWD_H907_9700_SPE2DX16D1500_9700.json',
      'apicontract_example_awards_idv_CONT_IDV_FA304715A0037_9700.json',
      'nasa_recipient_university.json',
    ].map(api);
    const first = await parse(...all);
    const second = await parse(...all);
    expect(JSON.stringify(second.records)).toBe(JSON.stringify(first.records));
    // 2 + 4 + 3 search rows and 4 details, two of which repeat search rows.
    expect(first.records).toHaveLength(11);
    const keys = first.records.map((r) => (r as AwardRecord).awardKey);
    expect(keys).toEqual([...keys].sort());
    for (const record of first.records) expect(awardRecordSchema.safeParse(record).success).toBe(true);
  });
});

describe('usaspending parse: faults', () => {
  it('tolerates bad rows, reporting each with its field path, and keeps the good ones', async () => {
    const file = ownFixture('usaspending/page-with-bad-rows.json');
    const { records, rowIssues } = await parse(file);
    expect(records.map((r) => (r as AwardRecord).awardKey)).toEqual(['CONT_AWD_70CMSD21FR0000001_7012_GS35F0001X_4732', 'CONT_IDV_70CMSD20D00000005_7012']);
    expect(rowIssues.map((i) => i.field)).toEqual(['results[1].End Date', 'results[2].generated_internal_id', 'results[3].Recipient Name']);
    expect(rowIssues.every((i) => i.file === file)).toBe(true);
    expect(rowIssues[0]?.message).toContain('"2024-02-30"');
    expect(rowIssues[0]?.message).toContain('CONT_AWD_70CMSD22C00000002_7012_-NONE-_-NONE-');
    expect(rowIssues[1]?.message).toContain('not a contract or IDV');

    const good = award(records, 'CONT_AWD_70CMSD21FR0000001_7012_GS35F0001X_4732');
    expect(good.recipient).toEqual({
      name: 'EXAMPLE DATA SYSTEMS LLC',
      uei: 'EXMPL1234567',
      duns: '062761671',
      recipientId: '11111111-2222-3333-4444-555555555555-C',
    });
    expect(good.parentPiid).toBe('GS35F0001X');
    expect(good.description).toBe('SOFTWARE LICENSES AND SUPPORT');
    expect(good.lastModified).toBe('2024-05-01');
    expect(good.amounts).toEqual({ obligated: 1250000.5 });
    expect(good.awardingAgencyCode).toBe('7012');
    const idv = award(records, 'CONT_IDV_70CMSD20D00000005_7012');
    expect([idv.naics, idv.psc, idv.lastDateToOrder, idv.end]).toEqual(['481211', 'V1A1', '2027-02-28', undefined]);
  });

  it('fails a page whose frame has the wrong shape, naming the field', async () => {
    const error = await rejection(parse(ownFixture('usaspending/page-wrong-shape.json')));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as SourceFormatError).details.path).toBe('page_metadata.hasNext');
    expect(error.message).toContain('field page_metadata.hasNext');
  });

  it('refuses JSON that is no response it knows (a download status)', async () => {
    const error = await rejection(parse(api('nasa_download_status.json')));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toContain('not a USAspending response this source knows');
  });

  it('routes a header-less CSV to the legacy history importer', async () => {
    const { records } = await parse(sharedFixture('ice-history/fy13_ICE_transactions_selected_vendors.NOHEADER.csv'));
    expect(records.length).toBeGreaterThan(0);
    // Row 1 of the FY13 export: a Palantir delivery order under GSA schedule GS35F0086U.
    const palantir = award(records, 'CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730');
    expect([palantir.piid, palantir.parentPiid, palantir.recipient.duns]).toEqual(['HSCETC13F00010', 'GS35F0086U', '362130952']);
    for (const record of records) expect(awardRecordSchema.safeParse(record).success).toBe(true);
  });
});

describe('award keys and identifiers', () => {
  it('splits generated_unique_award_id', () => {
    expect(parseAwardKey('CONT_AWD_80NM0018F0615_8000_80NM0018D0004_8000')).toEqual({
      kind: 'contract',
      piid: '80NM0018F0615',
      agency: '8000',
      parentPiid: '80NM0018D0004',
      parentAgency: '8000',
    });
    expect(parseAwardKey('CONT_AWD_NAS1510000_8000_-NONE-_-NONE-')).toEqual({ kind: 'contract', piid: 'NAS1510000', agency: '8000' });
    expect(parseAwardKey('CONT_IDV_FA304715A0037_9700')).toEqual({ kind: 'idv', piid: 'FA304715A0037', agency: '9700' });
    expect(parseAwardKey('ASST_NON_1234_7012')).toBeUndefined();
  });

  it('left-pads DUNS to 9 digits and refuses non-DUNS', () => {
    expect(padDuns('62761671')).toBe('062761671');
    expect(padDuns('062761671')).toBe('062761671');
    expect(padDuns('1234567890')).toBeUndefined();
    expect(padDuns('ABC')).toBeUndefined();
    expect(padDuns('')).toBeUndefined();
  });
});
