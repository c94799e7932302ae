import { afterEach, describe, expect, it } from 'vitest';
import { GitWorkspace } from '../../scripts/github/git-push.ts';
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
});
