/**
 * Dry run: the same rendering as a real run, written to disk instead of GitHub. Each proposal gets
 * <outDir>/<branch>/pr.md (title, branch, draft, labels, then the exact body) and
 * <outDir>/<branch>/files/<path> (the exact files the commit would hold). The directory mirrors the
 * current plan: proposals that left the plan are removed, and unchanged files are not rewritten.
 *
 * The managed folder is never followed out of place: a symbolic link anywhere on the way (the folder, a
 * branch folder, a file) is refused before anything is deleted or written, every real path is checked to
 * lie under the managed folder, and only files this tool wrote (named in a manifest beside the folder)
 * are ever deleted. A file someone else put there is left alone.
 */
import { lstat, mkdir, readFile, readdir, realpath, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { z } from 'zod';
import type { Proposal } from '../plan/types.ts';
import { writeIfChanged } from '../util/atomic-fs.ts';
import { StoreError } from '../util/errors.ts';
import { escapeMarkdown } from '../util/sanitize.ts';
import { branchFor, renderProposal } from './render-proposal.ts';
import type { RenderOptions, RenderedProposal } from './render-proposal.ts';

export interface DryRunOptions extends RenderOptions {
  /** Where to write, e.g. <repo>/reports/proposals. Everything under <outDir>/icewatch/ is managed here. */
  outDir: string;
}

export interface DryRunEntry {
  id: string;
  kind: Proposal['kind'];
  branch: string;
  title: string;
  draft: boolean;
  labels: string[];
  /** pr.md, relative to outDir (POSIX separators). */
  prFile: string;
  /** Repository paths of the files the pull request would add or change. */
  files: string[];
}

export interface DryRunSummary {
  outDir: string;
  proposals: DryRunEntry[];
  /** Proposals left out because an earlier one in the plan has the same branch. */
  duplicates: string[];
  /** Files written or rewritten this time (relative to outDir). */
  changed: string[];
  /** Stale files removed (relative to outDir). */
  removed: string[];
  /** Files under the managed folder that icewatch did not write, left alone (relative to outDir). */
  foreign: string[];
  /** A few lines for the terminal and the job summary. */
  text: string;
}

const MANAGED_ROOT = 'icewatch';
/** Beside the managed folder (not in it), so the folder holds only branches. */
export const MANIFEST_FILE = '.icewatch-dry-run.json';
const manifestSchema = z.strictObject({ version: z.literal(1), files: z.array(z.string()) });
/**
 * What a dry run writes, for a folder written before the manifest existed: only paths of exactly this
 * shape are adopted as ours.
 */
const OWN_SHAPE = /^icewatch\/(?:add|status)-[a-z0-9-]+\/(?:pr\.md|files\/data\/registry\/(?:companies\/[a-z0-9-]+\.yaml|evidence\/[a-z0-9-]+\.json))$/;

function posix(path: string): string {
  return path.split(sep).join('/');
}

function prMarkdown(rendered: RenderedProposal): string {
  const files = rendered.files.map((f) => `[\`${f.path}\`](files/${f.path})`).join('<br>') || '(none)';
  return [
    `# ${escapeMarkdown(rendered.title, 300)}`,
    '',
    '| | |',
    '| --- | --- |',
    `| Branch | \`${rendered.branch}\` |`,
    `| Draft | ${rendered.draft ? 'yes' : 'no'} |`,
    `| Labels | ${rendered.labels.map((l) => `\`${l}\``).join(', ')} |`,
    `| Files | ${files} |`,
    '',
    '---',
    '',
    rendered.body,
  ].join('\n');
}

/** Files under dir, never following a link: a link in the managed folder stops the run. */
async function listFiles(dir: string, root: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isSymbolicLink()) throw linkRefused(full, root);
    if (entry.isDirectory()) out.push(...(await listFiles(full, root)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function linkRefused(path: string, root: string): StoreError {
  return new StoreError(
    `${path} is a symbolic link; the dry-run folder ${root} is managed by icewatch and is never followed out of place — remove the link and run again`,
  );
}

/**
 * Every component from outDir down to `path` must be a real directory (or absent), never a link, and the
 * real path must stay under the real managed root.
 */
async function assertInside(outDir: string, path: string): Promise<void> {
  const rel = relative(outDir, path);
  if (rel.startsWith('..') || rel === '' || rel.split(sep).includes('..')) throw new StoreError(`refusing to write ${path}: outside ${outDir}`);
  let current = outDir;
  for (const part of ['', ...rel.split(sep)]) {
    current = part ? join(current, part) : current;
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) return;
    if (info.isSymbolicLink()) throw linkRefused(current, join(outDir, MANAGED_ROOT));
  }
  const realRoot = await realpath(outDir);
  const realParent = await realpath(dirname(path)).catch(() => undefined);
  if (realParent && realParent !== realRoot && !realParent.startsWith(`${realRoot}${sep}`)) {
    throw new StoreError(`refusing to write ${path}: its real folder ${realParent} is outside ${realRoot}`);
  }
}

async function readManifest(outDir: string): Promise<Set<string> | undefined> {
  const file = join(outDir, MANIFEST_FILE);
  await assertInside(outDir, file);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  let parsed: z.infer<typeof manifestSchema>;
  try {
    parsed = manifestSchema.parse(JSON.parse(text));
  } catch {
    throw new StoreError(`${file} is not a dry-run manifest icewatch wrote; delete it (and the folder ${join(outDir, MANAGED_ROOT)} if it holds nothing of yours) and run again`);
  }
  return new Set(parsed.files);
}

/** Remove empty directories bottom-up; the root itself is kept. Links were refused by listFiles. */
async function pruneEmpty(dir: string, isRoot = true): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory() && !entry.isSymbolicLink()) await pruneEmpty(join(dir, entry.name), false);
  if (!isRoot && (await readdir(dir).catch(() => ['?'])).length === 0) await rmdir(dir).catch(() => undefined);
}

export async function writeDryRun(proposals: readonly Proposal[], options: DryRunOptions): Promise<DryRunSummary> {
  const { outDir, ...renderOptions } = options;
  const entries: DryRunEntry[] = [];
  const duplicates: string[] = [];
  const expected = new Map<string, string>();
  const seen = new Set<string>();

  for (const proposal of proposals) {
    const branch = branchFor(proposal);
    if (seen.has(branch)) {
      duplicates.push(branch);
      continue;
    }
    seen.add(branch);
    const rendered = renderProposal(proposal, renderOptions);
    const prFile = `${rendered.branch}/pr.md`;
    expected.set(prFile, `${prMarkdown(rendered)}`);
    for (const file of rendered.files) expected.set(`${rendered.branch}/files/${file.path}`, file.content);
    entries.push({
      id: rendered.id,
      kind: rendered.kind,
      branch: rendered.branch,
      title: rendered.title,
      draft: rendered.draft,
      labels: rendered.labels,
      prFile,
      files: rendered.files.map((f) => f.path),
    });
  }

  const root = join(outDir, MANAGED_ROOT);
  // Checked before anything is touched: a link at the managed folder or above it stops the run here.
  await assertInside(outDir, join(root, 'x'));
  const owned = await readManifest(outDir);
  const isOurs = (rel: string) => (owned ? owned.has(rel) : OWN_SHAPE.test(rel));
  const removed: string[] = [];
  const foreign: string[] = [];
  for (const full of await listFiles(root, root)) {
    const rel = posix(relative(outDir, full));
    if (expected.has(rel)) continue;
    if (!isOurs(rel)) {
      foreign.push(rel);
      continue;
    }
    await assertInside(outDir, full);
    await rm(full, { force: true });
    removed.push(rel);
  }
  await pruneEmpty(root);

  const changed: string[] = [];
  const sortedExpected = [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // The manifest names every file before it is written, so a crash part-way still leaves them ours.
  const manifestText = (files: Iterable<string>) => `${JSON.stringify({ version: 1, files: [...new Set(files)].sort() }, null, 2)}\n`;
  await mkdir(outDir, { recursive: true });
  await writeIfChanged(join(outDir, MANIFEST_FILE), manifestText([...(owned ?? []), ...expected.keys()]));
  for (const [rel, content] of sortedExpected) {
    const path = join(outDir, ...rel.split('/'));
    await assertInside(outDir, path);
    if (await writeIfChanged(path, content)) changed.push(rel);
  }
  await writeIfChanged(join(outDir, MANIFEST_FILE), manifestText(expected.keys()));

  const lines = [`Dry run: ${entries.length} pull request${entries.length === 1 ? '' : 's'} written under ${outDir}`];
  for (const e of entries) {
    lines.push(`  ${e.branch}  ${e.title.replace(/\u200b/g, '')}${e.draft ? ' (draft)' : ''}  [${e.files.length} file${e.files.length === 1 ? '' : 's'}]`);
  }
  if (duplicates.length > 0) lines.push(`  skipped (same branch as an earlier proposal): ${duplicates.join(', ')}`);
  if (removed.length > 0) lines.push(`  removed ${removed.length} stale file${removed.length === 1 ? '' : 's'}`);
  if (foreign.length > 0) lines.push(`  left alone ${foreign.length} file${foreign.length === 1 ? '' : 's'} icewatch did not write: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}`);

  return { outDir, proposals: entries, duplicates, changed, removed: removed.sort(), foreign: foreign.sort(), text: lines.join('\n') };
}
