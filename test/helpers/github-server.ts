/**
 * A stateful GitHub on 127.0.0.1 for the propose and doctor tests, held to GitHub's REST
 * description: every reply body is built from the description's own example for that schema
 * (github-openapi.ts) with the server's state written over it, and every call is logged with its
 * request and reply so the contract test can check both against the description.
 *
 * It models GitHub's rules that the bot meets in a maintainer's first week:
 * - repository settings: default branch, Issues on/off (410 "Issues are disabled for this repo"),
 *   draft pull requests unavailable (422), Actions not permitted to create pull requests (403, for
 *   the workflow token), Pages source, branch protection, App installation and its permissions;
 * - a pull request whose head branch is deleted is closed; a merge moves the base branch and may
 *   delete the head; "Update branch" is a merge commit committed by GitHub;
 * - refs/pull/N/head keeps a pull request's last head after its branch is gone;
 * - push rules in the real bare repository (github-git.ts): protected branches, workflow files;
 * - faults: secondary limits (403 and 429 with retry-after), the primary limit
 *   (x-ratelimit-remaining: 0), and a 5xx sent after a write already happened.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createPublicKey, verify } from 'node:crypto';
import { git, GITHUB_COMMITTER } from './github-git.ts';
import type { BareRepo, Identity } from './github-git.ts';
import { example } from './github-openapi.ts';

export { createBareRepo, git, GITHUB_COMMITTER } from './github-git.ts';
export type { BareRepo, Identity } from './github-git.ts';

type Json = Record<string, unknown>;

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  head: string;
  base: string;
  user: string;
  labels: string[];
  merged_at: string | null;
  closed_at: string | null;
  created_at: string;
  /** Set when GitHub closed it because its head branch was deleted. */
  headDeleted?: boolean;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  user: string;
  labels: string[];
  created_at: string;
  closed_at: string | null;
}

export interface FakeComment {
  id: number;
  body: string;
  user: string;
}

export interface LoggedCall {
  method: string;
  path: string;
  status: number;
  /** The request's JSON body (undefined when none was sent). */
  body: unknown;
  /** The reply's JSON body. */
  response: unknown;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body: unknown;
  /** Runs before the reply is sent: e.g. another run creating the same pull request meanwhile. */
  effect?: () => void | Promise<void>;
  /** Let the request do its work first, then send this reply (a 5xx after the write succeeded). */
  afterWrite?: boolean;
}

/** The repository's settings, as the settings pages and the API show them. Tests change them freely. */
export interface RepoSettings {
  defaultBranch: string;
  hasIssues: boolean;
  /** Settings → Actions → General → "Allow GitHub Actions to create and approve pull requests". */
  actionsCanCreatePullRequests: boolean;
  defaultWorkflowPermissions: 'read' | 'write';
  actionsEnabled: boolean;
  /** Draft pull requests exist on this plan (not on private repositories of GitHub Free). */
  draftPullRequests: boolean;
  fork: boolean;
  /** Settings → Pages → Source; null when Pages is off. */
  pages: 'workflow' | 'legacy' | null;
  /** Branches with protection (reported by GET /branches/{branch}; pushes refused by the hook). */
  protectedBranches: string[];
}

export interface FakeApp {
  id: number;
  slug: string;
  /** PEM public key: the server checks the App's JWT with it (RS256). */
  publicKey: string;
  /** The installation's permissions on this repository; null when the App is not installed here. */
  permissions: Record<string, 'read' | 'write'> | null;
}

export interface FakeGitHub {
  /** API root for Octokit's baseUrl. */
  url: string;
  owner: string;
  repo: string;
  settings: RepoSettings;
  pulls: FakePull[];
  issues: FakeIssue[];
  comments: Map<number, FakeComment[]>;
  labels: Map<string, FakeLabel>;
  calls: LoggedCall[];
  /** Calls that change state on GitHub (anything but GET/HEAD). */
  writes(): LoggedCall[];
  /** Queue a reply for the next matching request (before, or with afterWrite after, its handler). */
  failNext(fault: Fault): void;
  /** What a maintainer does in the web UI. */
  closePull(number: number, options?: { merged?: boolean; at?: string }): void;
  /** The merge button: a merge commit by GitHub on the base branch; optionally "Delete branch". */
  mergePull(number: number, options?: { by?: Identity; deleteBranch?: boolean }): Promise<string>;
  /** "Update branch": GitHub merges the base into the head branch, committed by GitHub. */
  updateBranch(number: number, by: Identity): Promise<string>;
  /** "Delete branch" (or a push deleting it): GitHub closes its open pull request. */
  deleteBranch(branch: string): Promise<void>;
  closeIssue(number: number, reason?: 'completed' | 'not_planned'): void;
  editPullBody(number: number, body: string): void;
  addPullLabel(number: number, label: string): void;
  /** A pull request from a branch of this repository, as the bot (e.g. opened by a concurrent run). */
  insertPull(pull: { title: string; body: string; head: string; draft?: boolean }): number;
  /** Open a pull request as someone else (e.g. from a fork: head repo differs). */
  addForeignPull(pull: { title: string; body: string; head: string; headRepo: string; user: string }): number;
  close(): Promise<void>;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  token: string;
  bare: BareRepo;
  /** Login that owns what the token creates. */
  botLogin?: string;
  /**
   * What the token is: the workflow's GITHUB_TOKEN ("actions": subject to the Actions setting for
   * pull requests) or an App installation token ("app"). Default "app".
   */
  tokenKind?: 'app' | 'actions';
  settings?: Partial<RepoSettings>;
  app?: FakeApp;
  /** Fixed clock for created_at/closed_at. */
  now?: () => string;
}

const DOCS = 'https://docs.github.com/rest';

/** The real secondary-rate-limit reply (status 403, Retry-After in seconds). */
export function secondaryRateLimit(retryAfterSeconds: number, method: string, path: RegExp, status: 403 | 429 = 403): Fault {
  return {
    method,
    path,
    status,
    headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-remaining': '4990' },
    body: {
      message:
        'You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: String(status),
    },
  };
}

/** The primary limit: 403 with x-ratelimit-remaining 0 and the reset time (epoch seconds). */
export function primaryRateLimit(resetInSeconds: number, method: string, path: RegExp): Fault {
  return {
    method,
    path,
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-resource': 'core',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
    },
    body: {
      message: 'API rate limit exceeded for installation ID 4242.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
      status: '403',
    },
  };
}

/** A server error (sent instead of, or with afterWrite after, the handler's reply). */
export function serverError(method: string, path: RegExp, afterWrite = false, status: 500 | 502 | 503 = 502): Fault {
  return { method, path, status, afterWrite, body: { message: 'Server Error', documentation_url: DOCS, status: String(status) } };
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const { owner, repo, token, bare } = options;
  const botLogin = options.botLogin ?? 'icewatch-bot[bot]';
  const tokenKind = options.tokenKind ?? 'app';
  const now = options.now ?? (() => '2025-06-01T12:00:00Z');
  const sockets = new Set<Socket>();
  const faults: Fault[] = [];
  const foreignHeads = new Map<number, string>();
  const fullName = `${owner}/${repo}`;
  let nextNumber = 1;
  let nextId = 1000;

  const settings: RepoSettings = {
    defaultBranch: 'main',
    hasIssues: true,
    actionsCanCreatePullRequests: false,
    defaultWorkflowPermissions: 'read',
    actionsEnabled: true,
    draftPullRequests: true,
    fork: false,
    pages: 'workflow',
    protectedBranches: [],
    ...options.settings,
  };

  const findPull = (n: number) => {
    const pr = state.pulls.find((p) => p.number === n);
    if (!pr) throw new Error(`no pull #${n}`);
    return pr;
  };

  const state: FakeGitHub = {
    url: '',
    owner,
    repo,
    settings,
    pulls: [],
    issues: [],
    comments: new Map(),
    labels: new Map(),
    calls: [],
    writes: () => state.calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD'),
    failNext: (fault) => faults.push(fault),
    closePull(number, opts = {}) {
      const pr = findPull(number);
      pr.state = 'closed';
      pr.closed_at = opts.at ?? now();
      pr.merged_at = opts.merged ? pr.closed_at : null;
    },
    async mergePull(number, opts = {}) {
      const pr = findPull(number);
      const by = opts.by ?? { name: 'Rosa Maintainer', email: 'rosa@example.org' };
      const sha = await bare.mergeInto(pr.base, pr.head, by, `Merge pull request #${number} from ${owner}/${pr.head}`);
      pr.state = 'closed';
      pr.closed_at = now();
      pr.merged_at = pr.closed_at;
      if (opts.deleteBranch) await bare.deleteBranch(pr.head);
      return sha;
    },
    async updateBranch(number, by) {
      const pr = findPull(number);
      const baseSha = await bare.tip(pr.base);
      const headSha = await bare.tip(pr.head);
      if (!baseSha || !headSha) throw new Error('missing branch');
      const tree = (await git(['merge-tree', '--write-tree', headSha, baseSha], { cwd: bare.path })).split('\n')[0]!.trim();
      const env = {
        GIT_AUTHOR_NAME: by.name,
        GIT_AUTHOR_EMAIL: by.email,
        GIT_COMMITTER_NAME: GITHUB_COMMITTER.name,
        GIT_COMMITTER_EMAIL: GITHUB_COMMITTER.email,
      };
      const message = `Merge branch '${pr.base}' into ${pr.head}`;
      const sha = (await git(['commit-tree', tree, '-p', headSha, '-p', baseSha, '-m', message], { cwd: bare.path, env })).trim();
      await bare.updateRef(`refs/heads/${pr.head}`, sha);
      return sha;
    },
    async deleteBranch(branch) {
      await bare.deleteBranch(branch);
      await reconcile();
    },
    closeIssue(number, reason = 'completed') {
      const issue = state.issues.find((i) => i.number === number);
      if (!issue) throw new Error(`no issue #${number}`);
      issue.state = 'closed';
      issue.state_reason = reason;
      issue.closed_at = now();
    },
    editPullBody(number, body) {
      findPull(number).body = body;
    },
    addPullLabel(number, label) {
      ensureLabel(label);
      findPull(number).labels.push(label);
    },
    insertPull(p) {
      const number = nextNumber++;
      state.pulls.push(newPull(number, { title: p.title, body: p.body, head: p.head, draft: p.draft ?? false, user: botLogin }));
      return number;
    },
    addForeignPull(p) {
      const number = nextNumber++;
      foreignHeads.set(number, p.headRepo);
      state.pulls.push(newPull(number, { title: p.title, body: p.body, head: p.head, draft: false, user: p.user }));
      return number;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function newPull(number: number, p: { title: string; body: string | null; head: string; draft: boolean; user: string }): FakePull {
    return { number, ...p, state: 'open', base: settings.defaultBranch, labels: [], merged_at: null, closed_at: null, created_at: now() };
  }

  /**
   * GitHub's side effects of ref changes, applied before each request: an open pull request whose
   * head branch is gone is closed, and refs/pull/N/head follows the head while it exists.
   */
  async function reconcile(): Promise<void> {
    const out = await git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/pull'], { cwd: bare.path });
    const refs = new Map(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
    for (const pr of state.pulls) {
      if (foreignHeads.has(pr.number)) continue;
      const tip = refs.get(`refs/heads/${pr.head}`);
      if (pr.state === 'open' && !tip) {
        pr.state = 'closed';
        pr.closed_at = now();
        pr.merged_at = null;
        pr.headDeleted = true;
      }
      if (pr.state === 'open' && tip && refs.get(`refs/pull/${pr.number}/head`) !== tip) await bare.updateRef(`refs/pull/${pr.number}/head`, tip);
    }
  }

  // ------------------------------------------------------------------------------- bodies

  const api = () => state.url;
  const html = (kind: 'pull' | 'issues', n: number) => `https://github.com/${fullName}/${kind}/${n}`;

  const userJson = (login: string) => {
    const user = example<Json>('public-user-default-response');
    const simple: Json = {};
    // simple-user: the fields every embedded user carries.
    for (const key of ['login', 'id', 'node_id', 'avatar_url', 'gravatar_id', 'url', 'html_url', 'followers_url', 'following_url', 'gists_url', 'starred_url', 'subscriptions_url', 'organizations_url', 'repos_url', 'events_url', 'received_events_url', 'type', 'site_admin']) {
      simple[key] = user[key];
    }
    // github-actions[bot] is user 41898282 on GitHub; other Apps' bot users have their own ids.
    const id = login === 'github-actions[bot]' ? 41898282 : login.endsWith('[bot]') ? 160219337 : 583231;
    return {
      ...simple,
      login,
      id,
      url: `${api()}/users/${encodeURIComponent(login)}`,
      html_url: `https://github.com/${login.endsWith('[bot]') ? `apps/${login.slice(0, -5)}` : login}`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
    };
  };

  const labelJson = (name: string) => {
    const known = state.labels.get(name.toLowerCase()) ?? { id: 0, name, color: 'ededed', description: null };
    return {
      ...example<Json>('label'),
      id: known.id,
      node_id: Buffer.from(`Label${known.id}`).toString('base64'),
      url: `${api()}/repos/${fullName}/labels/${encodeURIComponent(known.name)}`,
      name: known.name,
      color: known.color,
      description: known.description,
      default: false,
    };
  };

  /** A `repository` object (what pull requests embed): the example's keys, this repository's values. */
  const repoJson = (name: string = fullName) => {
    const template = (example<Json>('pull-request').head as Json).repo as Json;
    const full = example<Json>('full-repository-default-response');
    const body: Json = {};
    for (const key of Object.keys(template)) body[key] = key in full ? full[key] : template[key];
    const [o, n] = name.split('/') as [string, string];
    return {
      ...body,
      id: 7_000_000 + name.length,
      name: n,
      full_name: name,
      owner: userJson(o),
      html_url: `https://github.com/${name}`,
      url: `${api()}/repos/${name}`,
      fork: name === fullName ? settings.fork : true,
      default_branch: settings.defaultBranch,
    };
  };

  const refJson = (ref: string, sha: string, repoName: string) => ({
    label: `${repoName.split('/')[0]}:${ref}`,
    ref,
    sha,
    user: userJson(repoName.split('/')[0]!),
    repo: repoJson(repoName),
  });

  async function pullJson(pr: FakePull, simple = false): Promise<Json> {
    const foreign = foreignHeads.get(pr.number);
    const headSha = foreign ? '0'.repeat(40) : ((await bare.tip(pr.head)) ?? (await resolve(`refs/pull/${pr.number}/head`)) ?? '0'.repeat(40));
    const baseSha = (await bare.tip(pr.base)) ?? '0'.repeat(40);
    const template = simple ? (example<Json[]>('pull-request-simple-items')[0] as Json) : example<Json>('pull-request');
    const self = `${api()}/repos/${fullName}/pulls/${pr.number}`;
    const body: Json = {
      ...template,
      url: self,
      id: pr.number + 500000,
      node_id: Buffer.from(`PullRequest${pr.number}`).toString('base64'),
      html_url: html('pull', pr.number),
      diff_url: `${html('pull', pr.number)}.diff`,
      patch_url: `${html('pull', pr.number)}.patch`,
      issue_url: `${api()}/repos/${fullName}/issues/${pr.number}`,
      commits_url: `${self}/commits`,
      review_comments_url: `${self}/comments`,
      comments_url: `${api()}/repos/${fullName}/issues/${pr.number}/comments`,
      statuses_url: `${api()}/repos/${fullName}/statuses/${headSha}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      body: pr.body,
      draft: pr.draft,
      user: userJson(pr.user),
      labels: pr.labels.map(labelJson),
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      active_lock_reason: null,
      auto_merge: null,
      author_association: pr.user.endsWith('[bot]') ? 'NONE' : 'CONTRIBUTOR',
      created_at: pr.created_at,
      updated_at: pr.closed_at ?? pr.created_at,
      closed_at: pr.closed_at,
      merged_at: pr.merged_at,
      merge_commit_sha: null,
      head: refJson(pr.head, headSha, foreign ?? fullName),
      base: refJson(pr.base, baseSha, fullName),
    };
    if (!simple) {
      Object.assign(body, {
        merged: pr.merged_at !== null,
        mergeable: null,
        rebaseable: null,
        mergeable_state: 'unknown',
        merged_by: pr.merged_at ? userJson('rosa') : null,
        comments: (state.comments.get(pr.number) ?? []).length,
        review_comments: 0,
        commits: 1,
        additions: 0,
        deletions: 0,
        changed_files: 0,
      });
    }
    return body;
  }

  const issueJson = (issue: FakeIssue, pull?: FakePull): Json => {
    const n = issue.number;
    const self = `${api()}/repos/${fullName}/issues/${n}`;
    const body: Json = {
      ...example<Json>('issue'),
      id: n + 900000,
      node_id: Buffer.from(`Issue${n}`).toString('base64'),
      url: self,
      repository_url: `${api()}/repos/${fullName}`,
      labels_url: `${self}/labels{/name}`,
      comments_url: `${self}/comments`,
      events_url: `${self}/events`,
      html_url: html(pull ? 'pull' : 'issues', n),
      number: n,
      state: issue.state,
      state_reason: issue.state_reason,
      title: issue.title,
      body: issue.body,
      user: userJson(issue.user),
      labels: issue.labels.map(labelJson),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: (state.comments.get(n) ?? []).length,
      closed_at: issue.closed_at,
      closed_by: null,
      created_at: issue.created_at,
      updated_at: issue.closed_at ?? issue.created_at,
      author_association: 'NONE',
    };
    delete body.pinned_comment;
    if (pull) {
      body.pull_request = {
        url: `${api()}/repos/${fullName}/pulls/${n}`,
        html_url: html('pull', n),
        diff_url: `${html('pull', n)}.diff`,
        patch_url: `${html('pull', n)}.patch`,
        merged_at: pull.merged_at,
      };
    } else delete body.pull_request;
    return body;
  };

  const pullAsIssueJson = (pr: FakePull) =>
    issueJson(
      { number: pr.number, title: pr.title, body: pr.body, state: pr.state, state_reason: null, user: pr.user, labels: pr.labels, created_at: pr.created_at, closed_at: pr.closed_at },
      pr,
    );

  const commentJson = (n: number, c: FakeComment): Json => ({
    ...example<Json>('issue-comment'),
    id: c.id,
    node_id: Buffer.from(`IssueComment${c.id}`).toString('base64'),
    url: `${api()}/repos/${fullName}/issues/comments/${c.id}`,
    html_url: `${html('issues', n)}#issuecomment-${c.id}`,
    issue_url: `${api()}/repos/${fullName}/issues/${n}`,
    body: c.body,
    user: userJson(c.user),
    created_at: now(),
    updated_at: now(),
    author_association: 'NONE',
  });

  async function resolve(ref: string): Promise<string | undefined> {
    try {
      return (await git(['rev-parse', '--verify', '--quiet', ref], { cwd: bare.path })).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  // ------------------------------------------------------------------------------- replies

  type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
  const error = (status: number, message: string, doc = DOCS): Reply => ({ status, body: { message, documentation_url: doc, status: String(status) } });
  const validation = (resource: string, errors: Array<Record<string, string>>, doc: string): Reply => ({
    status: 422,
    body: { message: 'Validation Failed', errors: errors.map((e) => ({ resource, ...e })), documentation_url: doc, status: '422' },
  });
  const notFound = error(404, 'Not Found');
  const issuesGone = error(410, 'Issues are disabled for this repo', 'https://docs.github.com/v3/issues/');
  const tooLong = (doc: string) => validation('Issue', [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }], doc);

  const paginate = (items: unknown[], url: URL): { body: unknown[]; headers: Record<string, string> } => {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const body = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const u = new URL(url.toString());
      u.searchParams.set('page', String(p));
      return `${state.url}${u.pathname}${u.search}`;
    };
    const parts: string[] = [];
    if (page < last) parts.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) parts.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    return { body, headers: parts.length ? { link: parts.join(', ') } : {} };
  };

  /** Adding an unknown label to an issue creates it, as GitHub does. */
  function ensureLabel(name: string): void {
    if (!state.labels.has(name.toLowerCase())) state.labels.set(name.toLowerCase(), { id: nextId++, name, color: 'ededed', description: null });
  }

  const route = async (method: string, url: URL, input: Record<string, unknown>): Promise<Reply> => {
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/users\/([^/]+)$/.exec(path)) && method === 'GET') {
      const login = decodeURIComponent(m[1]!);
      return { status: 200, body: { ...example<Json>('public-user-default-response'), ...userJson(login), name: null, company: null, blog: '', location: null, email: null, bio: null, twitter_username: null } };
    }
    const base = `/repos/${owner}/${repo}`;
    if (path === base && method === 'GET') {
      const full = example<Json>('full-repository-default-response');
      const mine = repoJson();
      return {
        status: 200,
        body: {
          ...full,
          ...mine,
          has_issues: settings.hasIssues,
          has_pages: settings.pages !== null,
          fork: settings.fork,
          permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
          organization: undefined,
          parent: undefined,
          source: undefined,
          template_repository: null,
        },
      };
    }
    if (!path.startsWith(`${base}/`)) return notFound;
    const rest = path.slice(base.length);

    if (rest === '/actions/permissions' && method === 'GET') {
      const body: Json = { ...example<Json>('actions-repository-permissions'), enabled: settings.actionsEnabled, allowed_actions: 'all' };
      delete body.selected_actions_url;
      return { status: 200, body };
    }
    if (rest === '/actions/permissions/workflow' && method === 'GET') {
      return { status: 200, body: { default_workflow_permissions: settings.defaultWorkflowPermissions, can_approve_pull_request_reviews: settings.actionsCanCreatePullRequests } };
    }
    if (rest === '/pages' && method === 'GET') {
      if (!settings.pages) return notFound;
      return {
        status: 200,
        body: { ...example<Json>('page'), url: `${api()}${base}/pages`, html_url: `https://${owner}.github.io/${repo}/`, cname: null, build_type: settings.pages, source: { branch: settings.defaultBranch, path: '/' } },
      };
    }
    if ((m = /^\/branches\/(.+)$/.exec(rest)) && method === 'GET') {
      const name = decodeURIComponent(m[1]!);
      const sha = await bare.tip(name);
      if (!sha) return error(404, 'Branch not found');
      const template = example<Json>('branch-get');
      const isProtected = settings.protectedBranches.includes(name);
      return {
        status: 200,
        body: {
          ...template,
          name,
          commit: { ...(template.commit as Json), sha, url: `${api()}${base}/commits/${sha}` },
          protected: isProtected,
          protection: isProtected
            ? { enabled: true, required_status_checks: { enforcement_level: 'non_admins', contexts: [], checks: [] } }
            : { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
          protection_url: `${api()}${base}/branches/${encodeURIComponent(name)}/protection`,
          _links: { self: `${api()}${base}/branches/${encodeURIComponent(name)}`, html: `https://github.com/${fullName}/tree/${name}` },
        },
      };
    }

    if (rest === '/pulls' && method === 'GET') {
      const st = url.searchParams.get('state') ?? 'open';
      const head = url.searchParams.get('head');
      let list = [...state.pulls].sort((a, b) => b.number - a.number);
      if (st !== 'all') list = list.filter((p) => p.state === st);
      if (head) {
        const [headOwner, headRef] = head.includes(':') ? head.split(':', 2) : [owner, head];
        list = list.filter((p) => p.head === headRef && (foreignHeads.get(p.number) ?? fullName).split('/')[0] === headOwner);
      }
      const page = paginate(list, url);
      return { status: 200, body: await Promise.all((page.body as FakePull[]).map((p) => pullJson(p, true))), headers: page.headers };
    }
    if (rest === '/pulls' && method === 'POST') {
      const doc = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';
      if (tokenKind === 'actions' && !settings.actionsCanCreatePullRequests) {
        return error(403, 'GitHub Actions is not permitted to create or approve pull requests.', doc);
      }
      const head = String(input.head ?? '');
      const baseRef = String(input.base ?? '');
      if (!input.title && !input.issue) return validation('PullRequest', [{ field: 'title', code: 'missing_field' }], doc);
      const headSha = await bare.tip(head);
      const baseSha = await bare.tip(baseRef);
      if (!baseSha) return validation('PullRequest', [{ field: 'base', code: 'invalid' }], doc);
      if (!headSha) return validation('PullRequest', [{ field: 'head', code: 'invalid' }], doc);
      if (input.draft === true && !settings.draftPullRequests) {
        return { status: 422, body: { message: 'Draft pull requests are not supported in this repository.', documentation_url: doc, status: '422' } };
      }
      if (state.pulls.some((p) => p.state === 'open' && p.head === head && p.base === baseRef && !foreignHeads.has(p.number))) {
        return validation('PullRequest', [{ code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }], doc);
      }
      const ahead = (await git(['rev-list', '--count', `${baseSha}..${headSha}`], { cwd: bare.path })).trim();
      if (ahead === '0') return validation('PullRequest', [{ code: 'custom', message: `No commits between ${baseRef} and ${head}` }], doc);
      const body = input.body === undefined ? null : String(input.body);
      if (body !== null && body.length > 65536) return tooLong(doc);
      const pr = newPull(nextNumber++, { title: String(input.title), body, head, draft: input.draft === true, user: botLogin });
      pr.base = baseRef;
      state.pulls.push(pr);
      await bare.updateRef(`refs/pull/${pr.number}/head`, headSha);
      return { status: 201, body: await pullJson(pr) };
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pr = state.pulls.find((p) => p.number === Number(m![1]));
      if (!pr) return notFound;
      if (method === 'GET') return { status: 200, body: await pullJson(pr) };
      if (method === 'PATCH') {
        const doc = 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request';
        if (typeof input.body === 'string' && input.body.length > 65536) return tooLong(doc);
        if (typeof input.title === 'string') pr.title = input.title;
        if (typeof input.body === 'string') pr.body = input.body;
        if (input.state === 'open' && pr.state === 'closed' && !(await bare.tip(pr.head))) {
          return validation('PullRequest', [{ code: 'custom', field: 'state', message: 'state cannot be changed. The head branch was deleted.' }], doc);
        }
        if (input.state === 'closed' || input.state === 'open') {
          pr.state = input.state;
          pr.closed_at = input.state === 'closed' ? now() : null;
        }
        return { status: 200, body: await pullJson(pr) };
      }
    }
    if (rest === '/issues' && method === 'GET') {
      const st = url.searchParams.get('state') ?? 'open';
      const wanted = (url.searchParams.get('labels') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      // With Issues off, the list still answers, with pull requests only.
      const all = [
        ...(settings.hasIssues ? state.issues : []).map((i) => ({ n: i.number, st: i.state, labels: i.labels, json: () => issueJson(i) })),
        ...state.pulls.map((p) => ({ n: p.number, st: p.state, labels: p.labels, json: () => pullAsIssueJson(p) })),
      ]
        .filter((x) => st === 'all' || x.st === st)
        .filter((x) => wanted.every((w) => x.labels.some((l) => l.toLowerCase() === w)))
        .sort((a, b) => b.n - a.n);
      const page = paginate(all, url);
      return { status: 200, body: (page.body as typeof all).map((x) => x.json()), headers: page.headers };
    }
    if (rest === '/issues' && method === 'POST') {
      const doc = 'https://docs.github.com/rest/issues/issues#create-an-issue';
      if (!settings.hasIssues) return issuesGone;
      if (typeof input.title !== 'string' || input.title === '') return validation('Issue', [{ field: 'title', code: 'missing_field' }], doc);
      if (typeof input.body === 'string' && input.body.length > 65536) return tooLong(doc);
      const labels = Array.isArray(input.labels) ? input.labels.map(String) : [];
      for (const l of labels) ensureLabel(l);
      const issue: FakeIssue = {
        number: nextNumber++,
        title: input.title,
        body: typeof input.body === 'string' ? input.body : null,
        state: 'open',
        state_reason: null,
        user: botLogin,
        labels,
        created_at: now(),
        closed_at: null,
      };
      state.issues.push(issue);
      return { status: 201, body: issueJson(issue) };
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest))) {
      const n = Number(m[1]);
      const issue = state.issues.find((i) => i.number === n);
      const pr = state.pulls.find((p) => p.number === n);
      if (!issue && !pr) return notFound;
      if (issue && !settings.hasIssues) return issuesGone;
      if (method === 'GET') return { status: 200, body: issue ? issueJson(issue) : pullAsIssueJson(pr!) };
      if (method === 'PATCH') {
        if (typeof input.body === 'string' && input.body.length > 65536) return tooLong('https://docs.github.com/rest/issues/issues#update-an-issue');
        const target = issue ?? pr!;
        if (typeof input.title === 'string') target.title = input.title;
        if (typeof input.body === 'string') target.body = input.body;
        if (issue && (input.state === 'open' || input.state === 'closed')) {
          issue.state = input.state;
          issue.closed_at = input.state === 'closed' ? now() : null;
          issue.state_reason = input.state === 'closed' ? 'completed' : 'reopened';
        }
        return { status: 200, body: issue ? issueJson(issue) : pullAsIssueJson(pr!) };
      }
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const n = Number(m[1]);
      const isIssue = state.issues.some((i) => i.number === n);
      if (!isIssue && !state.pulls.some((p) => p.number === n)) return notFound;
      if (isIssue && !settings.hasIssues) return issuesGone;
      const list = state.comments.get(n) ?? [];
      if (method === 'GET') {
        const page = paginate(list, url);
        return { status: 200, body: (page.body as FakeComment[]).map((c) => commentJson(n, c)), headers: page.headers };
      }
      if (method === 'POST') {
        if (typeof input.body !== 'string' || input.body === '') {
          return validation('IssueComment', [{ field: 'body', code: 'missing_field' }], 'https://docs.github.com/rest/issues/comments#create-an-issue-comment');
        }
        const comment = { id: nextId++, body: input.body, user: botLogin };
        list.push(comment);
        state.comments.set(n, list);
        return { status: 201, body: commentJson(n, comment) };
      }
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && method === 'POST') {
      const n = Number(m[1]);
      const target = state.issues.find((i) => i.number === n) ?? state.pulls.find((p) => p.number === n);
      if (!target) return notFound;
      const labels = Array.isArray(input.labels) ? input.labels.map(String) : [];
      for (const l of labels) {
        ensureLabel(l);
        if (!target.labels.some((x) => x.toLowerCase() === l.toLowerCase())) target.labels.push(l);
      }
      return { status: 200, body: target.labels.map(labelJson) };
    }
    if ((m = /^\/issues\/(\d+)\/labels\/(.+)$/.exec(rest)) && method === 'DELETE') {
      const n = Number(m[1]);
      const name = decodeURIComponent(m[2]!).toLowerCase();
      const target = state.issues.find((i) => i.number === n) ?? state.pulls.find((p) => p.number === n);
      if (!target || !target.labels.some((l) => l.toLowerCase() === name)) return error(404, 'Label does not exist');
      target.labels = target.labels.filter((l) => l.toLowerCase() !== name);
      return { status: 200, body: target.labels.map(labelJson) };
    }
    if (rest === '/labels' && method === 'GET') {
      const page = paginate([...state.labels.values()], url);
      return { status: 200, body: (page.body as FakeLabel[]).map((l) => labelJson(l.name)), headers: page.headers };
    }
    if ((m = /^\/labels\/(.+)$/.exec(rest)) && method === 'GET') {
      const label = state.labels.get(decodeURIComponent(m[1]!).toLowerCase());
      return label ? { status: 200, body: labelJson(label.name) } : notFound;
    }
    if (rest === '/labels' && method === 'POST') {
      const name = String(input.name ?? '');
      if (state.labels.has(name.toLowerCase())) {
        return validation('Label', [{ code: 'already_exists', field: 'name' }], 'https://docs.github.com/rest/issues/labels#create-a-label');
      }
      const label: FakeLabel = { id: nextId++, name, color: String(input.color ?? 'ededed'), description: typeof input.description === 'string' ? input.description : null };
      state.labels.set(name.toLowerCase(), label);
      return { status: 201, body: labelJson(name) };
    }
    return notFound;
  };

  /** GET /repos/{owner}/{repo}/installation: the App authenticates with its own RS256 JWT. */
  const installation = (auth: string): Reply => {
    const app = options.app;
    const jwt = /^Bearer (.+)$/i.exec(auth)?.[1] ?? '';
    const [head, payload, signature] = jwt.split('.');
    if (!app || !head || !payload || !signature) {
      return error(401, 'A JSON web token could not be decoded', 'https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app');
    }
    const valid = verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), createPublicKey(app.publicKey), Buffer.from(signature, 'base64url'));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number; iat?: number };
    if (!valid || String(claims.iss) !== String(app.id) || !claims.exp || claims.exp * 1000 < Date.now()) {
      return error(401, "'Issuer' claim ('iss') must be an Integer or the signature is invalid", 'https://docs.github.com/rest');
    }
    if (!app.permissions) return notFound;
    const body: Json = {
      ...example<Json>('installation'),
      id: 4242,
      app_id: app.id,
      app_slug: app.slug,
      account: userJson(owner),
      target_type: 'Organization',
      repository_selection: 'selected',
      permissions: app.permissions,
      events: [],
      html_url: `https://github.com/organizations/${owner}/settings/installations/4242`,
      access_tokens_url: `${api()}/app/installations/4242/access_tokens`,
      repositories_url: `${api()}/installation/repositories`,
    };
    return { status: 200, body };
  };

  const send = (res: ServerResponse, reply: Reply) => {
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      ...reply.headers,
    });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let input: Record<string, unknown> = {};
    try {
      input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      send(res, error(400, 'Problems parsing JSON'));
      return;
    }
    const reply = (r: Reply) => {
      state.calls.push({ method, path: `${url.pathname}${url.search}`, status: r.status, body: raw ? input : undefined, response: r.body });
      send(res, r);
    };
    try {
      const auth = req.headers.authorization ?? '';
      if (url.pathname === `/repos/${owner}/${repo}/installation` && method === 'GET') return reply(installation(auth));
      if (auth !== `token ${token}` && auth !== `Bearer ${token}` && auth !== `bearer ${token}`) {
        return reply(error(401, 'Bad credentials'));
      }
      await reconcile();
      const faultIndex = faults.findIndex((f) => f.method === method && f.path.test(url.pathname));
      const fault = faultIndex >= 0 ? faults.splice(faultIndex, 1)[0] : undefined;
      if (fault && !fault.afterWrite) {
        await fault.effect?.();
        return reply({ status: fault.status, body: fault.body, ...(fault.headers ? { headers: fault.headers } : {}) });
      }
      const result = await route(method, url, input);
      if (fault) return reply({ status: fault.status, body: fault.body, ...(fault.headers ? { headers: fault.headers } : {}) });
      return reply(result);
    } catch (err) {
      return reply(error(500, `fake server error: ${(err as Error).message}`));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
