/**
 * The publisher's hook: the site's files, from the same in-memory model the publisher just built for
 * companies.json and changes.json, written in the same atomic group. Pages (GitHub) serves v1/ and site/
 * merged at one root, so the site links to the data relatively.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Attribution } from '../plan/attribute.ts';
import { changesFeedSchema, type ChangesFeed } from '../publish/published-schema.ts';
import type { Registry } from '../registry/schema.ts';
import type { SiteCompanies } from './model.ts';
import { renderCheckSite } from '../check/site-page.ts';
import { renderSiteLazily, type LazySiteFile } from './render-site.ts';

export interface SitePublishInputs {
  siteDir: string;
  /** data/published/v1: its files are the downloads; changes.json is read from it when not rebuilt. */
  dataDir: string;
  companies: SiteCompanies;
  /** The change feed as this publish leaves it (undefined: the one on disk stays). */
  changes?: ChangesFeed;
  registry: Registry;
  attribution: Attribution;
  /** Paths of the v1 files this publish writes. */
  dataFiles: string[];
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

export async function siteFiles(inputs: SitePublishInputs): Promise<LazySiteFile[]> {
  let changes = inputs.changes;
  if (!changes) {
    const text = await readText(join(inputs.dataDir, 'changes.json'));
    const parsed = text === undefined ? undefined : changesFeedSchema.safeParse(safeJson(text));
    changes = parsed?.success ? parsed.data : undefined;
  }
  const downloads = new Set(inputs.dataFiles.map((f) => relative(inputs.dataDir, f).split(sep).join('/')));
  if (changes) downloads.add('changes.json');
  const files = await renderSiteLazily({
    companies: inputs.companies,
    changes,
    registry: inputs.registry,
    attribution: inputs.attribution,
    downloads: [...downloads].filter((d) => !d.startsWith('..')),
    changelogMarkdown: await readText(join(inputs.dataDir, '..', 'CHANGELOG.md')),
    previousFile: (path) => readText(join(inputs.siteDir, ...path.split('/'))),
  });
  // The check page (its own bundle and shell, linked from the menu) is part of the same group write, so the
  // prune after it keeps it.
  return [
    ...files.map((f) => ({ path: join(inputs.siteDir, ...f.path.split('/')), content: f.content })),
    ...(await renderCheckSite(inputs.siteDir)),
  ];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * After the group write: remove files of the site that this publish did not produce (a company taken out
 * of the registry loses its page). Only the site's own kinds of file are touched.
 */
export async function pruneSite(siteDir: string, keep: ReadonlyArray<string>): Promise<string[]> {
  const wanted = new Set(keep);
  const removed: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (/\.(html|css|js|svg)$/.test(e.name) && !wanted.has(path)) {
        await rm(path, { force: true });
        removed.push(path);
      }
    }
  }
  await walk(siteDir);
  return removed.sort();
}
