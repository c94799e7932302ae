import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChangesAtom } from '../../scripts/feeds/changes-feed.ts';
import { changesFeedSchema, type ChangesFeed } from '../../scripts/publish/published-schema.ts';
import { assertAtom } from './atom-assert.ts';

const feed: ChangesFeed = {
  $schema: 'https://icewatch.github.io/icewatch/v1/schema/changes.schema.json',
  schemaVersion: '1.0.0',
  entries: [
    {
      asOf: '2026-11-27',
      companiesProposed: [{ id: 'acme', name: 'ACME <img src=x onerror=alert(1)> & Sons', awards: 1 }],
      statusChanges: [{ id: 'deloitte', from: 'ended', to: 'active' }],
      newAwards: [{ id: 'deloitte', awardKey: 'CONT_AWD_X', obligated: 10.5, url: 'https://www.usaspending.gov/award/CONT_AWD_X' }],
      listChanges: [{ source: 'techqueria', list: 'declined', added: ['\u202eevil\u0007'], removed: [] }],
    },
    { asOf: '2021-03-22', companiesProposed: [], statusChanges: [], newAwards: [], listChanges: [{ source: 'techqueria', list: 'declined', added: [], removed: ['Amazon'] }] },
  ],
};

describe('changes.xml', () => {
  it('has one valid Atom entry per run, with ids from the run date, and escapes outside text', () => {
    const xml = renderChangesAtom(feed, '2026-11-27');
    const atom = assertAtom(xml);
    expect(atom.entryIds).toEqual(['tag:icewatch.github.io,2026:changes/2026-11-27', 'tag:icewatch.github.io,2026:changes/2021-03-22']);
    expect(atom.updated).toBe('2026-11-27T00:00:00Z');
    expect(xml).toContain('<title>2026-11-27: 1 new ICE award, 1 status change, 1 company proposed, 1 watchdog list change</title>');
    expect(xml).toContain('ACME &lt;img src=x onerror=alert(1)&gt; &amp; Sons');
    expect(xml).not.toMatch(/[\u202e\u0007]/);
    expect(renderChangesAtom(feed, '2030-01-01')).toBe(xml);
  });

  it('an empty feed is still valid Atom', () => {
    expect(assertAtom(renderChangesAtom({ ...feed, entries: [] }, '2026-01-01'))).toEqual({ entryIds: [], updated: '2026-01-01T00:00:00Z' });
  });

  it('the published changes.xml is the Atom view of the published changes.json', async () => {
    const dir = resolve(import.meta.dirname, '../../data/published/v1');
    const json = changesFeedSchema.parse(JSON.parse(await readFile(resolve(dir, 'changes.json'), 'utf8')));
    const xml = await readFile(resolve(dir, 'changes.xml'), 'utf8');
    expect(assertAtom(xml).entryIds).toHaveLength(json.entries.length);
    expect(xml).toBe(renderChangesAtom(json, JSON.parse(await readFile(resolve(dir, 'companies.json'), 'utf8')).asOf));
  });
});
