/**
 * Turns the plan's proposals into pull requests (or, without a token, into files under
 * reports/proposals/). Dismissals the bot learns from closed pull requests are merged into
 * data/registry/dismissed.yaml so the plan never proposes them again without new evidence.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { Config } from '../config.ts';
import { writeDryRun } from '../github/dry-run.ts';
import { proposeAll, type ProposeResult } from '../github/propose.ts';
import { PROPOSAL_THRESHOLD } from '../match/types.ts';
import type { Plan } from '../plan/types.ts';
import { dismissedFileSchema, type DismissedEntry } from '../registry/schema.ts';
import { sources } from '../sources/index.ts';
import { writeIfChanged } from '../util/atomic-fs.ts';
import { GitHubError } from '../util/errors.ts';

export interface GitHubSettings {
  token?: string;
  /** owner/repo */
  repository?: string;
  apiUrl?: string;
  serverUrl?: string;
  baseBranch?: string;
  /** Environment for the git binary (PATH, proxies); the CLI passes it. */
  gitEnv?: Readonly<Record<string, string | undefined>>;
}

export interface ProposeCommandOptions {
  plan: Plan;
  dataDir: string;
  reportsDir: string;
  config: Config;
  dryRun: boolean;
  github: GitHubSettings;
  log: (message: string) => void;
}

export const BOT_IDENTITY = { name: 'icewatch-bot', email: 'icewatch-bot@users.noreply.github.com' };

function sourceTitles(): Record<string, string> {
  return Object.fromEntries([...sources.values()].map((s) => [s.id, s.title]));
}

export async function proposeFromPlan(options: ProposeCommandOptions): Promise<{ summary: string; result?: ProposeResult }> {
  const { plan, config } = options;
  const draftBelowConfidence = config.proposals.draftBelowThreshold ? PROPOSAL_THRESHOLD : undefined;
  if (options.dryRun) {
    // As many as a real run would keep open: the dry run mirrors it, and stays bounded when the plan floods.
    // Status changes of registry companies first: they are few, and about companies already published.
    const ordered = [...plan.proposals.filter((p) => p.kind === 'status-change'), ...plan.proposals.filter((p) => p.kind !== 'status-change')];
    const written = ordered.slice(0, config.proposals.maxOpen);
    const left = plan.proposals.length - written.length + (plan.proposalsDeferred ?? 0);
    const summary = await writeDryRun(written, {
      outDir: join(options.reportsDir, 'proposals'),
      sourceTitles: sourceTitles(),
      ...(draftBelowConfidence !== undefined ? { draftBelowConfidence } : {}),
    });
    return {
      summary:
        `dry run: ${summary.proposals.length} pull request(s) written under ${join(options.reportsDir, 'proposals')}` +
        ` (a real run opens at most ${config.proposals.maxNewPerRun} per run and keeps at most ${config.proposals.maxOpen} open)` +
        (left > 0 ? `; ${left} more wait for a free slot (they are candidates in the report)` : '') +
        (summary.text ? `\n${summary.text}` : ''),
    };
  }
  const { token, repository } = options.github;
  if (!token || !repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new GitHubError('a real run needs GITHUB_TOKEN and GITHUB_REPOSITORY (owner/repo); use --dry-run to write proposals to files');
  }
  const [owner, repo] = repository.split('/') as [string, string];
  const serverUrl = options.github.serverUrl ?? 'https://github.com';
  const result = await proposeAll(plan.proposals, {
    owner,
    repo,
    api: { token, ...(options.github.apiUrl ? { baseUrl: options.github.apiUrl } : {}) },
    git: {
      remoteUrl: `${serverUrl}/${owner}/${repo}.git`,
      token,
      baseBranch: options.github.baseBranch ?? 'main',
      author: BOT_IDENTITY,
      ...(options.github.gitEnv ? { env: options.github.gitEnv } : {}),
    },
    caps: { maxNewPerRun: config.proposals.maxNewPerRun, maxOpen: config.proposals.maxOpen },
    reviewQueue: plan.reviewQueue,
    sourceTitles: sourceTitles(),
    ...(draftBelowConfidence !== undefined ? { draftBelowConfidence } : {}),
    log: { debug: () => {}, info: options.log, warn: (m) => options.log(`warning: ${m}`), error: (m) => options.log(`error: ${m}`) },
  });
  if (result.dismissed.length > 0) await recordDismissals(options.dataDir, result.dismissed);
  const summary = [
    `opened ${result.opened.length}, updated ${result.updated.length}, unchanged ${result.unchanged.length}, skipped ${result.skipped.length}, newly dismissed ${result.dismissed.length}`,
    ...result.opened.map((p) => `  opened ${p.url ?? p.branch}: ${p.title}`),
    ...result.updated.map((p) => `  updated ${p.url ?? p.branch}: ${p.title}`),
    ...result.skipped.map((p) => `  skipped ${p.branch} (${p.reason}): ${p.detail}`),
  ].join('\n');
  return { summary, result };
}

/** Merge new dismissals into dismissed.yaml by id (a later dismissal of the same id replaces the earlier). */
export async function recordDismissals(dataDir: string, entries: DismissedEntry[]): Promise<boolean> {
  const file = join(dataDir, 'registry', 'dismissed.yaml');
  const text = await readFile(file, 'utf8').catch(() => 'dismissed: []\n');
  const current = dismissedFileSchema.parse(parseDocument(text).toJS() ?? { dismissed: [] });
  const byId = new Map(current.dismissed.map((d) => [d.id, d]));
  for (const entry of entries) byId.set(entry.id, entry);
  const dismissed = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  const header = '# Candidates a maintainer rejected. The pipeline never proposes them again unless new evidence (a new award) appears.\n';
  return writeIfChanged(file, `${header}${stringify({ dismissed }, { lineWidth: 0 })}`);
}
