import { describe, expect, it } from 'vitest';
import { agencyScope, dedupeAwards } from '../../scripts/plan/awards.ts';
import type { Config } from '../../scripts/config.ts';
import type { AwardRecord } from '../../scripts/records.ts';
import { award } from './fixtures.ts';

/** What dedupeAwards promises, written the obvious way: per key, the most recently modified, then fpds > usaspending > usaspending-download, first on a full tie. */
function reference(awards: AwardRecord[]): AwardRecord[] {
  const rank = (s: string) => (['fpds', 'usaspending', 'usaspending-download'].indexOf(s) + 4) % 4;
  const byKey = new Map<string, AwardRecord>();
  for (const a of awards) {
    const c = byKey.get(a.awardKey);
    const better =
      !c ||
      (a.lastModified ?? '') > (c.lastModified ?? '') ||
      ((a.lastModified ?? '') === (c.lastModified ?? '') && (rank(a.source) < rank(c.source) || (rank(a.source) === rank(c.source) && a.source < c.source)));
    if (better) byKey.set(a.awardKey, a);
  }
  return [...byKey.values()].sort((a, b) => (a.awardKey < b.awardKey ? -1 : 1));
}

describe('dedupeAwards', () => {
  it('keeps one record per key, the preferred one, whatever the order of sources and partitions', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const sources = ['fpds', 'usaspending', 'usaspending-download', 'other'];
    for (let round = 0; round < 20; round++) {
      const records = Array.from({ length: 300 }, (_, i) =>
        award({
          awardKey: `CONT_AWD_${next(60)}`,
          source: sources[next(4)]!,
          ...(next(3) > 0 ? { lastModified: `2025-0${1 + next(3)}-01` } : {}),
          recipient: { name: `copy ${round}.${i}` },
        }),
      );
      const result = dedupeAwards(records);
      // Identity matters: on a full tie the first record in the input stays.
      expect(result).toStrictEqual(reference(records));
      result.forEach((r, i) => expect(r).toBe(reference(records)[i]));
      expect(new Set(result.map((r) => r.awardKey)).size).toBe(result.length);
    }
  });

  it('leaves the input alone', () => {
    const input = [award({ awardKey: 'CONT_AWD_B', recipient: { name: 'b' } }), award({ awardKey: 'CONT_AWD_A', recipient: { name: 'a' } })];
    expect(dedupeAwards(input).map((a) => a.awardKey)).toEqual(['CONT_AWD_A', 'CONT_AWD_B']);
    expect(input.map((a) => a.awardKey)).toEqual(['CONT_AWD_B', 'CONT_AWD_A']);
  });
});

describe('agencyScope', () => {
  it('counts an award by the code or the sub-agency name (any case, spaces around), and trusts a source that names none', () => {
    const inScope = agencyScope({ agencies: [{ name: 'U.S. Immigration and Customs Enforcement', toptier: 'Department of Homeland Security', code: '7012' }] } as unknown as Config);
    const of = (extra: Partial<AwardRecord>) => inScope(award({ recipient: { name: 'x' }, awardingAgencyCode: undefined, awardingSubAgency: undefined, ...extra }));
    expect(of({ awardingAgencyCode: '7012', awardingSubAgency: 'anything' })).toBe(true);
    expect(of({ awardingSubAgency: '  u.s. immigration and customs enforcement ' })).toBe(true);
    // Asked twice: the cached answer is the same.
    expect(of({ awardingSubAgency: '  u.s. immigration and customs enforcement ' })).toBe(true);
    expect(of({ awardingAgencyCode: '7014', awardingSubAgency: 'U.S. Customs and Border Protection' })).toBe(false);
    expect(of({ awardingAgencyCode: '7014' })).toBe(false);
    expect(of({})).toBe(true);
  });
});
