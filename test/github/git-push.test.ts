import { afterEach, describe, expect, it } from 'vitest';
import { GitWorkspace, refusal } from '../../scripts/github/git-push.ts';
import type { GitWorkspaceOptions } from '../../scripts/github/git-push.ts';
import { createBareRepo, git } from '../helpers/github-server.ts';
import type { BareRepo } from '../helpers/github-server.ts';

const BOT = { name: 'icewatch[bot]', email: 'icewatch-bot@example.org' };
const MAINTAINER = { name: 'Rosa Maintainer', email: 'rosa@example.org' };
const BRANCH = 'icewatch/add-bluestone-analytics';
const YAML = 'data/registry/companies/bluestone-analytics.yaml';

let bare: BareRepo | undefined;
const open: GitWorkspace[] = [];

afterEach(async () => {
  for (const ws of open.splice(0)) await ws.close();
  await bare?.remove();
  bare = undefined;
});

async function workspace(extra: Partial<GitWorkspaceOptions> = {}): Promise<GitWorkspace> {
  const ws = await GitWorkspace.open({ remoteUrl: bare!.path, baseBranch: 'main', author: BOT, env: { PATH: process.env.PATH }, ...extra });
  open.push(ws);
  return ws;
}

describe('GitWorkspace', () => {
  it('creates, leaves alone, and rebuilds the bot’s branch on the current base', async () => {
    bare = await createBareRepo({ 'README.md': 'data\n', 'data/snapshots/usaspending.jsonl': '{"awardKey":"CONT_AWD_X"}\n' });
    const ws = await workspace();
    const files = [{ path: YAML, content: 'id: bluestone-analytics\nname: BLUESTONE ANALYTICS LLC\n' }];

    const created = await ws.syncBranch(BRANCH, files, 'Add BLUESTONE ANALYTICS LLC\n');
    expect(created).toMatchObject({ action: 'created', branch: BRANCH, forced: false });
    expect(await bare.tip(BRANCH)).toBe(created.action === 'created' ? created.sha : '');
    const log = await git(['log', '--format=%an|%ae|%cn|%ce|%s', `main..${BRANCH}`], { cwd: bare.path });
    expect(log.trim()).toBe(`${BOT.name}|${BOT.email}|${BOT.name}|${BOT.email}|Add BLUESTONE ANALYTICS LLC`);
    // The base tree is kept: the commit only adds the proposal's file.
    const diff = await git(['diff', '--name-status', `main..${BRANCH}`], { cwd: bare.path });
    expect(diff.trim()).toBe(`A\t${YAML}`);

    expect(await ws.syncBranch(BRANCH, files, 'Add BLUESTONE ANALYTICS LLC\n')).toMatchObject({ action: 'unchanged' });

    const updated = await ws.syncBranch(BRANCH, [{ path: YAML, content: 'id: bluestone-analytics\nname: Bluestone Analytics\n' }], 'Update\n');
    expect(updated).toMatchObject({ action: 'updated', forced: true });
    expect(await git(['rev-list', '--count', `main..${BRANCH}`], { cwd: bare.path })).toBe('1\n');
    expect(await ws.readFile(BRANCH, YAML)).toBe('id: bluestone-analytics\nname: Bluestone Analytics\n');
    expect(ws.pushes.map((p) => p.forced)).toEqual([false, true]);
    expect(await bare.pushLog()).toHaveLength(2);
  });

  it('reports no-diff when the base already holds the files', async () => {
    bare = await createBareRepo({ [YAML]: 'id: bluestone-analytics\n' });
    const ws = await workspace();
    expect(await ws.syncBranch(BRANCH, [{ path: YAML, content: 'id: bluestone-analytics\n' }], 'x\n')).toEqual({ action: 'no-diff', branch: BRANCH });
    expect(await bare.tip(BRANCH)).toBeUndefined();
  });

  it('sees a maintainer’s commit and never rewrites the branch', async () => {
    bare = await createBareRepo({ 'README.md': 'data\n' });
    const first = await workspace();
    await first.syncBranch(BRANCH, [{ path: YAML, content: 'a\n' }], 'Add\n');
    const theirs = await bare.commitAs(MAINTAINER, BRANCH, { [YAML]: 'a\nparent: x\n' }, 'Fix parent');

    const ws = await workspace();
    const state = await ws.branchState(BRANCH);
    expect(state.commits.map((c) => c.authorEmail)).toEqual([MAINTAINER.email, BOT.email]);
    expect(state.maintainerCommits.map((c) => [c.sha, c.subject])).toEqual([[theirs, 'Fix parent']]);
    const outcome = await ws.syncBranch(BRANCH, [{ path: YAML, content: 'b\n' }], 'Update\n');
    expect(outcome).toMatchObject({ action: 'kept-maintainer-commits', sha: theirs });
    expect(await bare.tip(BRANCH)).toBe(theirs);
    expect(ws.pushes).toEqual([]);
  });

  it('counts a commit the bot authored but a maintainer rebased (committer differs) as theirs', async () => {
    bare = await createBareRepo({ 'README.md': 'data\n' });
    const first = await workspace();
    await first.syncBranch(BRANCH, [{ path: YAML, content: 'a\n' }], 'Add\n');
    const work = `${bare.root}/rebase`;
    await git(['clone', '--quiet', '--branch', BRANCH, bare.path, work]);
    await git(['commit', '--quiet', '--amend', '-m', 'Add (reworded)'], {
      cwd: work,
      env: { GIT_COMMITTER_NAME: MAINTAINER.name, GIT_COMMITTER_EMAIL: MAINTAINER.email },
    });
    await git(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${BRANCH}`], { cwd: work });
    const ws = await workspace();
    const state = await ws.branchState(BRANCH);
    expect(state.maintainerCommits).toHaveLength(1);
    expect(state.maintainerCommits[0]).toMatchObject({ authorEmail: BOT.email, committerEmail: MAINTAINER.email });
  });

  it('loses the race safely: a commit pushed after the fetch makes the lease fail', async () => {
    bare = await createBareRepo({ 'README.md': 'data\n' });
    const first = await workspace();
    await first.syncBranch(BRANCH, [{ path: YAML, content: 'a\n' }], 'Add\n');
    const ws = await workspace(); // fetched now: only the bot's commit
    const theirs = await bare.commitAs(MAINTAINER, BRANCH, { [YAML]: 'a\nparent: x\n' }, 'Fix parent');
    expect(await ws.syncBranch(BRANCH, [{ path: YAML, content: 'c\n' }], 'Update\n')).toEqual({ action: 'remote-changed', branch: BRANCH });
    expect(ws.pushes).toEqual([]);
    expect(await bare.tip(BRANCH)).toBe(theirs);
  });

  it('touches only the bot’s branches and only paths inside the repository', async () => {
    bare = await createBareRepo({ 'README.md': 'data\n' });
    const ws = await workspace();
    await expect(ws.syncBranch('main', [{ path: YAML, content: 'x' }], 'x\n')).rejects.toThrow(/not one of the bot's/);
    await expect(ws.syncBranch('icewatch/../main', [{ path: YAML, content: 'x' }], 'x\n')).rejects.toThrow(/not one of the bot's/);
    await expect(ws.syncBranch(BRANCH, [{ path: '../escape', content: 'x' }], 'x\n')).rejects.toThrow(/outside the repository/);
    expect(await bare.refs()).toEqual({ 'refs/heads/main': await bare.tip('main') });
  });

  it('keeps the token out of error messages', async () => {
    const token = 'ghs_SECRETtoken0123456789abcdefghij';
    bare = await createBareRepo({ 'README.md': 'data\n' });
    // Nothing listens on port 9 of 127.0.0.1: git fails to connect, after having been given the header.
    const error = await GitWorkspace.open({
      remoteUrl: 'http://127.0.0.1:9/techqueria/icewatch-data.git',
      token,
      baseBranch: 'main',
      author: BOT,
      env: { PATH: process.env.PATH },
      timeoutSeconds: 20,
    }).then(
      () => new Error('expected the fetch to fail'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^GitHub: git fetch failed/);
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64'));
  });

  it('reads GitHub’s refusals from git’s output', () => {
    // As git prints them for a push GitHub refuses (App token, OAuth token, protected branch).
    expect(
      refusal(
        'To https://github.com/o/r.git\n ! [remote rejected] icewatch/add-x -> icewatch/add-x (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)\nerror: failed to push some refs',
      ),
    ).toEqual({
      rule: 'workflows-permission',
      file: '.github/workflows/ci.yml',
      detail: 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission',
    });
    expect(refusal('! [remote rejected] b -> b (refusing to allow an OAuth App to create or update workflow `.github/workflows/x.yml` without `workflow` scope)')).toMatchObject({
      rule: 'workflows-permission',
      file: '.github/workflows/x.yml',
    });
    expect(refusal('remote: error: GH006: Protected branch update failed for refs/heads/icewatch/add-x.\n ! [remote rejected] icewatch/add-x -> icewatch/add-x (protected branch hook declined)')).toEqual({
      rule: 'protected-branch',
      detail: 'GH006: Protected branch update failed for refs/heads/icewatch/add-x.',
    });
    expect(refusal(' ! [remote rejected] b -> b (pre-receive hook declined)')).toEqual({ rule: 'other', detail: '[remote rejected] b -> b (pre-receive hook declined)' });
    expect(refusal('fatal: unable to access')).toBeUndefined();
  });

  it('counts GitHub’s "Update branch" merge as no one’s commit, but a person’s merge as theirs', async () => {
    bare = await createBareRepo({ 'README.md': 'data\n' });
    const first = await workspace();
    await first.syncBranch(BRANCH, [{ path: YAML, content: 'a\n' }], 'Add\n');
    await bare.commitAs(MAINTAINER, 'main', { 'README.md': 'data v2\n' }, 'README');
    const merge = async (committer: { name: string; email: string }) => {
      const head = (await bare!.tip(BRANCH))!;
      const main = (await bare!.tip('main'))!;
      const tree = (await git(['merge-tree', '--write-tree', head, main], { cwd: bare!.path })).split('\n')[0]!;
      const env = { GIT_AUTHOR_NAME: MAINTAINER.name, GIT_AUTHOR_EMAIL: MAINTAINER.email, GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email };
      const sha = (await git(['commit-tree', tree, '-p', head, '-p', main, '-m', `Merge branch 'main' into ${BRANCH}`], { cwd: bare!.path, env })).trim();
      await bare!.updateRef(`refs/heads/${BRANCH}`, sha);
    };
    await merge({ name: 'GitHub', email: 'noreply@github.com' });
    expect((await (await workspace()).branchState(BRANCH)).maintainerCommits).toEqual([]);
    await merge(MAINTAINER);
    expect((await (await workspace()).branchState(BRANCH)).maintainerCommits.map((c) => c.committerEmail)).toEqual([MAINTAINER.email]);
  });
});
