/**
 * The generated site as files: deterministic, wired into publish (atomic group, nothing rewritten when
 * nothing changed, pages of removed companies pruned), strict about markup and links, and the
 * fiscal-year chart when companies.json carries `ice.byFiscalYear`.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import * as cheerio from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { planFromDisk, publishOutputs } from '../../scripts/pipeline/run.ts';
import type { Attribution } from '../../scripts/plan/attribute.ts';
import { publishedCompaniesSchema } from '../../scripts/publish/published-schema.ts';
import { loadValidRegistry } from '../../scripts/registry/load.ts';
import { LinkPolicy } from '../../scripts/site/html.ts';
import { CSP } from '../../scripts/site/layout.ts';
import type { SiteCompanies } from '../../scripts/site/model.ts';
import { renderSite } from '../../scripts/site/render-site.ts';
import { MAX_AWARDS_SHOWN } from '../../scripts/site/pages/company.ts';
import { award, direct } from '../plan/fixtures.ts';
import { buildHostileSite, buildRepoSite, NOW, type BuiltSite } from './site-fixtures.ts';

async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p).split(sep).join('/'), await readFile(p, 'utf8'));
    }
  }
  await walk(dir);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const ALLOWED = new LinkPolicy([]);

/** Hosts of the links the registry's maintainers curated (https only, by the registry's schema). */
async function curatedHosts(dataDir: string): Promise<string[]> {
  const { registry } = await loadValidRegistry(dataDir);
  return registry.companies.flatMap((c) => [c.website, ...c.evidence.map((e) => e.url), ...(c.partnership ?? []).map((p) => p.source)]).filter((u): u is string => Boolean(u)).map((u) => new URL(u).hostname);
}

function expectStrictPage(path: string, text: string, extraHosts: string[] = []): void {
  const $ = cheerio.load(text);
  expect($('meta[http-equiv="Content-Security-Policy"]').attr('content'), path).toBe(CSP);
  expect(CSP).not.toMatch(/unsafe|\*|https?:/);
  $('script').each((_, el) => expect($(el).attr('src'), `${path}: inline script`).toMatch(/^(\.\.\/)*assets\/[a-z-]+\.js$/));
  expect($('style').length + $('[style]').length, `${path}: inline style`).toBe(0);
  $('*').each((_, el) => {
    for (const name of Object.keys((el as { attribs?: Record<string, string> }).attribs ?? {})) expect(name, `${path}: event handler attribute`).not.toMatch(/^on/i);
  });
  $('[href],[src]').each((_, el) => {
    const value = $(el).attr('href') ?? $(el).attr('src')!;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) {
      // Relative: inside the deployed root (v1 data or the site), never protocol-relative.
      expect(value, path).not.toMatch(/^\/\//);
      return;
    }
    const url = new URL(value);
    expect(url.protocol, `${path}: ${value}`).toBe('https:');
    expect(ALLOWED.href(value) !== undefined || extraHosts.includes(url.hostname), `${path}: ${value} not an allowed host`).toBe(true);
  });
  expect(text, `${path}: control or bidi character`).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/);
}

describe('the generated site', () => {
  let repo: BuiltSite;
  let files: Map<string, string>;
  beforeAll(async () => {
    repo = await buildRepoSite();
    files = await tree(join(repo.dataDir, 'published', 'site'));
  }, 60_000);

  it('has every page type, only HTML/CSS/JS/SVG, and no file named like one in v1/', async () => {
    const data = publishedCompaniesSchema.parse(JSON.parse(await readFile(join(repo.dataDir, 'published', 'v1', 'companies.json'), 'utf8')));
    const v1 = await tree(join(repo.dataDir, 'published', 'v1'));
    for (const path of ['index.html', 'changes.html', 'sources.html', 'changelog.html', 'embed/declined.html', 'embed/past-partner.html', 'embed/active.html', 'assets/site.js', 'assets/site.css', 'assets/embed.js']) {
      expect(files.has(path), path).toBe(true);
    }
    for (const c of data.companies) expect(files.has(`company/${c.id}.html`), c.id).toBe(true);
    for (const path of files.keys()) {
      expect(path).toMatch(/\.(html|css|js|svg)$/);
      expect(v1.has(path), path).toBe(false);
    }
    // The downloads page links every published data file, relatively.
    const $ = cheerio.load(files.get('sources.html')!);
    const hrefs = new Set($('a[href]').map((_, a) => $(a).attr('href')).get());
    for (const path of v1.keys()) if (!path.endsWith('.md')) expect(hrefs.has(path), path).toBe(true);
  });

  it('every page: the strict CSP, no inline script or style, no event handler, links only https to allowed hosts', async () => {
    const hosts = await curatedHosts(repo.dataDir);
    for (const [path, text] of files) if (path.endsWith('.html')) expectStrictPage(path, text, hosts);
  });

  it('the same inputs give the same bytes, and publishing again writes nothing', async () => {
    const again = await buildRepoSite();
    expect(await tree(join(again.dataDir, 'published', 'site'))).toEqual(files);
    const asOf = (JSON.parse(await readFile(join(again.dataDir, 'published', 'v1', 'companies.json'), 'utf8')) as { asOf: string }).asOf;
    const context = await planFromDisk({ dataDir: again.dataDir, asOf, now: NOW, log: () => {} });
    expect(await publishOutputs(again.dataDir, context, NOW, true)).toEqual([]);
  }, 60_000);

  it('a company taken out of the registry loses its page; other files in the folder are left alone', async () => {
    const site = await buildRepoSite();
    const siteDir = join(site.dataDir, 'published', 'site');
    await writeFile(join(siteDir, 'CNAME'), 'example.org\n');
    await rm(join(site.dataDir, 'registry', 'companies', 'clearview-ai.yaml'));
    const asOf = (JSON.parse(await readFile(join(site.dataDir, 'published', 'v1', 'companies.json'), 'utf8')) as { asOf: string }).asOf;
    const context = await planFromDisk({ dataDir: site.dataDir, asOf, now: NOW, log: () => {} });
    const written = await publishOutputs(site.dataDir, context, NOW, true);
    expect(written).toContain(join(siteDir, 'company', 'clearview-ai.html'));
    const after = await tree(siteDir);
    expect(after.has('company/clearview-ai.html')).toBe(false);
    expect(after.get('CNAME')).toBe('example.org\n');
    expect(after.get('index.html')).not.toContain('clearview-ai');
  }, 60_000);

  it('draws obligations by fiscal year as a static SVG with the figures as a table, when companies.json has them', async () => {
    const data = publishedCompaniesSchema.parse(JSON.parse(await readFile(join(repo.dataDir, 'published', 'v1', 'companies.json'), 'utf8'))) as SiteCompanies;
    const geo = data.companies.find((c) => c.id === 'geo-group')!;
    // Palantir stands for a company without the figures.
    const palantir = data.companies.find((c) => c.id === 'palantir')!;
    palantir.ice.byFiscalYear = [];
    geo.ice.byFiscalYear = [
      { fiscalYear: 2019, obligated: 1_250_000.5, transactions: 4, complete: true },
      { fiscalYear: 2020, obligated: 3_400_000, transactions: 9, complete: true },
      { fiscalYear: 2021, obligated: -20_000, transactions: 1, complete: false },
    ];
    const empty: Attribution = { awards: new Map(), resellerAwards: new Map(), mentions: new Map(), review: [], unmatchedAwards: [], unmatchedMentions: [] };
    const inputs = { companies: data, registry: { companies: [], byId: new Map(), dismissed: [] }, attribution: empty, downloads: ['companies.json'] };
    const first = await renderSite(inputs);
    const second = await renderSite(inputs);
    expect(second).toEqual(first);
    const svg = first.find((f) => f.path === 'charts/geo-group-fiscal-years.svg')?.content;
    expect(svg).toBeDefined();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|<foreignObject|on[a-z]+=|javascript:|href="http/i);
    expect((svg!.match(/role-mark/g) ?? []).length).toBeGreaterThan(0);
    expect(svg).toContain('FY2021');
    const page = cheerio.load(first.find((f) => f.path === 'company/geo-group.html')!.content);
    expect(page('figure.chart img').attr('src')).toBe('../charts/geo-group-fiscal-years.svg');
    expect(page('figure.chart img').attr('alt')).toMatch(/FY2019 to FY2021/);
    expect(page('#fy-table').closest('table').find('tbody tr').length).toBe(3);
    expect(page('#fy-table').closest('table').text()).toContain('≥ -$20,000.00');
    // Companies without the figures get no chart and no empty section.
    expect(first.some((f) => f.path === 'charts/palantir-fiscal-years.svg')).toBe(false);
    expect(first.find((f) => f.path === 'company/palantir.html')!.content).not.toContain('fy-title');
  });

  it('a company with thousands of awards gets a page of bounded size', async () => {
    const data = publishedCompaniesSchema.parse(JSON.parse(await readFile(join(repo.dataDir, 'published', 'v1', 'companies.json'), 'utf8'))) as SiteCompanies;
    const many = Array.from({ length: 2500 }, (_, i) => ({
      award: award({ piid: `70CMSD${String(i).padStart(5, '0')}`, recipient: { name: 'GEO GROUP INC' }, start: '2020-01-01', end: i === 7 ? '2030-01-01' : '2021-01-01', amounts: { obligated: i } }),
      match: direct('geo-group'),
    }));
    const attribution: Attribution = { awards: new Map([['geo-group', many]]), resellerAwards: new Map(), mentions: new Map(), review: [], unmatchedAwards: [], unmatchedMentions: [] };
    const files = await renderSite({ companies: data, registry: { companies: [], byId: new Map(), dismissed: [] }, attribution, downloads: [] });
    const text = files.find((f) => f.path === 'company/geo-group.html')!.content;
    const $ = cheerio.load(text);
    expect($('table.awards tbody tr').length).toBe(MAX_AWARDS_SHOWN);
    // The active award first, then the largest.
    expect($('table.awards tbody tr').first().text()).toContain('70CMSD00007');
    expect($('table.awards tbody tr').eq(1).text()).toContain('70CMSD02499');
    expect($('p.note a[href="../awards.csv"]').parent().text()).toContain('2300 more awards');
    expect(Buffer.byteLength(text)).toBeLessThan(256 * 1024);
  });

  it('the changes page says when a feed entry lists only the largest of its items', async () => {
    const data = publishedCompaniesSchema.parse(JSON.parse(await readFile(join(repo.dataDir, 'published', 'v1', 'companies.json'), 'utf8'))) as SiteCompanies;
    const empty: Attribution = { awards: new Map(), resellerAwards: new Map(), mentions: new Map(), review: [], unmatchedAwards: [], unmatchedMentions: [] };
    const newAwards = Array.from({ length: 3 }, (_, i) => ({ id: 'geo-group', awardKey: `CONT_AWD_${i}`, obligated: 100 - i, url: `https://www.usaspending.gov/award/CONT_AWD_${i}` }));
    const changes = {
      $schema: 'https://example.org/changes.schema.json',
      schemaVersion: '1.2.0',
      entries: [
        {
          asOf: '2026-12-01',
          companiesProposed: [{ id: 'newco', name: 'NEWCO', awards: 4 }],
          companiesProposedCount: 40,
          statusChanges: [],
          newAwards,
          newAwardCount: 90_000,
          listChanges: [{ source: 'watchdog', list: 'companies', added: ['A Inc'], addedCount: 5000, removed: [] }],
        },
      ],
    };
    const files = await renderSite({ companies: data, registry: { companies: [], byId: new Map(), dismissed: [] }, attribution: empty, downloads: [], changes });
    const $ = cheerio.load(files.find((f) => f.path === 'changes.html')!.content);
    const text = $('section.change').text();
    expect(text).toContain('The 3 largest by obligated of 90000 new awards');
    expect(text).toContain('The 1 largest by awards of 40 companies proposed');
    expect(text).toContain('added A Inc and 4999 more');
    expect($('section.change li').length).toBe(5);
  });

  it('hostile text stays text on every page', async () => {
    const hostile = await buildHostileSite();
    const pages = await tree(join(hostile.dataDir, 'published', 'site'));
    for (const [path, text] of pages) {
      if (!path.endsWith('.html')) continue;
      expectStrictPage(path, text, ['example.org']);
      expect(text, path).not.toMatch(/<(img|iframe|object|embed|svg)\b/i);
      // The search form of the home page and the check page's own form are the only forms: none comes from outside text.
      expect((text.match(/<form\b/g) ?? []).length, path).toBe(path === 'index.html' || path === 'check.html' ? 1 : 0);
      expect(text, path).not.toMatch(/href="(javascript|data|vbscript):/i);
    }
    const acme = cheerio.load(pages.get('company/acme.html')!);
    expect(acme('h1').text()).toContain('<script>alert(1)</script>');
    // The watchdog page's link to a host nobody curated is never a link (the hostile text itself names
    // evil.example as plain words, which is fine).
    expect(acme('a[href*="evil.example"]').length).toBe(0);
    expect(pages.get('company/acme.html')).not.toContain('evil.example/track');
  }, 30_000);
});

describe('links', () => {
  it('keeps only https links to allowed hosts', () => {
    const links = new LinkPolicy(['www.nytimes.com']);
    expect(links.href('https://www.usaspending.gov/award/X')).toBe('https://www.usaspending.gov/award/X');
    expect(links.href('https://www.nytimes.com/a')).toBe('https://www.nytimes.com/a');
    for (const bad of ['javascript:alert(1)', 'http://www.usaspending.gov/', 'https://evil.example/', 'https://user:pw@www.usaspending.gov/', 'https://www.usaspending.gov:8443/', ' data:text/html,x', '//www.usaspending.gov/']) {
      expect(links.href(bad), bad).toBeUndefined();
    }
    expect(links.link('<b>x</b>', 'javascript:alert(1)').value).toBe('&lt;b&gt;x&lt;/b&gt;');
  });
});
