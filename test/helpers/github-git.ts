/**
 * The git side of the test GitHub: a real bare repository with GitHub's push rules in its
 * pre-receive hook, and what the web UI does to branches (merge, "Update branch", delete).
 *
 * Push rules (GitHub's own wording, printed by the hook so git shows it as `remote:` lines):
 * - a protected branch refuses pushes: "error: GH006: Protected branch update failed for
 *   refs/heads/main." / "error: Changes must be made through a pull request.";
 * - a token without the Workflows permission may not create or change a file under
 *   .github/workflows/: " ! [remote rejected] <b> -> <b> (refusing to allow a GitHub App to create or
 *   update workflow `.github/workflows/x.yml` without `workflows` permission)". For a new branch
 *   the change is counted against the default branch, as GitHub does.
 * Maintainer pushes (commitAs) act as an admin and bypass both, like GitHub's admins do by default.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** git with the user's global/system config ignored, so tests behave the same on every machine. */
export async function git(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<string> {
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

/** Who GitHub says made a commit it wrote itself (merges and "Update branch" in the web UI). */
export const GITHUB_COMMITTER: Identity = { name: 'GitHub', email: 'noreply@github.com' };

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
  /** Lines logged by the post-receive hook: one per accepted ref update ("<old> <new> <ref>"). */
  pushLog(): Promise<string[]>;
  /** GitHub's rules for pushes that do not come from a maintainer. */
  protectBranch(branch: string): Promise<void>;
  /** The pushing token lacks the Workflows permission (true) or has it (false). */
  refuseWorkflowPushes(refuse: boolean): Promise<void>;
  setDefaultBranch(branch: string): Promise<void>;
  /** Delete a branch (the web UI's "Delete branch"). */
  deleteBranch(branch: string): Promise<void>;
  /** Set a ref without hooks (what GitHub does for refs/pull/N/head). */
  updateRef(ref: string, sha: string): Promise<void>;
  /** A merge commit of `head` into `base` written by GitHub, as the web UI's merge button makes it. */
  mergeInto(base: string, head: string, who: Identity, message: string): Promise<string>;
  remove(): Promise<void>;
}

const ZERO = '0'.repeat(40);

function hookScript(root: string): string {
  return `#!/bin/sh
# GitHub's push rules (see test/helpers/github-git.ts). Maintainers bypass them, as admins do.
rules="${join(root, 'rules')}"
status=0
while read old new ref; do
  [ "$ICEWATCH_FAKE_ADMIN" = "1" ] && continue
  branch="\${ref#refs/heads/}"
  if [ -f "$rules/protected" ] && grep -qxF "$branch" "$rules/protected"; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    echo "error: Changes must be made through a pull request." >&2
    status=1
    continue
  fi
  if [ -f "$rules/deny-workflows" ] && [ "$new" != "${ZERO}" ]; then
    if [ "$old" = "${ZERO}" ]; then
      from="$(git rev-parse --verify -q "refs/heads/$(cat "$rules/default-branch")")"
    else
      from="$old"
    fi
    if [ -n "$from" ]; then
      changed="$(git diff --name-only "$from" "$new" -- .github/workflows | head -n 1)"
    else
      changed="$(git ls-tree -r --name-only "$new" -- .github/workflows | head -n 1)"
    fi
    if [ -n "$changed" ]; then
      echo " ! [remote rejected] $branch -> $branch (refusing to allow a GitHub App to create or update workflow \\\`$changed\\\` without \\\`workflows\\\` permission)" >&2
      status=1
    fi
  fi
done
exit $status
`;
}

/**
 * A bare repository with `main` holding `files`. uploadpack.allowFilter is on, as on GitHub, so
 * the bot's partial (blob-less) fetch is exercised.
 */
export async function createBareRepo(files: Record<string, string>, seedAuthor: Identity = { name: 'Seed', email: 'seed@example.org' }): Promise<BareRepo> {
  const root = await mkdtemp(join(tmpdir(), 'icewatch-gh-'));
  const path = join(root, 'remote.git');
  const rules = join(root, 'rules');
  await mkdir(rules);
  await writeFile(join(rules, 'default-branch'), 'main');
  await git(['init', '--quiet', '--bare', '--initial-branch=main', path]);
  await git(['config', 'uploadpack.allowFilter', 'true'], { cwd: path });
  await git(['config', 'uploadpack.allowAnySHA1InWant', 'true'], { cwd: path });
  await writeFile(join(path, 'hooks', 'pre-receive'), hookScript(root), { mode: 0o755 });
  await writeFile(
    join(path, 'hooks', 'post-receive'),
    `#!/bin/sh\nwhile read old new ref; do echo "$old $new $ref" >> "${join(root, 'push.log')}"; done\nexit 0\n`,
    { mode: 0o755 },
  );
  let clones = 0;
  const admin = { ICEWATCH_FAKE_ADMIN: '1' };

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
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: work, env: admin });
      const sha = (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
      await rm(work, { recursive: true, force: true });
      return sha;
    },
    async tip(branch) {
      try {
        return (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], { cwd: path })).trim() || undefined;
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
    async protectBranch(branch) {
      const file = join(rules, 'protected');
      const current = await readFile(file, 'utf8').catch(() => '');
      await writeFile(file, `${current}${branch}\n`);
    },
    async refuseWorkflowPushes(refuse) {
      if (refuse) await writeFile(join(rules, 'deny-workflows'), '1');
      else await rm(join(rules, 'deny-workflows'), { force: true });
    },
    async setDefaultBranch(branch) {
      await writeFile(join(rules, 'default-branch'), branch);
      await git(['symbolic-ref', 'HEAD', `refs/heads/${branch}`], { cwd: path });
    },
    async deleteBranch(branch) {
      await git(['update-ref', '-d', `refs/heads/${branch}`], { cwd: path });
    },
    async updateRef(ref, sha) {
      await git(['update-ref', ref, sha], { cwd: path });
    },
    async mergeInto(base, head, who, message) {
      const baseSha = await repo.tip(base);
      const headSha = await repo.tip(head);
      if (!baseSha || !headSha) throw new Error(`cannot merge ${head} into ${base}: missing branch`);
      const tree = (await git(['merge-tree', '--write-tree', baseSha, headSha], { cwd: path })).split('\n')[0]!.trim();
      const env = {
        GIT_AUTHOR_NAME: who.name,
        GIT_AUTHOR_EMAIL: who.email,
        GIT_COMMITTER_NAME: GITHUB_COMMITTER.name,
        GIT_COMMITTER_EMAIL: GITHUB_COMMITTER.email,
      };
      const sha = (await git(['commit-tree', tree, '-p', baseSha, '-p', headSha, '-m', message], { cwd: path, env })).trim();
      await git(['update-ref', `refs/heads/${base}`, sha, baseSha], { cwd: path });
      return sha;
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
