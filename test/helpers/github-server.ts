/**
 * A small stateful GitHub on 127.0.0.1 for the propose tests: the REST endpoints the bot uses
 * (pulls, issues, comments, labels) with GitHub's status codes and error bodies, Link-header
 * pagination, and a real bare git repository behind it (pull requests read their head from it, as
 * GitHub does). Tests drive the "maintainer" side through the returned object (close a pull request,
 * push a commit) and inject faults such as a secondary rate limit.
 *
 * Shapes follow docs.github.com/rest (pulls, issues, labels) and the replies GitHub really sends,
 * e.g. 422 {"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom",
 * "message":"A pull request already exists for owner:branch."}]}.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** git with the user's global/system config ignored, so tests behave the same on every machine. */
export async function git(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      LC_ALL: 'C',
      ...options.env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export interface Identity {
  name: string;
  email: string;
}

export interface BareRepo {
  /** Directory of the bare repository (what `git push` targets). */
  path: string;
  /** Scratch directory for clones; removed with the repo. */
  root: string;
  /** Commit `files` to `branch` as `who` (clones, commits, pushes: what a maintainer does). */
  commitAs(who: Identity, branch: string, files: Record<string, string>, message: string): Promise<string>;
  /** Tip of a branch, or undefined. */
  tip(branch: string): Promise<string | undefined>;
  refs(): Promise<Record<string, string>>;
  /** Lines logged by the pre-receive hook: one per ref update pushed ("<old> <new> <ref>"). */
  pushLog(): Promise<string[]>;
  remove(): Promise<void>;
}

/**
 * A bare repository with `main` holding `files`. uploadpack.allowFilter is on, as on GitHub, so
 * the bot's partial (blob-less) fetch is exercised; a pre-receive hook logs every ref update.
 */
export async function createBareRepo(files: Record<string, string>, seedAuthor: Identity = { name: 'Seed', email: 'seed@example.org' }): Promise<BareRepo> {
  const root = await mkdtemp(join(tmpdir(), 'icewatch-gh-'));
  const path = join(root, 'remote.git');
  await git(['init', '--quiet', '--bare', '--initial-branch=main', path]);
  await git(['config', 'uploadpack.allowFilter', 'true'], { cwd: path });
  await git(['config', 'uploadpack.allowAnySHA1InWant', 'true'], { cwd: path });
  const hook = join(path, 'hooks', 'pre-receive');
  await writeFile(hook, `#!/bin/sh\nwhile read old new ref; do echo "$old $new $ref" >> "${join(root, 'push.log')}"; done\nexit 0\n`, { mode: 0o755 });
  let clones = 0;

  const repo: BareRepo = {
    path,
    root,
    async commitAs(who, branch, changes, message) {
      clones += 1;
      const work = join(root, `work-${clones}`);
      const exists = (await repo.tip(branch)) !== undefined;
      await git(['clone', '--quiet', path, work]);
      if (exists) await git(['checkout', '--quiet', branch], { cwd: work });
      else await git(['checkout', '--quiet', '-B', branch], { cwd: work });
      for (const [file, content] of Object.entries(changes)) {
        await mkdir(dirname(join(work, file)), { recursive: true });
        await writeFile(join(work, file), content);
      }
      await git(['add', '-A'], { cwd: work });
      const env = { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
      await git(['commit', '--quiet', '-m', message], { cwd: work, env });
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: work });
      const sha = (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
      await rm(work, { recursive: true, force: true });
      return sha;
    },
    async tip(branch) {
      try {
        return (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: path })).trim() || undefined;
      } catch {
        return undefined;
      }
    },
    async refs() {
      const out = await git(['for-each-ref', '--format=%(refname) %(objectname)'], { cwd: path });
      return Object.fromEntries(
        out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' ') as [string, string]),
      );
    },
    async pushLog() {
      const text = await readFile(join(root, 'push.log'), 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean);
    },
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
  await repo.commitAs(seedAuthor, 'main', files, 'Seed the repository');
  // The seed push went through the hook too; start the log clean.
  await rm(join(root, 'push.log'), { force: true });
  return repo;
}

// ---------------------------------------------------------------------------------------------

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
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: string;
  labels: string[];
  created_at: string;
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
  body: unknown;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body: unknown;
  /** Runs before the reply is sent: e.g. another run creating the same pull request meanwhile. */
  effect?: () => void | Promise<void>;
}

export interface FakeGitHub {
  /** API root for Octokit's baseUrl. */
  url: string;
  owner: string;
  repo: string;
  pulls: FakePull[];
  issues: FakeIssue[];
  comments: Map<number, FakeComment[]>;
  labels: Map<string, FakeLabel>;
  calls: LoggedCall[];
  /** Calls that change state on GitHub (anything but GET/HEAD). */
  writes(): LoggedCall[];
  /** Queue a reply for the next matching request (before it reaches the handlers). */
  failNext(fault: Fault): void;
  /** What a maintainer does in the web UI. */
  closePull(number: number, options?: { merged?: boolean; at?: string }): void;
  editPullBody(number: number, body: string): void;
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
  /** Fixed clock for created_at/closed_at. */
  now?: () => string;
}

/** The real secondary-rate-limit reply (status 403, Retry-After in seconds). */
export function secondaryRateLimit(retryAfterSeconds: number, method: string, path: RegExp): Fault {
  return {
    method,
    path,
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-remaining': '4990' },
    body: {
      message:
        'You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '403',
    },
  };
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const { owner, repo, token, bare } = options;
  const botLogin = options.botLogin ?? 'icewatch-bot[bot]';
  const now = options.now ?? (() => '2025-06-01T12:00:00Z');
  const sockets = new Set<Socket>();
  const faults: Fault[] = [];
  let nextNumber = 1;
  let nextId = 1000;

  const state: FakeGitHub = {
    url: '',
    owner,
    repo,
    pulls: [],
    issues: [],
    comments: new Map(),
    labels: new Map(),
    calls: [],
    writes: () => state.calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD'),
    failNext: (fault) => faults.push(fault),
    closePull(number, opts = {}) {
      const pr = state.pulls.find((p) => p.number === number);
      if (!pr) throw new Error(`no pull #${number}`);
      pr.state = 'closed';
      pr.closed_at = opts.at ?? now();
      pr.merged_at = opts.merged ? pr.closed_at : null;
    },
    editPullBody(number, body) {
      const pr = state.pulls.find((p) => p.number === number);
      if (!pr) throw new Error(`no pull #${number}`);
      pr.body = body;
    },
    insertPull(p) {
      const number = nextNumber++;
      state.pulls.push({
        number,
        title: p.title,
        body: p.body,
        state: 'open',
        draft: p.draft ?? false,
        head: p.head,
        base: 'main',
        user: botLogin,
        labels: [],
        merged_at: null,
        closed_at: null,
        created_at: now(),
      });
      return number;
    },
    addForeignPull(p) {
      const number = nextNumber++;
      foreignHeads.set(number, p.headRepo);
      state.pulls.push({
        number,
        title: p.title,
        body: p.body,
        state: 'open',
        draft: false,
        head: p.head,
        base: 'main',
        user: p.user,
        labels: [],
        merged_at: null,
        closed_at: null,
        created_at: now(),
      });
      return number;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const foreignHeads = new Map<number, string>();
  const fullName = `${owner}/${repo}`;
  const html = (kind: 'pull' | 'issues', n: number) => `https://github.com/${fullName}/${kind}/${n}`;

  const labelJson = (name: string) => {
    const l = state.labels.get(name.toLowerCase());
    return l ?? { id: 0, name, color: 'ededed', description: null };
  };

  const pullJson = async (pr: FakePull) => {
    const foreign = foreignHeads.get(pr.number);
    const sha = foreign ? '0'.repeat(40) : ((await bare.tip(pr.head)) ?? '0'.repeat(40));
    return {
      url: `${state.url}/repos/${fullName}/pulls/${pr.number}`,
      id: pr.number + 500000,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      body: pr.body,
      draft: pr.draft,
      user: { login: pr.user, type: pr.user.endsWith('[bot]') ? 'Bot' : 'User' },
      labels: pr.labels.map(labelJson),
      html_url: html('pull', pr.number),
      created_at: pr.created_at,
      updated_at: pr.closed_at ?? pr.created_at,
      closed_at: pr.closed_at,
      merged_at: pr.merged_at,
      head: {
        label: `${(foreign ?? fullName).split('/')[0]}:${pr.head}`,
        ref: pr.head,
        sha,
        repo: { full_name: foreign ?? fullName, name: (foreign ?? fullName).split('/')[1] },
      },
      base: { label: `${owner}:${pr.base}`, ref: pr.base, repo: { full_name: fullName, name: repo } },
    };
  };

  const issueJson = (issue: FakeIssue) => ({
    url: `${state.url}/repos/${fullName}/issues/${issue.number}`,
    id: issue.number + 900000,
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    user: { login: issue.user, type: issue.user.endsWith('[bot]') ? 'Bot' : 'User' },
    labels: issue.labels.map(labelJson),
    html_url: html('issues', issue.number),
    created_at: issue.created_at,
  });

  /** GitHub's issues list includes pull requests, marked with a pull_request key. */
  const pullAsIssueJson = (pr: FakePull) => ({
    ...issueJson({ number: pr.number, title: pr.title, body: pr.body, state: pr.state, user: pr.user, labels: pr.labels, created_at: pr.created_at }),
    html_url: html('pull', pr.number),
    pull_request: { url: `${state.url}/repos/${fullName}/pulls/${pr.number}`, html_url: html('pull', pr.number) },
  });

  const validation = (resource: string, errors: Array<Record<string, string>>, doc: string) => ({
    status: 422,
    body: { message: 'Validation Failed', errors: errors.map((e) => ({ resource, ...e })), documentation_url: doc, status: '422' },
  });
  const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };

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

  type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

  const route = async (method: string, url: URL, input: Record<string, unknown>): Promise<Reply> => {
    const base = `/repos/${owner}/${repo}`;
    const path = url.pathname;
    if (!path.startsWith(`${base}/`)) return notFound;
    const rest = path.slice(base.length);
    let m: RegExpExecArray | null;

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
      return { status: 200, body: await Promise.all((page.body as FakePull[]).map(pullJson)), headers: page.headers };
    }
    if (rest === '/pulls' && method === 'POST') {
      const doc = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';
      const head = String(input.head ?? '');
      const baseRef = String(input.base ?? '');
      if (!input.title && !input.issue) return validation('PullRequest', [{ field: 'title', code: 'missing_field' }], doc);
      const headSha = await bare.tip(head);
      const baseSha = await bare.tip(baseRef);
      if (!baseSha) return validation('PullRequest', [{ field: 'base', code: 'invalid' }], doc);
      if (!headSha) return validation('PullRequest', [{ field: 'head', code: 'invalid' }], doc);
      if (state.pulls.some((p) => p.state === 'open' && p.head === head && p.base === baseRef && !foreignHeads.has(p.number))) {
        return validation('PullRequest', [{ code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }], doc);
      }
      const ahead = (await git(['rev-list', '--count', `${baseSha}..${headSha}`], { cwd: bare.path })).trim();
      if (ahead === '0') return validation('PullRequest', [{ code: 'custom', message: `No commits between ${baseRef} and ${head}` }], doc);
      const body = input.body === undefined ? null : String(input.body);
      if (body !== null && body.length > 65536) {
        return validation('Issue', [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }], doc);
      }
      const pr: FakePull = {
        number: nextNumber++,
        title: String(input.title),
        body,
        state: 'open',
        draft: input.draft === true,
        head,
        base: baseRef,
        user: botLogin,
        labels: [],
        merged_at: null,
        closed_at: null,
        created_at: now(),
      };
      state.pulls.push(pr);
      return { status: 201, body: await pullJson(pr) };
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pr = state.pulls.find((p) => p.number === Number(m![1]));
      if (!pr) return notFound;
      if (method === 'GET') return { status: 200, body: await pullJson(pr) };
      if (method === 'PATCH') {
        const doc = 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request';
        if (typeof input.body === 'string' && input.body.length > 65536) {
          return validation('Issue', [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }], doc);
        }
        if (typeof input.title === 'string') pr.title = input.title;
        if (typeof input.body === 'string') pr.body = input.body;
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
      const all = [
        ...state.issues.map((i) => ({ n: i.number, st: i.state, labels: i.labels, json: () => issueJson(i) })),
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
      if (typeof input.title !== 'string' || input.title === '') return validation('Issue', [{ field: 'title', code: 'missing_field' }], doc);
      if (typeof input.body === 'string' && input.body.length > 65536) {
        return validation('Issue', [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }], doc);
      }
      const labels = Array.isArray(input.labels) ? input.labels.map(String) : [];
      for (const l of labels) ensureLabel(l);
      const issue: FakeIssue = {
        number: nextNumber++,
        title: input.title,
        body: typeof input.body === 'string' ? input.body : null,
        state: 'open',
        user: botLogin,
        labels,
        created_at: now(),
      };
      state.issues.push(issue);
      return { status: 201, body: issueJson(issue) };
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest))) {
      const n = Number(m[1]);
      const issue = state.issues.find((i) => i.number === n);
      const pr = state.pulls.find((p) => p.number === n);
      if (!issue && !pr) return notFound;
      if (method === 'GET') return { status: 200, body: issue ? issueJson(issue) : pullAsIssueJson(pr!) };
      if (method === 'PATCH') {
        if (typeof input.body === 'string' && input.body.length > 65536) {
          return validation('Issue', [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }], 'https://docs.github.com/rest/issues/issues#update-an-issue');
        }
        const target = issue ?? pr!;
        if (typeof input.title === 'string') target.title = input.title;
        if (typeof input.body === 'string') target.body = input.body;
        if (input.state === 'open' || input.state === 'closed') target.state = input.state;
        return { status: 200, body: issue ? issueJson(issue) : pullAsIssueJson(pr!) };
      }
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const n = Number(m[1]);
      if (!state.issues.some((i) => i.number === n) && !state.pulls.some((p) => p.number === n)) return notFound;
      const list = state.comments.get(n) ?? [];
      if (method === 'GET') {
        const page = paginate(list, url);
        return {
          status: 200,
          body: (page.body as FakeComment[]).map((c) => ({ id: c.id, body: c.body, user: { login: c.user } })),
          headers: page.headers,
        };
      }
      if (method === 'POST') {
        if (typeof input.body !== 'string' || input.body === '') {
          return validation('IssueComment', [{ field: 'body', code: 'missing_field' }], 'https://docs.github.com/rest/issues/comments#create-an-issue-comment');
        }
        const comment = { id: nextId++, body: input.body, user: botLogin };
        list.push(comment);
        state.comments.set(n, list);
        return { status: 201, body: { id: comment.id, body: comment.body, user: { login: botLogin } } };
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
    if ((m = /^\/labels\/(.+)$/.exec(rest)) && method === 'GET') {
      const label = state.labels.get(decodeURIComponent(m[1]!).toLowerCase());
      return label ? { status: 200, body: label } : notFound;
    }
    if (rest === '/labels' && method === 'POST') {
      const name = String(input.name ?? '');
      if (state.labels.has(name.toLowerCase())) {
        return validation('Label', [{ code: 'already_exists', field: 'name' }], 'https://docs.github.com/rest/issues/labels#create-a-label');
      }
      const label: FakeLabel = { id: nextId++, name, color: String(input.color ?? 'ededed'), description: typeof input.description === 'string' ? input.description : null };
      state.labels.set(name.toLowerCase(), label);
      return { status: 201, body: label };
    }
    return notFound;
  };

  /** Adding an unknown label to an issue creates it, as GitHub does. */
  function ensureLabel(name: string): void {
    if (!state.labels.has(name.toLowerCase())) state.labels.set(name.toLowerCase(), { id: nextId++, name, color: 'ededed', description: null });
  }

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
      send(res, { status: 400, body: { message: 'Problems parsing JSON' } });
      return;
    }
    const log = (status: number) => state.calls.push({ method, path: `${url.pathname}${url.search}`, status, body: raw ? input : undefined });

    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${token}` && auth !== `Bearer ${token}` && auth !== `bearer ${token}`) {
      log(401);
      send(res, { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } });
      return;
    }
    const faultIndex = faults.findIndex((f) => f.method === method && f.path.test(url.pathname));
    if (faultIndex >= 0) {
      const [fault] = faults.splice(faultIndex, 1);
      await fault!.effect?.();
      log(fault!.status);
      send(res, { status: fault!.status, body: fault!.body, ...(fault!.headers ? { headers: fault!.headers } : {}) });
      return;
    }
    try {
      const reply = await route(method, url, input);
      log(reply.status);
      send(res, reply);
    } catch (error) {
      log(500);
      send(res, { status: 500, body: { message: `fake server error: ${(error as Error).message}` } });
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
