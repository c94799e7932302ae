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
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../github/octokit.ts';
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
  /** The branch proposals start from; default: the repository's default branch, asked from GitHub. */
  baseBranch?: string;
  /** The GitHub App's slug when the token is an App installation token: the bot commits as that App. */
  appSlug?: string;
  /** Environment for the git binary (PATH, proxies); the CLI passes it. */
  gitEnv?: Readonly<Record<string, string | undefined>>;
  /** Where git pushes (tests: a bare repository); default <serverUrl>/<owner>/<repo>.git. */
  remoteUrl?: string;
  /** Octokit pacing (tests shorten the waits). */
  api?: Partial<Omit<GitHubClientOptions, 'token' | 'baseUrl'>>;
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

/**
 * The bot's commit identity when it writes with the workflow's GITHUB_TOKEN: GitHub's own
 * github-actions[bot] account (user id 41898282), so commits link to an account that exists.
 */
export const BOT_IDENTITY = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };
/** Identities earlier versions committed as: their commits on a proposal branch are still the bot's. */
const FORMER_BOT_EMAILS = ['icewatch-bot@users.noreply.github.com', BOT_IDENTITY.email];

/** An App commits as "<slug>[bot]" with the noreply address of its bot user (GET /users/<slug>[bot]). */
export async function appIdentity(client: GitHubClient, slug: string): Promise<{ name: string; email: string }> {
  if (!/^[a-z0-9][a-z0-9-]{0,38}$/i.test(slug)) throw new GitHubError(`not a GitHub App slug: ${JSON.stringify(slug)}`);
  const login = `${slug}[bot]`;
  const { data } = await client.rest.users.getByUsername({ username: login });
  return { name: login, email: `${data.id}+${login}@users.noreply.github.com` };
}

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
  const serverUrl = (options.github.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const log = { debug: () => {}, info: options.log, warn: (m: string) => options.log(`warning: ${m}`), error: (m: string) => options.log(`error: ${m}`) };
  const client = await createGitHubClient({ token, ...(options.github.apiUrl ? { baseUrl: options.github.apiUrl } : {}), ...options.github.api, log });
  const author = options.github.appSlug ? await appIdentity(client, options.github.appSlug) : BOT_IDENTITY;
  const result = await proposeAll(plan.proposals, {
    owner,
    repo,
    api: { token },
    client,
    git: {
      remoteUrl: options.github.remoteUrl ?? `${serverUrl}/${owner}/${repo}.git`,
      token,
      ...(options.github.baseBranch ? { baseBranch: options.github.baseBranch } : {}),
      author,
      botEmails: FORMER_BOT_EMAILS,
      ...(options.github.gitEnv ? { env: options.github.gitEnv } : {}),
    },
    reopenClosedDashboard: config.proposals.reopenClosedDashboard ?? false,
    caps: { maxNewPerRun: config.proposals.maxNewPerRun, maxOpen: config.proposals.maxOpen },
    reviewQueue: plan.reviewQueue,
    sourceTitles: sourceTitles(),
    ...(draftBelowConfidence !== undefined ? { draftBelowConfidence } : {}),
    log,
  });
  // What the run learned is saved first, whatever else failed.
  if (result.dismissed.length > 0) await recordDismissals(options.dataDir, result.dismissed);
  const summary = [
    `opened ${result.opened.length}, updated ${result.updated.length}, unchanged ${result.unchanged.length}, skipped ${result.skipped.length}, newly dismissed ${result.dismissed.length}`,
    ...result.opened.map((p) => `  opened ${p.url ?? p.branch}: ${p.title}`),
    ...result.updated.map((p) => `  updated ${p.url ?? p.branch}: ${p.title}`),
    ...result.skipped.map((p) => `  skipped ${p.branch} (${p.reason}): ${p.detail}`),
    ...result.failures.map((f) => `  failed ${f.branch ?? f.id}: ${f.message}`),
  ].join('\n');
  if (result.failures.length > 0) {
    throw new GitHubError(`${result.failures.length} step(s) failed; everything else was done and dismissals were recorded:\n${summary}`);
  }
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
