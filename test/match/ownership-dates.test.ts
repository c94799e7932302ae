/**
 * Ownership in time: a unit is its owner's only from the acquisition on. Names and dates are the real
 * ones (Lockheed Martin's IS&GS business became part of Leidos on 2016-08-16; Motorola Solutions closed
 * its purchase of Vigilant Solutions on 2019-01-11); the registries are built in code.
 */
import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../scripts/match/matcher.ts';
import { company } from './registry-fixture.ts';

const src = 'https://example.org/filing';

const lockheed = company({
  id: 'lockheed-martin',
  name: 'Lockheed Martin',
  aliases: { legal: ['Lockheed Martin Corporation'] },
  subsidiaries: [{ name: 'Lockheed Martin Information Systems & Global Solutions', aliases: ['Lockheed Martin IS&GS'], until: '2016-08-16', source: src }],
});
const leidos = company({
  id: 'leidos',
  name: 'Leidos',
  aliases: { legal: ['Leidos, Inc.'] },
  subsidiaries: [{ name: 'Lockheed Martin Information Systems & Global Solutions', aliases: ['Lockheed Martin IS&GS'], since: '2016-08-16', source: src }],
});
const motorola = company({
  id: 'motorola-solutions',
  name: 'Motorola Solutions',
  aliases: { legal: ['Motorola Solutions, Inc.'] },
  subsidiaries: [
    {
      name: 'Vigilant Solutions',
      since: '2019-01-11',
      source: src,
      identifiers: { duns: [{ value: '123456789', source: 'made-up' }] },
    },
  ],
  products: [{ term: 'LEARN', specificity: 'high', since: '2019-01-11' }],
});
const reseller = company({ id: 'carahsoft', name: 'Carahsoft Technology', roles: ['reseller'], aliases: { legal: ['Carahsoft Technology Corp'] } });
const matcher = createMatcher([lockheed, leidos, motorola, reseller]);

const brief = (name: string, date?: string, extra: Record<string, string> = {}) =>
  matcher.match({ name, ...(date ? { date } : {}), ...extra }).map((m) => [m.companyId, m.relation, m.method]);

describe('units owned for a time', () => {
  it('gives an award to the unit to the company that owned it on the award date', () => {
    expect(brief('LOCKHEED MARTIN INFORMATION SYSTEMS & GLOBAL SOLUTIONS', '2015-03-01')).toEqual([
      ['lockheed-martin', 'subsidiary', 'subsidiary-name'],
    ]);
    expect(brief('LOCKHEED MARTIN INFORMATION SYSTEMS & GLOBAL SOLUTIONS', '2016-08-16')).toEqual([['leidos', 'subsidiary', 'subsidiary-name']]);
    expect(brief('Lockheed Martin IS&GS', '2017-01-01')).toEqual([['leidos', 'subsidiary', 'subsidiary-name']]);
  });

  it('says in the reason who acquired the unit and when', () => {
    const before = matcher.match({ name: 'Lockheed Martin IS&GS', date: '2016-01-01' })[0]!;
    expect(before.reason).toContain('owned by lockheed-martin until 2016-08-16; acquired by leidos on 2016-08-16');
    const after = matcher.match({ name: 'Lockheed Martin IS&GS', date: '2016-09-01' })[0]!;
    expect(after.reason).toContain('owned by leidos since 2016-08-16');
  });

  it('attributes an award made before the acquisition to no one, with a note saying so', () => {
    const detailed = matcher.matchDetailed!({ name: 'VIGILANT SOLUTIONS, INC.', date: '2017-12-21' });
    expect(detailed.matches).toEqual([]);
    expect(detailed.notes.map((n) => n.text)).toEqual([
      '"Vigilant Solutions" was acquired by motorola-solutions on 2019-01-11, after the record\'s date 2017-12-21: not attributed to motorola-solutions',
    ]);
    expect(brief('VIGILANT SOLUTIONS, INC.', '2019-01-11')).toEqual([['motorola-solutions', 'subsidiary', 'subsidiary-name']]);
  });

  it("dates a unit's identifiers with the unit", () => {
    expect(brief('VIGILANT SOLUTIONS LLC', '2018-06-01', { duns: '123456789' })).toEqual([]);
    expect(brief('VIGILANT SOLUTIONS LLC', '2020-06-01', { duns: '123456789' })).toEqual([['motorola-solutions', 'subsidiary', 'duns']]);
  });

  it('does not let a near spelling or a cut name bypass the dates', () => {
    // "VIGILANT SOLUTION" (one letter short) would be a fuzzy candidate of the unit: dated units are not.
    expect(matcher.match({ name: 'VIGILANT SOLUTION', date: '2017-01-01' })).toEqual([]);
    expect(brief('LOCKHEED MARTIN INFORMATION SY', '2015-01-01')).toEqual([]);
  });

  it('reads a record without a date as of now: only the current owner', () => {
    expect(brief('Lockheed Martin IS&GS')).toEqual([['leidos', 'subsidiary', 'subsidiary-name']]);
    expect(brief('Vigilant Solutions')).toEqual([['motorola-solutions', 'subsidiary', 'subsidiary-name']]);
  });

  it('dates product terms: a product line is the brand owner\'s only from its acquisition', () => {
    const via = (date: string) =>
      matcher
        .match({ name: 'CARAHSOFT TECHNOLOGY CORP', description: 'LEARN LICENSE PLATE READER DATA SUBSCRIPTION', date })
        .filter((m) => m.relation === 'via-reseller')
        .map((m) => m.companyId);
    expect(via('2018-05-01')).toEqual([]);
    expect(via('2019-05-01')).toEqual(['motorola-solutions']);
  });
});

describe('company files with a dated parent', () => {
  const parent = company({ id: 'motorola-solutions', name: 'Motorola Solutions' });
  const unit = company({ id: 'avigilon', name: 'Avigilon', aliases: { legal: ['Avigilon Corporation'] }, parent: 'motorola-solutions', parentSince: '2018-03-28' });
  const m = createMatcher([parent, unit]);

  it('rolls an award up to the parent only from the acquisition on', () => {
    expect(m.match({ name: 'AVIGILON CORPORATION', date: '2017-05-01' }).map((x) => [x.companyId, x.relation])).toEqual([['avigilon', 'direct']]);
    const after = m.match({ name: 'AVIGILON CORPORATION', date: '2018-05-01' });
    expect(after.map((x) => [x.companyId, x.relation])).toEqual([
      ['avigilon', 'direct'],
      ['motorola-solutions', 'subsidiary'],
    ]);
    expect(after[1]!.reason).toContain('(acquired by motorola-solutions on 2018-03-28)');
    expect(m.matchDetailed!({ name: 'AVIGILON CORPORATION', date: '2017-05-01' }).notes[0]?.text).toBe(
      "avigilon was acquired by motorola-solutions on 2018-03-28, after the record's date 2017-05-01: not attributed to motorola-solutions",
    );
  });
});

describe('a company that exists in the record only from a date', () => {
  // The 2013 separation: the former SAIC (holding SAIC, Inc.) became Leidos; the spun-off company took the
  // name Science Applications International Corporation. Real spellings from the recordings.
  const leidosCo = company({
    id: 'leidos',
    name: 'Leidos',
    aliases: { legal: ['Leidos, Inc.'] },
    subsidiaries: [{ name: 'Science Applications International Corporation', aliases: ['SAIC, Inc.', 'SAIC'], until: '2013-09-27', source: src }],
  });
  const saic = company({ id: 'saic', name: 'SAIC', since: '2013-09-27', aliases: { legal: ['Science Applications International Corporation'] } });
  const m = createMatcher([leidosCo, saic]);
  const ids = (name: string, date?: string, parentName?: string) =>
    m.match({ name, ...(date ? { date } : {}), ...(parentName ? { parentName } : {}) }).map((x) => [x.companyId, x.relation]);

  it('gives the name to its holder on the record date', () => {
    expect(ids('SAIC  INC.', '2009-09-30')).toEqual([['leidos', 'subsidiary']]);
    expect(ids('SCIENCE APPLICATIONS INTERNATIONAL CORPORATION', '2012-01-01')).toEqual([['leidos', 'subsidiary']]);
    expect(ids('SCIENCE APPLICATIONS INTERNATIONAL CORPORATION', '2021-06-29')).toEqual([['saic', 'direct']]);
    expect(m.matchDetailed!({ name: 'SAIC INC.', date: '2009-09-30' }).notes.map((n) => n.text)).toEqual([
      '"SAIC" is saic\'s name only since 2013-09-27, after the record\'s date 2009-09-30: not attributed to saic',
    ]);
  });

  it('does not read a stale parent name that changed hands as a parent (real: LEIDOS, INC. with parent "SAIC  INC." in FY2017)', () => {
    expect(ids('LEIDOS, INC.', '2017-09-30', 'SAIC  INC.')).toEqual([['leidos', 'direct']]);
  });
});

describe('watchdog mentions with aliases', () => {
  const m = createMatcher([company({ id: 'openfox', name: 'OpenFox' })]);
  const mention = { recordType: 'mention' as const, source: 'companies-that-work-with-ice', list: 'listed', name: 'Computer Projects Of Illinois', note: 'AKA OpenFox' };

  it('matches through an alias the list gives when the name says nothing', () => {
    expect(m.matchMention(mention)).toEqual([]);
    const via = m.matchMention({ ...mention, aliases: ['OpenFox'] });
    expect(via.map((x) => [x.companyId, x.relation])).toEqual([['openfox', 'direct']]);
    expect(via[0]!.reason).toMatch(/^the list gives "OpenFox" as another name; /);
  });
});
