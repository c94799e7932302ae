import { describe, expect, it } from 'vitest';
import { companySchema, type CompanyInput } from '../../scripts/registry/schema.ts';
import { validateRegistry, type CompanyFile, type PathSegment } from '../../scripts/registry/validate.ts';
import { identifierRange, inRange, intersect, overlaps, within } from '../../scripts/registry/ownership.ts';

function file(input: CompanyInput): CompanyFile {
  return {
    file: `${input.id}.yaml`,
    fileId: input.id,
    declaredId: input.id,
    company: companySchema.parse({ evidence, ...input }),
    // The path itself, so each finding says where it points.
    lineOf: (path: readonly PathSegment[]) => path.length,
  };
}

const evidence = [{ url: 'https://example.org/e', title: 'T', publisher: 'P', date: '2024-01-01', kind: 'news' as const, summary: 'S' }];
const source = 'https://example.org/8-k';
const unit = 'Lockheed Martin Information Systems & Global Solutions';

function errors(...inputs: CompanyInput[]): Array<[string, string]> {
  return validateRegistry(inputs.map(file))
    .filter((p) => p.severity === 'error')
    .map((p) => [p.rule, p.message]);
}

describe('ownership ranges', () => {
  it('reads [since, until) half-open, and a dateless record as now', () => {
    expect(inRange({ since: '2016-08-16' }, '2016-08-16')).toBe(true);
    expect(inRange({ until: '2016-08-16' }, '2016-08-16')).toBe(false);
    expect(inRange({ until: '2016-08-16' }, undefined)).toBe(false);
    expect(inRange({ since: '2016-08-16' }, undefined)).toBe(true);
    expect(overlaps({ until: '2016-08-16' }, { since: '2016-08-16' })).toBe(false);
    expect(overlaps({ until: '2016-08-17' }, { since: '2016-08-16' })).toBe(true);
    expect(overlaps({}, { since: '2016-08-16' })).toBe(true);
    expect(intersect({ since: '2010-01-01' }, { since: '2012-01-01', until: '2014-01-01' })).toEqual({ since: '2012-01-01', until: '2014-01-01' });
    expect(within({ since: '2012-01-01' }, { since: '2010-01-01' })).toBe(true);
    expect(within({}, { since: '2010-01-01' })).toBe(false);
    // validTo is the last valid day; until the first day after.
    expect(identifierRange({ validTo: '2016-12-31' })).toEqual({ until: '2017-01-01' });
    expect(identifierRange({ validTo: '2016-02-28' })).toEqual({ until: '2016-02-29' });
  });
});

describe('ownership rules', () => {
  it('accepts successive owners whose ranges meet but do not overlap', () => {
    expect(
      errors(
        { id: 'lockheed-martin', name: 'Lockheed Martin', subsidiaries: [{ name: unit, until: '2016-08-16', source }] },
        { id: 'leidos', name: 'Leidos', subsidiaries: [{ name: unit, since: '2016-08-16', source }] },
      ),
    ).toEqual([]);
  });

  it('refuses two owners at once, and an undated second owner', () => {
    const found = errors(
      { id: 'lockheed-martin', name: 'Lockheed Martin', subsidiaries: [{ name: unit, until: '2016-09-01', source }] },
      { id: 'leidos', name: 'Leidos', subsidiaries: [{ name: unit, since: '2016-08-16', source }] },
    );
    expect(found).toEqual([
      [
        'duplicate-alias',
        `"${unit}" (normalized "lockheed martin information systems and global solutions") is also claimed by company "lockheed-martin" at lockheed-martin.yaml:3 (owned until 2016-09-01 there and since 2016-08-16 here: the ranges overlap)`,
      ],
    ]);
    expect(
      errors(
        { id: 'lockheed-martin', name: 'Lockheed Martin', subsidiaries: [{ name: unit, until: '2016-08-16', source }] },
        { id: 'leidos', name: 'Leidos', subsidiaries: [{ name: unit }] },
      )[0]?.[1],
    ).toContain('successive owners both need dates');
  });

  it('lets a unit\'s identifier pass from one owner to the next', () => {
    const duns = [{ value: '123456789', source: 'made-up' }];
    expect(
      errors(
        { id: 'lockheed-martin', name: 'Lockheed Martin', subsidiaries: [{ name: unit, until: '2016-08-16', source, identifiers: { duns } }] },
        { id: 'leidos', name: 'Leidos', subsidiaries: [{ name: unit, since: '2016-08-16', source, identifiers: { duns } }] },
      ),
    ).toEqual([]);
  });

  it('refuses a range that ends before it starts, on units, products, identifiers and parents', () => {
    const found = errors(
      { id: 'parent-co', name: 'Parent Co' },
      {
        id: 'acme',
        name: 'Acme',
        parent: 'parent-co',
        parentSince: '2020-01-01',
        parentUntil: '2019-01-01',
        subsidiaries: [{ name: 'Acme Unit', since: '2020-01-01', until: '2020-01-01', source }],
        products: [{ term: 'AcmeView', specificity: 'high', since: '2021-01-01', until: '2020-01-01' }],
        identifiers: { uei: [{ value: 'ABCDEFGH1234', since: '2022-01-01', until: '2021-01-01', source: 't' }] },
      },
    );
    expect(found.map(([rule]) => rule)).toEqual(['ownership-date-order', 'ownership-date-order', 'ownership-date-order', 'ownership-date-order']);
    expect(found.map(([, m]) => m)).toContain('unit "Acme Unit" ends (2020-01-01) on or before it starts (2020-01-01); `until` is the first day it no longer holds');
  });

  it('asks for the source of a dated unit and a parent for parentSince', () => {
    expect(errors({ id: 'acme', name: 'Acme', parentSince: '2020-01-01', subsidiaries: [{ name: 'Acme Unit', since: '2020-01-01' }] })).toEqual([
      ['ownership-source', 'parentSince/parentUntil are set but `parent` is not'],
      ['ownership-source', 'unit "Acme Unit" has ownership dates but no `source` (the filing or announcement of the acquisition)'],
    ]);
  });

  it('refuses an identifier of a unit dated before the company owned the unit', () => {
    expect(
      errors({
        id: 'motorola-solutions',
        name: 'Motorola Solutions',
        subsidiaries: [
          { name: 'Vigilant Solutions', since: '2019-01-11', source, identifiers: { duns: [{ value: '123456789', since: '2015-01-01', source: 't' }] } },
        ],
      }),
    ).toEqual([
      [
        'ownership-unit-identifiers',
        'DUNS "123456789" of unit "Vigilant Solutions" is dated since 2015-01-01, outside the time motorola-solutions owned the unit (since 2019-01-11): list it under the owner of that time',
      ],
    ]);
  });

  it('refuses both spellings of an identifier date, and a parent listing that disagrees with the unit file', () => {
    expect(
      errors({ id: 'acme', name: 'Acme', identifiers: { duns: [{ value: '123456789', since: '2015-01-01', validFrom: '2015-01-01', source: 't' }] } }),
    ).toEqual([['ownership-date-spelling', 'DUNS "123456789" has both since and validFrom; keep since']]);
    expect(
      errors(
        { id: 'motorola-solutions', name: 'Motorola Solutions', subsidiaries: [{ name: 'Avigilon', since: '2018-03-28', source }] },
        { id: 'avigilon', name: 'Avigilon', parent: 'motorola-solutions', parentSince: '2018-03-01' },
      ),
    ).toEqual([['ownership-parent-agrees', 'motorola-solutions lists "Avigilon" since 2018-03-28, but this file says since 2018-03-01']]);
  });

  it('refuses a unit owned, or a company parented, before the owner exists in the record', () => {
    expect(
      errors(
        { id: 'saic', name: 'SAIC', since: '2013-09-27', subsidiaries: [{ name: 'Engility', since: '2012-01-01', source }] },
        { id: 'unit-co', name: 'Unit Co', parent: 'saic' },
      ),
    ).toEqual([
      ['ownership-before-existence', 'unit "Engility" is owned since 2012-01-01, before saic itself exists in the record (since 2013-09-27)'],
      ['ownership-before-existence', 'saic exists in the record only since 2013-09-27, so it cannot own unit-co at all times: add parentSince'],
    ]);
  });
});
