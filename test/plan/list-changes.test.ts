import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { diffLists, diffListVersions, listNameKey, type ListVersion } from '../../scripts/plan/list-changes.ts';
import type { MentionRecord } from '../../scripts/records.ts';
import { parseTechqueriaPage } from '../../scripts/sources/techqueria/index.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';

const TECHQUERIA_VERSIONS: Array<[string, string]> = [
  ['2020-02-17', 'watchdogs/techqueria/no-tech-for-ice.2020-02-17.ea48a571.with-never-reached-out.md'],
  ['2020-02-27', 'watchdogs/techqueria/no-tech-for-ice.2020-02-27.a128a908.with-clearview-palantir.md'],
  ['2020-07-12', 'watchdogs/techqueria/no-tech-for-ice.2020-07-12.30836c02.last-with-lists.md'],
  ['2020-10-26', 'watchdogs/techqueria/no-tech-for-ice.2020-10-26.b060c0e8.lists-removed.md'],
  ['2021-03-22', 'watchdogs/techqueria/no-tech-for-ice.2021-03-22.bfc27f28.current-no-lists.md'],
];

async function techqueriaVersions(): Promise<ListVersion[]> {
  const versions: ListVersion[] = [];
  for (const [date, path] of TECHQUERIA_VERSIONS) {
    const result = parseTechqueriaPage(await readFile(sharedFixture(path), 'utf8'), { file: path });
    versions.push({ label: date, records: result.records as MentionRecord[] });
  }
  return versions;
}

const mention = (source: string, list: string, name: string): MentionRecord => ({ recordType: 'mention', source, list, name });

describe('the five Techqueria versions applied in date order', () => {
  it('reports exactly what each step added and removed, per list', async () => {
    const steps = diffListVersions(await techqueriaVersions());
    expect(steps).toEqual([
      {
        to: '2020-02-17',
        changes: [
          {
            source: 'techqueria',
            list: 'declined',
            added: ['Accenture', 'Amazon', 'Booz Allen Hamilton', 'Google', 'Northeastern University', 'Salesforce', 'Twitch'],
            removed: [],
            needsReview: false,
          },
          {
            source: 'techqueria',
            list: 'never-reached-out',
            added: ['AT&T', 'Comcast', 'Dell', 'Deloitte', 'IBM', 'McKinsey', 'Microsoft', 'MongoDB', 'Oracle', 'Palantir', 'Servicenow', 'Wayfair'],
            removed: [],
            needsReview: false,
          },
          { source: 'techqueria', list: 'past-partners', added: ['GitHub'], removed: [], needsReview: false },
        ],
      },
      {
        // The unmerged branch: Google moves from Declined to Past Partners, Clearview AI and Palantir are
        // declined, and the Never Reached Out list goes.
        from: '2020-02-17',
        to: '2020-02-27',
        changes: [
          { source: 'techqueria', list: 'declined', added: ['Clearview AI', 'Palantir'], removed: ['Google'], needsReview: true },
          {
            source: 'techqueria',
            list: 'never-reached-out',
            added: [],
            removed: ['AT&T', 'Comcast', 'Dell', 'Deloitte', 'IBM', 'McKinsey', 'Microsoft', 'MongoDB', 'Oracle', 'Palantir', 'Servicenow', 'Wayfair'],
            needsReview: true,
          },
          { source: 'techqueria', list: 'past-partners', added: ['Google'], removed: [], needsReview: false },
        ],
      },
      {
        from: '2020-02-27',
        to: '2020-07-12',
        changes: [{ source: 'techqueria', list: 'declined', added: [], removed: ['Clearview AI', 'Northeastern University', 'Palantir'], needsReview: true }],
      },
      {
        // All lists removed from the page.
        from: '2020-07-12',
        to: '2020-10-26',
        changes: [
          { source: 'techqueria', list: 'declined', added: [], removed: ['Accenture', 'Amazon', 'Booz Allen Hamilton', 'Salesforce', 'Twitch'], needsReview: true },
          { source: 'techqueria', list: 'past-partners', added: [], removed: ['GitHub', 'Google'], needsReview: true },
        ],
      },
      { from: '2020-10-26', to: '2021-03-22', changes: [] },
    ]);
  });

  it('skipping the unmerged branch, master went from the first version straight to the last with lists', async () => {
    const [first, , third] = await techqueriaVersions();
    expect(diffLists(first!.records, third!.records)).toEqual([
      { source: 'techqueria', list: 'declined', added: [], removed: ['Google', 'Northeastern University'], needsReview: true },
      {
        source: 'techqueria',
        list: 'never-reached-out',
        added: [],
        removed: ['AT&T', 'Comcast', 'Dell', 'Deloitte', 'IBM', 'McKinsey', 'Microsoft', 'MongoDB', 'Oracle', 'Palantir', 'Servicenow', 'Wayfair'],
        needsReview: true,
      },
      { source: 'techqueria', list: 'past-partners', added: ['Google'], removed: [], needsReview: false },
    ]);
  });
});

describe('diffLists', () => {
  it('compares on a normalized name: respelling is not a change', () => {
    const before = [mention('s', 'l', 'ServiceNow'), mention('s', 'l', 'AT&T'), mention('s', 'l', 'Booz Allen Hamilton')];
    const after = [mention('s', 'l', 'Servicenow'), mention('s', 'l', 'AT and T'), mention('s', 'l', 'Booz  Allen-Hamilton'), mention('s', 'l', 'Palantir USG')];
    expect(diffLists(before, after)).toEqual([{ source: 's', list: 'l', added: ['Palantir USG'], removed: [], needsReview: false }]);
    expect(listNameKey('Café  Société, Inc.')).toBe('cafe societe inc');
  });

  it('keeps sources and lists apart, sorted by source then list', () => {
    const before = [mention('b', 'x', 'Acme'), mention('a', 'y', 'Acme')];
    const after = [mention('b', 'y', 'Acme'), mention('a', 'x', 'Acme')];
    expect(diffLists(before, after).map((c) => [c.source, c.list, c.added, c.removed])).toEqual([
      ['a', 'x', ['Acme'], []],
      ['a', 'y', [], ['Acme']],
      ['b', 'x', [], ['Acme']],
      ['b', 'y', ['Acme'], []],
    ]);
  });

  it('compares only the sources in scope, so a failed source never reads as everything removed', () => {
    const before = [mention('ok', 'l', 'One'), mention('failed', 'l', 'Two')];
    const after = [mention('ok', 'l', 'One'), mention('ok', 'l', 'Three')];
    expect(diffLists(before, after, { sources: ['ok'] })).toEqual([{ source: 'ok', list: 'l', added: ['Three'], removed: [], needsReview: false }]);
    expect(diffLists(before, after).map((c) => [c.source, c.removed])).toEqual([
      ['failed', ['Two']],
      ['ok', []],
    ]);
  });

  it('ignores non-mention records and identical snapshots', () => {
    const award = { recordType: 'award' } as unknown as MentionRecord;
    const records = [mention('s', 'l', 'One'), award];
    expect(diffLists(records, [...records])).toEqual([]);
  });
});
