import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MentionRecord } from '../../../scripts/records.ts';
import { readSnapshot, snapshotPaths } from '../../../scripts/snapshots/store.ts';
import { updateSource } from '../../../scripts/snapshots/update-source.ts';
import { LISTS_REMOVED, parseTechqueriaPage, techqueriaSource } from '../../../scripts/sources/techqueria/index.ts';
import { TECHQUERIA_PAGE_URL, TECHQUERIA_SOURCE_URL } from '../../../scripts/sources/techqueria/schema.ts';
import { SourceFormatError, SourceUnavailableError } from '../../../scripts/util/errors.ts';
import type { HttpClient, HttpRequest } from '../../../scripts/util/http.ts';
import { escapeMarkdown } from '../../../scripts/util/sanitize.ts';
import { ownFixture, sharedFixture } from '../../helpers/shared-fixtures.ts';
import { renderSitePage } from '../watchdog/render-html.ts';

const VERSIONS = {
  '2020-02-17': 'watchdogs/techqueria/no-tech-for-ice.2020-02-17.ea48a571.with-never-reached-out.md',
  '2020-02-27': 'watchdogs/techqueria/no-tech-for-ice.2020-02-27.a128a908.with-clearview-palantir.md',
  '2020-07-12': 'watchdogs/techqueria/no-tech-for-ice.2020-07-12.30836c02.last-with-lists.md',
  '2020-10-26': 'watchdogs/techqueria/no-tech-for-ice.2020-10-26.b060c0e8.lists-removed.md',
  '2021-03-22': 'watchdogs/techqueria/no-tech-for-ice.2021-03-22.bfc27f28.current-no-lists.md',
} as const;

const read = (path: string) => readFile(path, 'utf8');

// Evidence links exactly as the page sources give them.
const LINKS = {
  Accenture: 'https://gizmodo.com/accenture-employees-demand-their-company-break-ties-wit-1830474961',
  Amazon: 'https://www.technologyreview.com/s/612335/amazon-is-the-invisible-backbone-behind-ices-immigration-crackdown/',
  'Booz Allen Hamilton': 'https://www.vice.com/en_us/article/a358x4/booz-allen-hamilton-is-making-millions-working-with-ice',
  Google: 'https://www.usatoday.com/story/tech/2019/08/15/google-ice-protest-employees-push-avoid-work-border-groups/2026760001/',
  'Northeastern University':
    'https://www.bostonglobe.com/metro/2018/07/05/northeastern-university-comes-under-fire-for-receiving-millions-from-ice-through-research-contract/wxaLAr1QmpYeocqNOY29fI/story.html',
  Salesforce: 'https://eastbaymajority.com/marc-benioff-salesforce-ice-homeland-security/',
  Twitch: 'https://en.wikipedia.org/wiki/Twitch_(service)#Amazon_subsidiary_(2014%E2%80%93present)',
  GitHub: 'https://techcrunch.com/2019/11/13/github-faces-more-resignations-in-light-of-ice-contract/',
  'AT&T': 'https://www.vice.com/en_us/article/8xwkxb/att-has-received-dollar14-million-from-ice-this-year',
  Comcast: 'https://money.com/organizations-doing-business-with-ice/',
  Dell: 'https://www.vice.com/en_us/article/ywa8nb/dell-has-made-dollar15-million-working-with-ice-this-year',
  Deloitte: 'https://www.vice.com/en_us/article/z3bbk9/deloitte-has-made-dollar42-million-working-with-ice-in-2019',
  IBM: 'https://www.reuters.com/article/us-ibm-immigration/ibm-urged-to-avoid-working-on-extreme-vetting-of-u-s-immigrants-idUSKBN1DG1VT',
  McKinsey: 'https://www.nytimes.com/2019/12/03/us/mckinsey-ICE-immigration.html',
  Microsoft: 'https://www.nytimes.com/2018/07/26/technology/microsoft-ice-immigration.html',
  MongoDB: 'https://news.ycombinator.com/item?id=21778570',
  Oracle: 'https://www.nationalimmigrationproject.org/PDFs/community/2018_23Oct_whos-behind-ice.pdf',
  Palantir: 'https://www.businessinsider.com/activist-group-targets-palantir-over-controversial-ice-raid-2019-10',
  Servicenow: 'https://community.servicenow.com/community?id=community_question&sys_id=3b0d4b69db9cdbc01dcaf3231f961919',
  Wayfair: 'https://www.npr.org/2019/06/26/736308620/wayfair-employees-protest-sale-of-furniture-to-migrant-detention-center',
  'Clearview AI': 'https://www.buzzfeednews.com/amphtml/ryanmac/clearview-ai-fbi-ice-global-law-enforcement',
} as const;

function m(list: string, name: string, evidenceUrl: string): MentionRecord {
  return { recordType: 'mention', source: 'techqueria', list, name, url: TECHQUERIA_PAGE_URL, evidenceUrl };
}

/** Records in snapshot order (list, then lower-cased name). */
function expected(lists: Record<string, Array<[string, string]>>): MentionRecord[] {
  return Object.entries(lists)
    .flatMap(([list, entries]) => entries.map(([name, url]) => m(list, name, url)))
    .sort((a, b) => {
      const ka = `${a.list}\u0000${a.name.toLowerCase()}`;
      const kb = `${b.list}\u0000${b.name.toLowerCase()}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
}

const pick = (...names: Array<keyof typeof LINKS>): Array<[string, string]> => names.map((n) => [n, LINKS[n]]);

describe('techqueria: the five recorded versions', () => {
  it('2020-02-17: Declined 7, Past Partners 1, Never Reached Out 12', async () => {
    const result = parseTechqueriaPage(await read(sharedFixture(VERSIONS['2020-02-17'])), { file: 'v1' });
    expect(result.state).toBeUndefined();
    expect(result.lists).toEqual(['declined', 'past-partners', 'never-reached-out']);
    expect(result.rowIssues).toEqual([]);
    expect(result.records).toEqual(
      expected({
        declined: pick('Accenture', 'Amazon', 'Booz Allen Hamilton', 'Google', 'Northeastern University', 'Salesforce', 'Twitch'),
        'past-partners': pick('GitHub'),
        'never-reached-out': pick('AT&T', 'Comcast', 'Dell', 'Deloitte', 'IBM', 'McKinsey', 'Microsoft', 'MongoDB', 'Oracle', 'Palantir', 'Servicenow', 'Wayfair'),
      }),
    );
  });

  it('2020-02-27 (unmerged branch): Clearview AI and Palantir declined, Google a past partner, no Never Reached Out', async () => {
    const result = parseTechqueriaPage(await read(sharedFixture(VERSIONS['2020-02-27'])), { file: 'v2' });
    expect(result.state).toBeUndefined();
    expect(result.lists).toEqual(['declined', 'past-partners']);
    expect(result.rowIssues).toEqual([]);
    expect(result.records).toEqual(
      expected({
        declined: [
          ...pick('Accenture', 'Amazon', 'Clearview AI', 'Booz Allen Hamilton', 'Northeastern University'),
          // This branch linked Palantir to Wikipedia, not to the article the other versions use.
          ['Palantir', 'https://en.wikipedia.org/wiki/Palantir_Technologies/'],
          ...pick('Salesforce', 'Twitch'),
        ],
        'past-partners': pick('GitHub', 'Google'),
      }),
    );
  });

  it('2020-07-12: the last version with lists', async () => {
    const result = parseTechqueriaPage(await read(sharedFixture(VERSIONS['2020-07-12'])), { file: 'v3' });
    expect(result.state).toBeUndefined();
    expect(result.lists).toEqual(['declined', 'past-partners']);
    expect(result.records).toEqual(
      expected({
        declined: pick('Accenture', 'Amazon', 'Booz Allen Hamilton', 'Salesforce', 'Twitch'),
        'past-partners': pick('GitHub', 'Google'),
      }),
    );
  });

  it('2020-10-26: landmarks kept, lists gone → the real state lists-removed', async () => {
    const result = parseTechqueriaPage(await read(sharedFixture(VERSIONS['2020-10-26'])), { file: 'v4' });
    expect(result).toEqual({ records: [], rowIssues: [], state: LISTS_REMOVED, lists: [] });
  });

  it('2021-03-22: renamed "No Tech For ICE Policy", no lists section at all → lists-removed', async () => {
    const result = parseTechqueriaPage(await read(sharedFixture(VERSIONS['2021-03-22'])), { file: 'v5' });
    expect(result).toEqual({ records: [], rowIssues: [], state: LISTS_REMOVED, lists: [] });
  });

  it('parses through the source definition from a RawInput on disk', async () => {
    const path = sharedFixture(VERSIONS['2020-07-12']);
    const result = await techqueriaSource.parse([{ path, origin: 'recording.md', retrievedAt: '2026-01-01T00:00:00Z' }], { log: () => {} });
    expect(result.records).toHaveLength(7);
    await expect(techqueriaSource.parse([], { log: () => {} })).rejects.toBeInstanceOf(SourceFormatError);
  });
});

describe('techqueria: the live HTML page gives the same records as its Markdown source', () => {
  for (const [date, path] of Object.entries(VERSIONS)) {
    it(date, async () => {
      const markdown = await read(sharedFixture(path));
      const html = renderSitePage(markdown, 'Techqueria');
      const fromMarkdown = parseTechqueriaPage(markdown, { file: 'md' });
      const fromHtml = parseTechqueriaPage(html, { file: 'html', contentType: 'text/html; charset=utf-8' });
      expect(fromHtml.records).toEqual(fromMarkdown.records);
      expect(fromHtml.state).toBe(fromMarkdown.state);
      expect(fromHtml.lists).toEqual(fromMarkdown.lists);
      expect(fromHtml.rowIssues).toEqual([]);
    });
  }
});

describe('techqueria: a broken page is an error, never an empty list', () => {
  it('list headings that lost their markup', async () => {
    const text = await read(ownFixture('watchdogs/techqueria-headings-flattened.md'));
    expect(() => parseTechqueriaPage(text, { file: 'flattened.md' })).toThrowError(
      expect.objectContaining({
        name: 'SourceFormatError',
        details: { file: 'flattened.md', line: 16, path: 'section "Companies Supporting ICE"' },
      }),
    );
  });

  it('a page without the title landmark (another page, or a redesign)', async () => {
    const text = (await read(sharedFixture(VERSIONS['2020-07-12']))).replace('title: "No Tech For ICE"', 'title: "Partnerships"');
    expect(() => parseTechqueriaPage(text, { file: 'x.md' })).toThrowError(/page title "No Tech For ICE" not found \(titles seen: "Partnerships"\)/);
  });

  it('a page with the title but neither section landmark', async () => {
    const text = (await read(sharedFixture(VERSIONS['2020-10-26']))).replace('## Companies Supporting ICE', '## Companies').replace('### Call to Action', '### What you can do');
    expect(() => parseTechqueriaPage(text, { file: 'x.md' })).toThrowError(SourceFormatError);
  });

  it('a list heading whose list turned into a paragraph', async () => {
    const text = (await read(sharedFixture(VERSIONS['2020-07-12']))).replace('- [GitHub]', '[GitHub]').replace('- [Google]', '[Google]');
    expect(() => parseTechqueriaPage(text, { file: 'x.md' })).toThrowError(/the "Past Partners" heading has no list under it/);
  });

  it('keeps the last good snapshot untouched when the new page is broken', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-techqueria-'));
    try {
      const now = new Date('2026-03-01T00:00:00Z');
      const first = await updateSource({ source: techqueriaSource, dataDir, from: [sharedFixture(VERSIONS['2020-02-17'])], now });
      expect(first.records).toHaveLength(20);
      const paths = snapshotPaths(dataDir, 'techqueria');
      const before = [await read(paths.records), await read(paths.meta)];

      await expect(
        updateSource({ source: techqueriaSource, dataDir, from: [ownFixture('watchdogs/techqueria-headings-flattened.md')], now: new Date('2026-03-02T00:00:00Z') }),
      ).rejects.toThrowError(SourceFormatError);

      expect([await read(paths.records), await read(paths.meta)]).toEqual(before);
      expect((await readSnapshot(dataDir, 'techqueria'))?.records).toHaveLength(20);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('lists-removed replaces the snapshot with no records and records the state', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-techqueria-'));
    try {
      await updateSource({ source: techqueriaSource, dataDir, from: [sharedFixture(VERSIONS['2020-07-12'])], now: new Date('2026-03-01T00:00:00Z') });
      const next = await updateSource({ source: techqueriaSource, dataDir, from: [sharedFixture(VERSIONS['2020-10-26'])], now: new Date('2026-03-02T00:00:00Z') });
      expect(next.records).toEqual([]);
      expect(next.removed).toBe(7);
      expect(next.meta.state).toBe('lists-removed');
      expect(next.meta.lists).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('techqueria: hostile content is neutralised', () => {
  it('Markdown source', async () => {
    const result = parseTechqueriaPage(await read(ownFixture('watchdogs/techqueria-hostile.md')), { file: 'hostile.md' });
    expect(result.records).toEqual([
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: '@octocat Industries', url: TECHQUERIA_PAGE_URL, evidenceUrl: 'https://example.com/news?id=1' },
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'Acme Holdings', url: TECHQUERIA_PAGE_URL, evidenceUrl: 'https://example.com/acme' },
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'Data Co', url: TECHQUERIA_PAGE_URL },
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'Evil Corp', url: TECHQUERIA_PAGE_URL },
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'Img Co', url: TECHQUERIA_PAGE_URL },
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'Null Co', url: TECHQUERIA_PAGE_URL, note: 'note with link' },
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'Tricky Co', url: TECHQUERIA_PAGE_URL },
      { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'Vbs Co', url: TECHQUERIA_PAGE_URL },
      { recordType: 'mention', source: 'techqueria', list: 'past-partners', name: 'Fine Co', url: TECHQUERIA_PAGE_URL, evidenceUrl: 'https://example.com/fine' },
    ]);
    // The empty <script></script> entry is reported, not turned into a record.
    expect(result.rowIssues).toEqual([{ file: 'hostile.md', line: 18, field: 'name', message: 'Declined: name has no letters or digits once markup is removed' }]);
    for (const record of result.records as MentionRecord[]) {
      expect(record.name).not.toMatch(/[<>[\]\u202a-\u202e\u2066-\u2069\u0000-\u001f]/);
      expect(record.name).not.toMatch(/javascript|script/i);
    }
    // Plain text still carries "@octocat"; every renderer escapes it so nobody is pinged.
    expect(escapeMarkdown('@octocat Industries')).toBe('@&#8203;octocat Industries');
  });

  it('live HTML page', async () => {
    const result = parseTechqueriaPage(await read(ownFixture('watchdogs/techqueria-hostile.html')), { file: 'hostile.html' });
    expect(result.records.map((r) => [(r as MentionRecord).list, (r as MentionRecord).name, (r as MentionRecord).evidenceUrl])).toEqual([
      ['declined', '@octocat Industries', 'https://example.com/news?id=1'],
      ['declined', 'Acme Holdings', 'https://example.com/acme'],
      ['declined', 'Escaped Co', undefined],
      ['declined', 'Evil Corp', undefined],
      ['declined', 'Img Co', undefined],
      // Relative links are resolved against the page, then kept as ordinary https links.
      ['declined', 'Relative Co', 'https://techqueria.org/relative/evidence'],
      ['declined', 'Spaced Co', undefined],
      ['past-partners', 'Fine Co', 'https://example.com/fine'],
    ]);
    expect(result.rowIssues).toEqual([{ file: 'hostile.html', line: 22, field: 'name', message: 'Declined: name has no letters or digits once markup is removed' }]);
  });

  it('a 1 MB name is capped and costs little', async () => {
    const page = (await read(sharedFixture(VERSIONS['2020-07-12']))).replace('- [GitHub]', `- [${'Ж'.repeat(1024 * 1024)}](https://example.com/huge)\n- [GitHub]`);
    const started = performance.now();
    const result = parseTechqueriaPage(page, { file: 'huge.md' });
    expect(performance.now() - started).toBeLessThan(5000);
    const huge = (result.records as MentionRecord[]).find((r) => r.evidenceUrl === 'https://example.com/huge');
    expect(huge?.name).toBe(`${'Ж'.repeat(199)}…`);
    expect(result.records).toHaveLength(8);
  });
});

describe('techqueria: fetch', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('falls back to the Markdown source on GitHub when the live page is gone, and only uses allowlisted hosts', async () => {
    const seen: HttpRequest[] = [];
    const markdown = await readFile(sharedFixture(VERSIONS['2021-03-22']));
    const http: HttpClient = {
      async request(req) {
        seen.push(req);
        if (req.url === TECHQUERIA_PAGE_URL) throw new SourceUnavailableError('techqueria', 'HTTP 404', { status: 404 });
        return { status: 200, url: req.url, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: markdown };
      },
      json: async () => {
        throw new Error('unused');
      },
      download: async () => {
        throw new Error('unused');
      },
    };
    const workDir = await mkdtemp(join(tmpdir(), 'icewatch-techqueria-fetch-'));
    dirs.push(workDir);
    const fetched = await techqueriaSource.fetch({ http, workDir, now: new Date('2026-03-01T00:00:00Z'), log: () => {} });
    expect(seen.map((r) => r.url)).toEqual([TECHQUERIA_PAGE_URL, TECHQUERIA_SOURCE_URL]);
    for (const req of seen) expect(techqueriaSource.hosts).toContain(new URL(req.url).hostname);
    expect(fetched.inputs).toHaveLength(1);
    expect(fetched.inputs[0]!.origin).toBe(TECHQUERIA_SOURCE_URL);
    const parsed = await techqueriaSource.parse(fetched.inputs, { log: () => {} });
    expect(parsed.state).toBe('lists-removed');
  });

  it('takes the live HTML page when it has the landmarks', async () => {
    const html = renderSitePage(await read(sharedFixture(VERSIONS['2020-02-17'])), 'Techqueria');
    const seen: string[] = [];
    const http: HttpClient = {
      async request(req) {
        seen.push(req.url);
        return { status: 200, url: req.url, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(html) };
      },
      json: async () => {
        throw new Error('unused');
      },
      download: async () => {
        throw new Error('unused');
      },
    };
    const workDir = await mkdtemp(join(tmpdir(), 'icewatch-techqueria-fetch-'));
    dirs.push(workDir);
    const fetched = await techqueriaSource.fetch({ http, workDir, now: new Date('2026-03-01T00:00:00Z'), log: () => {} });
    expect(seen).toEqual([TECHQUERIA_PAGE_URL]);
    expect(fetched.inputs[0]).toMatchObject({ origin: TECHQUERIA_PAGE_URL, contentType: 'text/html; charset=utf-8', status: 200 });
    const parsed = await techqueriaSource.parse(fetched.inputs, { log: () => {} });
    expect(parsed.records).toHaveLength(20);
  });
});
