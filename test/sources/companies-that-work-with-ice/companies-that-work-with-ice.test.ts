import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MentionRecord } from '../../../scripts/records.ts';
import { updateSource } from '../../../scripts/snapshots/update-source.ts';
import { companiesThatWorkWithIceSource, parseCompaniesThatWorkWithIcePage } from '../../../scripts/sources/companies-that-work-with-ice/index.ts';
import { CTWWI_PAGE_URL, CTWWI_SOURCE_URL, usaspendingAwardRef } from '../../../scripts/sources/companies-that-work-with-ice/schema.ts';
import { SourceFormatError, SourceUnavailableError } from '../../../scripts/util/errors.ts';
import type { HttpClient } from '../../../scripts/util/http.ts';
import { ownFixture, sharedFixture } from '../../helpers/shared-fixtures.ts';
import { renderSitePage } from '../watchdog/render-html.ts';

const RECORDING = sharedFixture('watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md');
const read = (path: string) => readFile(path, 'utf8');

const base = { recordType: 'mention', source: 'companies-that-work-with-ice', list: 'listed', url: CTWWI_PAGE_URL } as const;

/** The entries that carry more than a bare name, exactly as the file gives them. */
const SPECIAL: MentionRecord[] = [
  { ...base, name: 'Adobe', evidenceUrl: 'https://www.usaspending.gov/#/award/68418194', awardRefs: ['68418194'] },
  { ...base, name: 'Computer Projects Of Illinois', note: 'AKA OpenFox', aliases: ['OpenFox'] },
  { ...base, name: 'Elastic', evidenceUrl: 'https://www.usaspending.gov/#/award/23851227', awardRefs: ['23851227'] },
  { ...base, name: 'GitHub', evidenceUrl: 'https://drive.google.com/file/d/1ljH74APGOTVl_dxs-H_f5M4YuvMUBfdq/view' },
  // The second link is written "#ward/83642945" in the list; its intent is clear and it is kept.
  { ...base, name: 'Jamf', evidenceUrl: 'https://www.usaspending.gov/#/award/66966931', awardRefs: ['66966931', '83642945'] },
  { ...base, name: 'Microsoft', note: 'Azure' },
  { ...base, name: 'MongoDB', evidenceUrl: 'https://www.usaspending.gov/#/award/23850856', awardRefs: ['23850856'] },
  { ...base, name: 'Oracle', evidenceUrl: 'https://www.usaspending.gov/#/award/68790978', awardRefs: ['68790978'] },
  { ...base, name: 'ServiceNow', evidenceUrl: 'https://www.usaspending.gov/#/award/68335553', awardRefs: ['68335553'] },
  { ...base, name: 'Snap', note: 'Va. based company not the maker of Snapchat' },
  { ...base, name: 'Splunk', evidenceUrl: 'https://www.usaspending.gov/#/award/83973448', awardRefs: ['83973448'] },
];

describe('companies-that-work-with-ice: the recording', () => {
  it('reads all 180 names; bare lines are exactly the names, the rest as listed above', async () => {
    const text = await read(RECORDING);
    const logs: string[] = [];
    const result = parseCompaniesThatWorkWithIcePage(text, { file: 'index.md', log: (m) => logs.push(m) });
    expect(result.rowIssues).toEqual([]);
    expect(result.lists).toEqual(['listed']);
    expect(result.state).toBeUndefined();
    expect(result.records).toHaveLength(180);

    // The bullet lines with no link and no bracket are names as they stand.
    const bare = text
      .split('\n')
      .filter((line) => line.startsWith('- ') && !/[[(]/.test(line))
      .map((line) => line.slice(2).trim());
    expect(bare).toHaveLength(180 - 13);
    const records = result.records as MentionRecord[];
    const byName = new Map(records.map((r) => [r.name, r]));
    for (const name of bare) expect(byName.get(name)).toEqual({ ...base, name });
    // Brackets inside a name are part of it.
    for (const name of ['Advanced Technologies And Laboratories (Atl) International', 'Getty Images (US) Inc']) expect(byName.get(name)).toEqual({ ...base, name });
    for (const special of SPECIAL) expect(byName.get(special.name)).toEqual(special);
    expect(records.length).toBe(bare.length + 2 + SPECIAL.length);

    // Sorted by key (case-insensitive name), so the snapshot is stable.
    expect(records.slice(0, 4).map((r) => r.name)).toEqual(['360 It Integrated Solutions', 'Accenture Federal Services', 'Actionable Intelligence Technologies', 'Acuity, Inc.']);
    expect(records.at(-1)?.name).toBe('Zayo Professional Services');
    expect(logs).toEqual(['companies-that-work-with-ice: Jamf: malformed usaspending.gov link https://www.usaspending.gov/#ward/83642945 read as award 83642945']);
  });

  it('the live page (an Eleventy build of the same Markdown) gives the same records', async () => {
    const markdown = await read(RECORDING);
    const fromMarkdown = parseCompaniesThatWorkWithIcePage(markdown, { file: 'index.md' });
    const fromHtml = parseCompaniesThatWorkWithIcePage(renderSitePage(markdown, 'Companies that work with ICE'), { file: 'index.html' });
    expect(fromHtml.records).toEqual(fromMarkdown.records);
    expect(fromHtml.rowIssues).toEqual([]);
  });
});

describe('companies-that-work-with-ice: other versions of the list', () => {
  it('the first published version (eight names)', async () => {
    const result = parseCompaniesThatWorkWithIcePage(await read(ownFixture('watchdogs/companies-that-work-with-ice.first-version.md')), { file: 'first.md' });
    expect(result.rowIssues).toEqual([]);
    expect(result.records).toEqual([
      { ...base, name: 'Amazon' },
      { ...base, name: 'Chef' },
      { ...base, name: 'Deloitte Gov' },
      { ...base, name: 'Enterprise' },
      { ...base, name: 'Microsoft', note: 'Azure' },
      { ...base, name: 'Ogilvy' },
      { ...base, name: 'Palantir' },
      { ...base, name: 'Wayfair' },
    ]);
  });

  it('an edited version: current award links, reference links, duplicates and empty entries', async () => {
    const result = parseCompaniesThatWorkWithIcePage(await read(ownFixture('watchdogs/companies-that-work-with-ice.edited.md')), { file: 'edited.md' });
    expect(result.records).toEqual([
      { ...base, name: 'Amazon' },
      {
        ...base,
        name: 'Example Analytics',
        evidenceUrl: 'https://www.usaspending.gov/award/CONT_AWD_70CDCR26FR0000014_7012_70CDCR25D00000002_7012',
        awardRefs: ['CONT_AWD_70CDCR26FR0000014_7012_70CDCR25D00000002_7012'],
      },
      {
        ...base,
        name: 'Example Federal Systems',
        note: 'formerly Example Gov',
        aliases: ['Example Gov'],
        evidenceUrl: 'https://www.usaspending.gov/#/award/12345678',
        awardRefs: ['12345678'],
      },
      { ...base, name: 'Example Search', evidenceUrl: 'https://www.usaspending.gov/search/?hash=abc' },
      { ...base, name: 'Getty Images (US) Inc' },
      { ...base, name: 'Palantir USG' },
    ]);
    expect(result.rowIssues).toEqual([
      { file: 'edited.md', line: 15, field: 'name', message: '"amazon" is listed twice; kept the first' },
      { file: 'edited.md', line: 16, field: 'name', message: 'name has no letters or digits once markup is removed' },
    ]);
  });

  it('imports through the snapshot updater, replacing the previous version (mode replace)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-ctwwi-'));
    try {
      const first = await updateSource({ source: companiesThatWorkWithIceSource, dataDir, from: [ownFixture('watchdogs/companies-that-work-with-ice.first-version.md')], now: new Date('2026-03-01T00:00:00Z') });
      expect(first.records).toHaveLength(8);
      const next = await updateSource({ source: companiesThatWorkWithIceSource, dataDir, from: [RECORDING], now: new Date('2026-03-02T00:00:00Z') });
      expect(next.records).toHaveLength(180);
      // Amazon, Chef, Deloitte Gov, Ogilvy, Wayfair and Microsoft (note Azure) are in both; Enterprise and Palantir are not.
      expect([next.added, next.updated, next.removed]).toEqual([174, 0, 2]);
      expect(next.meta.lists).toEqual(['listed']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('companies-that-work-with-ice: broken pages', () => {
  it('no "The Companies" heading', async () => {
    const text = (await read(RECORDING)).replace('## The Companies', 'The Companies:');
    expect(() => parseCompaniesThatWorkWithIcePage(text, { file: 'x.md' })).toThrowError(
      expect.objectContaining({ name: 'SourceFormatError', details: { file: 'x.md', path: 'section "The Companies"' } }),
    );
  });

  it('not the list page', async () => {
    const text = (await read(RECORDING)).replace('title: "Companies that work with ICE"', 'title: "Not found"');
    expect(() => parseCompaniesThatWorkWithIcePage(text, { file: 'x.md' })).toThrowError(/page title "Companies that work with ICE" not found/);
  });

  it('a heading with no list under it', () => {
    const text = '---\ntitle: Companies that work with ICE\n---\n\n## The Companies\n\nComing soon.\n';
    expect(() => parseCompaniesThatWorkWithIcePage(text, { file: 'x.md' })).toThrowError(/has no list under it/);
  });
});

describe('usaspendingAwardRef', () => {
  it('reads the old single-page-app form, the current form and the slip seen in the list', () => {
    expect(usaspendingAwardRef('https://www.usaspending.gov/#/award/68418194')).toEqual({ id: '68418194', malformed: false });
    expect(usaspendingAwardRef('https://www.usaspending.gov/award/CONT_IDV_70CMSD21D00000001_7012/')).toEqual({ id: 'CONT_IDV_70CMSD21D00000001_7012', malformed: false });
    expect(usaspendingAwardRef('https://usaspending.gov/award/CONT_AWD_A%2FB_7012')).toBeUndefined();
    expect(usaspendingAwardRef('https://www.usaspending.gov/#ward/83642945')).toEqual({ id: '83642945', malformed: true });
  });

  it('ignores other hosts and other pages', () => {
    expect(usaspendingAwardRef('https://example.com/#/award/68418194')).toBeUndefined();
    expect(usaspendingAwardRef('https://www.usaspending.gov/search/?hash=abc')).toBeUndefined();
    expect(usaspendingAwardRef('https://www.usaspending.gov/#ward/abc')).toBeUndefined();
    expect(usaspendingAwardRef('not a url')).toBeUndefined();
  });
});

describe('companies-that-work-with-ice: fetch', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('reads the Markdown source first and falls back to the live page', async () => {
    const html = renderSitePage(await read(RECORDING), 'Companies that work with ICE');
    const seen: string[] = [];
    const http: HttpClient = {
      async request(req) {
        seen.push(req.url);
        if (req.url === CTWWI_SOURCE_URL) throw new SourceUnavailableError('companies-that-work-with-ice', 'HTTP 503 (gave up after 5 attempts)', { status: 503 });
        return { status: 200, url: req.url, headers: { 'content-type': 'text/html' }, body: Buffer.from(html) };
      },
      json: async () => {
        throw new Error('unused');
      },
      download: async () => {
        throw new Error('unused');
      },
    };
    const workDir = await mkdtemp(join(tmpdir(), 'icewatch-ctwwi-fetch-'));
    dirs.push(workDir);
    const fetched = await companiesThatWorkWithIceSource.fetch({ http, workDir, now: new Date('2026-03-01T00:00:00Z'), log: () => {} });
    expect(seen).toEqual([CTWWI_SOURCE_URL, CTWWI_PAGE_URL]);
    for (const url of seen) expect(companiesThatWorkWithIceSource.hosts).toContain(new URL(url).hostname);
    const parsed = await companiesThatWorkWithIceSource.parse(fetched.inputs, { log: () => {} });
    expect(parsed.records).toHaveLength(180);
    await expect(companiesThatWorkWithIceSource.parse([...fetched.inputs, ...fetched.inputs], { log: () => {} })).rejects.toBeInstanceOf(SourceFormatError);
  });
});

describe('companies-that-work-with-ice: items written by hand', () => {
  it('keeps the company name alone; parentheticals and prose become notes, AKA aliases, links evidence', async () => {
    const result = parseCompaniesThatWorkWithIcePage(await read(ownFixture('watchdogs/companies-that-work-with-ice.hand-written.md')), { file: 'hand.md' });
    const mentions = result.records.flatMap((r) => (r.recordType === 'mention' ? [r] : []));
    expect(mentions).toHaveLength(result.records.length);
    const brief = mentions.map((r) => [r.name, r.note ?? null, r.aliases ?? null, r.evidenceUrl ?? null]);
    expect(brief).toEqual([
      ['Example Analytics, Inc.', 'data broker used by ERO …', null, 'https://example.com/report'],
      ['Example Broken Link', null, null, null],
      ['Example Cameras', 'formerly Example Video Inc.; body cameras', ['Example Video Inc'], 'https://example.com/cameras'],
      ['Example Cloud', "hosts ICE's case system", null, 'https://example.com/1'],
      ['Example Devices', 'which sells phone-extraction kits', null, null],
      ['Example Drones', 'sells drones to HSI, since 2023', null, null],
      ['Example Partial', 'note', null, null],
      ['Example Projects Of Illinois', 'AKA OpenExample', ['OpenExample'], null],
      ['Example Vision', 'a note', null, null],
      ['Getty Images (US) Inc', null, null, null],
    ]);
    // Never a note inside a name.
    for (const r of mentions) expect(r.name).not.toMatch(/[—:\[]|\bwhich\b|\(note|\(a note|AKA/);
    expect(result.rowIssues).toEqual([]);
  });
});
