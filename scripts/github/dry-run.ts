/**
 * Dry run: the same rendering as a real run, written to disk instead of GitHub. Each proposal gets
 * <outDir>/<branch>/pr.md (title, branch, draft, labels, then the exact body) and
 * <outDir>/<branch>/files/<path> (the exact files the commit would hold). The directory mirrors the
 * current plan: proposals that left the plan are removed, and unchanged files are not rewritten.
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Proposal } from '../plan/types.ts';
import { writeIfChanged } from '../util/atomic-fs.ts';
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
  /** A few lines for the terminal and the job summary. */
  text: string;
}

const MANAGED_ROOT = 'icewatch';

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

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out;
}

/** Remove empty directories bottom-up; the root itself is kept. */
async function pruneEmpty(dir: string, isRoot = true): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await pruneEmpty(join(dir, entry.name), false);
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

  const removed: string[] = [];
  for (const full of await listFiles(join(outDir, MANAGED_ROOT))) {
    const rel = posix(relative(outDir, full));
    if (!expected.has(rel)) {
      await rm(full, { force: true });
      removed.push(rel);
    }
  }
  await pruneEmpty(join(outDir, MANAGED_ROOT));

  const changed: string[] = [];
  for (const [rel, content] of [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (await writeIfChanged(join(outDir, ...rel.split('/')), content)) changed.push(rel);
  }

  const lines = [`Dry run: ${entries.length} pull request${entries.length === 1 ? '' : 's'} written under ${outDir}`];
  for (const e of entries) {
    lines.push(`  ${e.branch}  ${e.title.replace(/\u200b/g, '')}${e.draft ? ' (draft)' : ''}  [${e.files.length} file${e.files.length === 1 ? '' : 's'}]`);
  }
  if (duplicates.length > 0) lines.push(`  skipped (same branch as an earlier proposal): ${duplicates.join(', ')}`);
  if (removed.length > 0) lines.push(`  removed ${removed.length} stale file${removed.length === 1 ? '' : 's'}`);

  return { outDir, proposals: entries, duplicates, changed, removed: removed.sort(), text: lines.join('\n') };
}
