/**
 * The whole site as a list of files (path relative to the site root → content), a pure function of the
 * site model: same inputs, same bytes. To add a page: render its body in pages/, add it to `pages`
 * below, and (for the menu) to NAV in layout.ts.
 */
import { readFileSync } from 'node:fs';
import { fiscalYearChartSvg } from './chart.ts';
import { LinkPolicy, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { buildSiteModel, type SiteInputs } from './model.ts';
import { renderChanges } from './pages/changes.ts';
import type { PageContext } from './pages/common.ts';
import { renderCompany } from './pages/company.ts';
import { EMBED_LISTS, renderEmbed } from './pages/embed.ts';
import { renderHome } from './pages/home.ts';
import { renderChangelog, renderSources } from './pages/sources.ts';
import type { LazyText } from '../util/atomic-fs.ts';
import { repoPath } from '../util/repo-root.ts';

export interface SiteFile {
  path: string;
  content: string;
}

/** A site file whose page is rendered when it is written (a company page at full history is large). */
export interface LazySiteFile {
  path: string;
  content: string | LazyText;
}

export const SITE_ASSETS = ['site.css', 'site.js', 'embed.js', 'icon.svg'];

function asset(name: string): string {
  return readFileSync(repoPath('scripts', 'site', 'assets', name), 'utf8');
}

interface PageSpec {
  path: string;
  title: string;
  body: (ctx: PageContext) => SafeHtml;
  scripts?: string[];
  bare?: boolean;
}

export async function renderSite(inputs: SiteInputs): Promise<SiteFile[]> {
  return (await renderSiteLazily(inputs)).map((f) => ({ path: f.path, content: typeof f.content === 'string' ? f.content : f.content.render() }));
}

/** The site's files in path order, pages as renderers: the same bytes as renderSite, one page at a time. */
export async function renderSiteLazily(inputs: SiteInputs): Promise<LazySiteFile[]> {
  const model = buildSiteModel(inputs);
  const ctx: PageContext = { model, links: new LinkPolicy(model.curatedHosts) };
  const pages: PageSpec[] = [
    { path: 'index.html', title: 'Companies with ICE contracts', body: renderHome, scripts: ['site.js'] },
    { path: 'changes.html', title: 'Changes', body: renderChanges },
    { path: 'sources.html', title: 'Sources and downloads', body: renderSources, scripts: ['site.js'] },
    ...(model.changelogMarkdown ? [{ path: 'changelog.html', title: 'Changelog of the data format', body: () => renderChangelog(model.changelogMarkdown!) }] : []),
    ...EMBED_LISTS.map((list) => ({ path: `embed/${list}.html`, title: `List: ${list}`, body: (c: PageContext) => renderEmbed(list, c), bare: true })),
    ...model.companies.map((view) => ({
      path: `company/${view.company.id}.html`,
      title: view.company.name,
      body: (c: PageContext) => renderCompany(view, c),
    })),
  ];
  const files: LazySiteFile[] = pages.map((p) => ({
    path: p.path,
    content: { render: () => page({ path: p.path, title: p.title, body: p.body(ctx), scripts: p.scripts, bare: p.bare }) },
  }));
  for (const view of model.companies) {
    const fy = view.company.ice.byFiscalYear;
    if (fy && fy.length > 0) {
      const path = `charts/${view.company.id}-fiscal-years.svg`;
      files.push({ path, content: await fiscalYearChartSvg(view.company.name, fy, await inputs.previousFile?.(path)) });
    }
  }
  files.push(...SITE_ASSETS.map((name) => ({ path: `assets/${name}`, content: asset(name) })));
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
