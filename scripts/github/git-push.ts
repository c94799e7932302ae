/**
 * The git side of a proposal, with the real `git` binary: a private bare repository fetches the base
 * branch and the bot's branches (trees and commits only: blobs stay on the server), builds each
 * proposal commit with plumbing (read-tree / update-index / write-tree / commit-tree, so no working
 * tree is checked out and the caller's checkout is never touched) and pushes it.
 *
 * Rules, in the spirit of create-pull-request and Renovate:
 * - a branch whose files already hold the proposal's content is left alone (no push);
 * - a branch that carries a commit by anyone but the bot is never rewritten: the caller comments on
 *   the pull request instead. GitHub's own "Update branch" merge (committed by GitHub, merging the
 *   base in) is not a maintainer's commit: it brings nothing but the base;
 * - GitHub refusing a push (a workflow file changed by the new base and a token without the
 *   Workflows permission, or a protected branch) is an outcome, not a crash: the old branch stays;
 * - otherwise the branch is rebuilt as one commit on the current base and pushed with
 *   --force-with-lease against the tip we saw, so a commit pushed meanwhile makes the push fail
 *   instead of being lost.
 *
 * The token never appears in argv, in git's config files or in messages: it is passed to git as an
 * HTTP header through GIT_CONFIG_* environment variables, and scrubbed from any error text.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubError } from '../util/errors.ts';
import { assertRepoPath } from './render-proposal.ts';
import type { ProposalFile } from './render-proposal.ts';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface GitWorkspaceOptions {
  /** Where to push: https://github.com/<owner>/<repo>.git, or a path/file:// URL to a bare repository. */
  remoteUrl: string;
  /** Sent as an HTTP Authorization header for https remotes; never stored or printed. */
  token?: string;
  /** The branch proposals start from, e.g. "main". */
  baseBranch: string;
  /** Author and committer of the bot's commits. */
  author: GitIdentity;
  /** Other emails whose commits count as the bot's own (e.g. a previous bot identity). */
  botEmails?: string[];
  /** Prefix of the bot's branches; fetched so their history can be inspected. Default "icewatch/". */
  branchPrefix?: string;
  /** Directory for the private repository; a temp directory (removed on close) when not given. */
  workdir?: string;
  /** Fetch without file contents (partial clone). Default true. */
  partialClone?: boolean;
  gitBinary?: string;
  /**
   * Base environment for git (PATH, proxies…). The CLI passes its own; the default is a plain PATH.
   * Git's global and system config are always ignored so a user's signing or hooks settings cannot
   * change what the bot commits.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Seconds before a git command is killed. Default 300. */
  timeoutSeconds?: number;
}

/** Who GitHub names as committer of what it writes itself (web-UI merges, "Update branch"). */
export const GITHUB_WEB_COMMITTER = 'noreply@github.com';

export interface BranchCommit {
  sha: string;
  /** Parent commits (two or more for a merge). */
  parents: string[];
  authorName: string;
  authorEmail: string;
  committerName: string;
  committerEmail: string;
  subject: string;
}

export interface BranchState {
  branch: string;
  exists: boolean;
  tip?: string;
  /** Commits on the branch that are not on the base branch, newest first. */
  commits: BranchCommit[];
  /** Of those, the ones authored or committed by someone other than the bot. */
  maintainerCommits: BranchCommit[];
}

export type SyncOutcome =
  | { action: 'unchanged'; branch: string; sha: string }
  | { action: 'created' | 'updated'; branch: string; sha: string; forced: boolean }
  | { action: 'kept-maintainer-commits'; branch: string; sha: string; maintainerCommits: BranchCommit[] }
  | { action: 'no-diff'; branch: string }
  /** Someone pushed to the branch after our fetch; the lease refused to overwrite it. */
  | { action: 'remote-changed'; branch: string }
  /** GitHub refused the push; the branch is as it was. `rule` says which of GitHub's rules. */
  | { action: 'refused'; branch: string; rule: 'workflows-permission' | 'protected-branch' | 'other'; detail: string; file?: string };

interface RunOptions {
  input?: string;
  env?: Record<string, string>;
}

export class GitWorkspace {
  /** Branches pushed by this workspace, in order (tests and the run summary read it). */
  readonly pushes: Array<{ branch: string; sha: string; forced: boolean }> = [];
  private readonly botEmails: Set<string>;
  private readonly prefix: string;
  private baseTip = '';

  private constructor(
    private readonly options: GitWorkspaceOptions,
    readonly gitDir: string,
    private readonly ownsDir: boolean,
  ) {
    this.botEmails = new Set([options.author.email, ...(options.botEmails ?? [])].map((e) => e.toLowerCase()));
    this.prefix = options.branchPrefix ?? 'icewatch/';
  }

  /** Creates the private repository and fetches the base branch and the bot's branches. */
  static async open(options: GitWorkspaceOptions): Promise<GitWorkspace> {
    if (!/^[A-Za-z0-9._/-]+$/.test(options.baseBranch)) throw new GitHubError(`invalid base branch name: ${options.baseBranch}`);
    const ownsDir = !options.workdir;
    const dir = options.workdir ?? (await mkdtemp(join(tmpdir(), 'icewatch-git-')));
    const ws = new GitWorkspace(options, dir, ownsDir);
    try {
      await ws.git(['init', '--bare', '--quiet', dir], { cwd: false });
      await ws.git(['remote', 'add', 'origin', options.remoteUrl]);
      await ws.fetch();
    } catch (error) {
      await ws.close();
      throw error;
    }
    return ws;
  }

  async fetch(): Promise<void> {
    const base = this.options.baseBranch;
    const args = ['fetch', '--quiet', '--no-tags', '--prune'];
    if (this.options.partialClone ?? true) args.push('--filter=blob:none');
    args.push(
      'origin',
      `+refs/heads/${base}:refs/remotes/origin/${base}`,
      `+refs/heads/${this.prefix}*:refs/remotes/origin/${this.prefix}*`,
    );
    await this.git(args);
    this.baseTip = (await this.git(['rev-parse', '--verify', `refs/remotes/origin/${base}^{commit}`])).trim();
  }

  async close(): Promise<void> {
    if (this.ownsDir) await rm(this.gitDir, { recursive: true, force: true });
  }

  async branchState(branch: string): Promise<BranchState> {
    this.checkBranch(branch);
    const tip = await this.resolve(`refs/remotes/origin/${branch}`);
    if (!tip) return { branch, exists: false, commits: [], maintainerCommits: [] };
    const out = await this.git([
      'log',
      '--format=%H%x1f%P%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%s%x1e',
      `refs/remotes/origin/${this.options.baseBranch}..${tip}`,
    ]);
    const commits = out
      .split('\x1e')
      .map((record) => record.replace(/^\n/, ''))
      .filter((record) => record.length > 0)
      .map((record) => {
        const [sha = '', parents = '', authorName = '', authorEmail = '', committerName = '', committerEmail = '', subject = ''] = record.split('\x1f');
        return { sha, parents: parents.split(' ').filter(Boolean), authorName, authorEmail, committerName, committerEmail, subject };
      });
    const maintainerCommits: BranchCommit[] = [];
    for (const c of commits) if (!(await this.isBotOrGitHubCommit(c))) maintainerCommits.push(c);
    return { branch, exists: true, tip, commits, maintainerCommits };
  }

  /**
   * The bot's own commit (author and committer are the bot; GitHub as committer when it rebased the
   * bot's commit), or GitHub's "Update branch" merge: committed by GitHub, and every parent but the
   * first already on the base, so it adds nothing of a person's own.
   */
  private async isBotOrGitHubCommit(c: BranchCommit): Promise<boolean> {
    const author = c.authorEmail.toLowerCase();
    const committer = c.committerEmail.toLowerCase();
    if (this.botEmails.has(author) && (this.botEmails.has(committer) || committer === GITHUB_WEB_COMMITTER)) return true;
    if (committer !== GITHUB_WEB_COMMITTER || c.parents.length < 2) return false;
    if (!/^Merge branch '[^']+' into /.test(c.subject)) return false;
    const base = `refs/remotes/origin/${this.options.baseBranch}`;
    for (const parent of c.parents.slice(1)) {
      try {
        await this.git(['merge-base', '--is-ancestor', parent, base]);
      } catch {
        return false;
      }
    }
    // The merge's tree must be exactly "first parent + base": a conflict resolved by hand is a person's work.
    const [first] = c.parents;
    const merged = (await this.git(['merge-tree', '--write-tree', first!, c.parents[1]!]).catch(() => '')).split('\n')[0]?.trim();
    const tree = (await this.git(['rev-parse', `${c.sha}^{tree}`])).trim();
    return merged === tree;
  }

  /** True when every file exists at `commit` with exactly this content. */
  async filesMatch(commit: string, files: ProposalFile[]): Promise<boolean> {
    if (files.length === 0) return true;
    const wanted = await this.blobIds(files, false);
    const actual = await this.treeEntries(commit, files.map((f) => f.path));
    return files.every((f) => actual.get(f.path) === wanted.get(f.path));
  }

  /**
   * Make `branch` hold `files` on top of the base branch. See the module comment for the rules.
   */
  async syncBranch(branch: string, files: ProposalFile[], message: string, options: { overrideMaintainerCommits?: boolean } = {}): Promise<SyncOutcome> {
    this.checkBranch(branch);
    for (const f of files) assertRepoPath(f.path);
    const state = await this.branchState(branch);
    if (state.exists && state.tip && (await this.filesMatch(state.tip, files))) {
      return { action: 'unchanged', branch, sha: state.tip };
    }
    if (state.maintainerCommits.length > 0 && state.tip && !options.overrideMaintainerCommits) {
      return { action: 'kept-maintainer-commits', branch, sha: state.tip, maintainerCommits: state.maintainerCommits };
    }
    const commit = await this.buildCommit(files, message);
    if (!commit) return { action: 'no-diff', branch };
    const lease = `--force-with-lease=refs/heads/${branch}:${state.tip ?? ''}`;
    try {
      await this.git(['push', '--quiet', '--no-verify', lease, 'origin', `${commit}:refs/heads/${branch}`]);
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      if (/\(stale info\)|\[rejected\]/.test(error.message)) return { action: 'remote-changed', branch };
      const refused = refusal(error.message);
      if (refused) return { action: 'refused', branch, ...refused };
      throw error;
    }
    await this.git(['update-ref', `refs/remotes/origin/${branch}`, commit]);
    const forced = state.exists;
    this.pushes.push({ branch, sha: commit, forced });
    return { action: state.exists ? 'updated' : 'created', branch, sha: commit, forced };
  }

  /**
   * A file as a pull request last held it: GitHub keeps refs/pull/<n>/head after the branch is
   * deleted, so a closed proposal's evidence can be read back. Undefined when GitHub has no such ref.
   */
  async readPullFile(number: number, path: string): Promise<string | undefined> {
    assertRepoPath(path);
    if (!Number.isInteger(number) || number <= 0) throw new GitHubError(`invalid pull request number ${number}`);
    const local = `refs/remotes/origin/pull/${number}`;
    try {
      const args = ['fetch', '--quiet', '--no-tags'];
      if (this.options.partialClone ?? true) args.push('--filter=blob:none');
      await this.git([...args, 'origin', `+refs/pull/${number}/head:${local}`]);
    } catch {
      return undefined;
    }
    const entries = await this.treeEntries(local, [path]);
    const blob = entries.get(path);
    return blob ? this.git(['cat-file', 'blob', blob]) : undefined;
  }

  /** The content of a file on a branch, or undefined (fetches the one blob on demand). */
  async readFile(branch: string, path: string): Promise<string | undefined> {
    this.checkBranch(branch);
    assertRepoPath(path);
    const tip = await this.resolve(`refs/remotes/origin/${branch}`);
    if (!tip) return undefined;
    const entries = await this.treeEntries(tip, [path]);
    const blob = entries.get(path);
    if (!blob) return undefined;
    return this.git(['cat-file', 'blob', blob]);
  }

  // -------------------------------------------------------------------------------------------

  private checkBranch(branch: string): void {
    if (!branch.startsWith(this.prefix) || !/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..')) {
      throw new GitHubError(`refusing to touch branch ${JSON.stringify(branch)}: not one of the bot's (${this.prefix}*)`);
    }
  }

  private async resolve(ref: string): Promise<string | undefined> {
    try {
      return (await this.git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  private async blobIds(files: ProposalFile[], write: boolean): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const f of files) {
      const args = write ? ['hash-object', '-w', '--stdin'] : ['hash-object', '--stdin'];
      ids.set(f.path, (await this.git(args, { input: f.content })).trim());
    }
    return ids;
  }

  private async treeEntries(commit: string, paths: string[]): Promise<Map<string, string>> {
    const out = await this.git(['ls-tree', '-z', '--full-tree', commit, '--', ...paths]);
    const entries = new Map<string, string>();
    for (const record of out.split('\0')) {
      const tab = record.indexOf('\t');
      if (tab < 0) continue;
      const [, type, id] = record.slice(0, tab).split(' ');
      if (type === 'blob' && id) entries.set(record.slice(tab + 1), id);
    }
    return entries;
  }

  /** One commit on the base tip with `files` written; undefined when it would change nothing. */
  private async buildCommit(files: ProposalFile[], message: string): Promise<string | undefined> {
    const index = join(this.gitDir, `icewatch-index-${process.pid}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      await this.git(['read-tree', this.baseTip], { env });
      const blobs = await this.blobIds(files, true);
      const info = files.map((f) => `100644 ${blobs.get(f.path)}\t${f.path}`).join('\n');
      if (info) await this.git(['update-index', '--add', '--index-info'], { env, input: `${info}\n` });
      // --missing-ok: the base tree's blobs were never fetched (partial clone) and are not needed.
      const tree = (await this.git(['write-tree', '--missing-ok'], { env })).trim();
      const baseTree = (await this.git(['rev-parse', `${this.baseTip}^{tree}`])).trim();
      if (tree === baseTree) return undefined;
      const { name, email } = this.options.author;
      const identity = {
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_COMMITTER_NAME: name,
        GIT_COMMITTER_EMAIL: email,
      };
      return (await this.git(['commit-tree', tree, '-p', this.baseTip, '-F', '-'], { env: identity, input: message })).trim();
    } finally {
      await rm(index, { force: true });
    }
  }

  private git(args: string[], run: RunOptions & { cwd?: false } = {}): Promise<string> {
    const token = this.options.token;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.env ?? { PATH: '/usr/local/bin:/usr/bin:/bin' })) {
      if (v !== undefined) env[k] = v;
    }
    Object.assign(env, {
      GIT_DIR: this.gitDir,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
      LC_ALL: 'C',
      ...run.env,
    });
    if (token) {
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    }
    if (run.cwd === false) delete env.GIT_DIR;
    const binary = this.options.gitBinary ?? 'git';
    return new Promise((resolve, reject) => {
      const child = execFile(
        binary,
        args,
        { env, cwd: run.cwd === false ? undefined : this.gitDir, maxBuffer: 256 * 1024 * 1024, timeout: (this.options.timeoutSeconds ?? 300) * 1000, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const detail = this.redact(`${stderr || error.message}`.trim()).slice(0, 2000);
          reject(new GitHubError(`git ${args[0]} failed: ${detail}`, { endpoint: `git ${args[0]}` }));
        },
      );
      if (run.input !== undefined) child.stdin?.end(run.input);
      else child.stdin?.end();
    });
  }

  private redact(text: string): string {
    const token = this.options.token;
    if (!token) return text;
    const encoded = Buffer.from(`x-access-token:${token}`).toString('base64');
    return text.split(token).join('***').split(encoded).join('***');
  }
}

/**
 * GitHub's refusals of a push, from git's stderr: the `[remote rejected]` line and the reason
 * GitHub gives (for workflow files, the file it names; for protected branches, GH006).
 */
export function refusal(text: string): { rule: 'workflows-permission' | 'protected-branch' | 'other'; detail: string; file?: string } | undefined {
  if (!/\[remote rejected\]|GH006|refusing to allow/.test(text)) return undefined;
  const workflow = /refusing to allow an? [^\n]*? to create or update workflow `([^`]+)`[^\n)]*/.exec(text);
  if (workflow) return { rule: 'workflows-permission', detail: workflow[0].trim(), file: workflow[1]! };
  const gh006 = /GH006: Protected branch update failed for [^\n]*/.exec(text);
  if (gh006) return { rule: 'protected-branch', detail: gh006[0].trim() };
  const rejected = /\[remote rejected\][^\n]*/.exec(text);
  return { rule: 'other', detail: (rejected?.[0] ?? 'push refused').trim() };
}
