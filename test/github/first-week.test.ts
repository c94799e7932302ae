/**
 * A maintainer's first week with the bot on real GitHub: each case is a rule of GitHub's the test
 * server models (github-server.ts, github-git.ts) and what the bot must do about it. Every call in
 * every case is also checked against GitHub's REST description.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { proposeAll } from '../../scripts/github/propose.ts';
import type { ProposeOptions } from '../../scripts/github/propose.ts';
import { renderProposal } from '../../scripts/github/render-proposal.ts';
import { contractProblems } from '../helpers/github-openapi.ts';
import { createBareRepo, git, primaryRateLimit, secondaryRateLimit, serverError, startFakeGitHub } from '../helpers/github-server.ts';
import type { BareRepo, FakeGitHub, FakeGitHubOptions } from '../helpers/github-server.ts';
import { addProposal, madeUpAward, realAwardees, realProposals } from './proposal-fixtures.ts';

const TOKEN = 'ghs_FAKEtoken0123456789abcdefghijklmnop';
const OWNER = 'techqueria';
const REPO = 'icewatch-data';
const BOT = { name: 'icewatch[bot]', email: '41898282+icewatch[bot]@users.noreply.github.com' };
const MAINTAINER = { name: 'Rosa Maintainer', email: 'rosa@example.org' };

let bare: BareRepo | undefined;
let gh: FakeGitHub | undefined;

afterEach(async () => {
  if (gh) expect(contractProblems(gh.calls)).toEqual([]);
  await gh?.close();
  await bare?.remove();
  gh = undefined;
  bare = undefined;
});

async function setup(server: Partial<FakeGitHubOptions> = {}) {
  bare = await createBareRepo({ 'README.md': '# icewatch data\n', '.github/workflows/ci.yml': 'name: ci\n' });
  gh = await startFakeGitHub({ owner: OWNER, repo: REPO, token: TOKEN, bare, ...server });
  const options = (over: Partial<ProposeOptions> = {}): ProposeOptions => ({
    owner: OWNER,
    repo: REPO,
    api: { token: TOKEN, baseUrl: gh!.url, retryAfterBaseMs: 1, writeSpacingMs: 0 },
    // No base branch: the bot asks GitHub for the repository's default branch.
    git: { remoteUrl: bare!.path, author: BOT, env: { PATH: process.env.PATH } },
    ...over,
  });
  return { bare, gh, options };
}

function newer(i: number, suffix: string) {
  const a = realAwardees()[i]!;
  return addProposal({ id: realProposals(i + 1)[i]!.companyId, name: a.name, awards: [...a.awards, madeUpAward(a.awards[0]!, suffix)] });
}

describe('the bot on GitHub’s rules', () => {
  it('1. a workflow change on main refused for a token without Workflows: the old branch stays, the rest go on, the dashboard says what to grant', async () => {
    const { bare, gh, options } = await setup();
    const [a] = realProposals(1);
    await proposeAll([a!], options());
    const before = await bare.tip('icewatch/add-lukos');
    await bare.commitAs(MAINTAINER, 'main', { '.github/workflows/ci.yml': 'name: ci\non: push\n' }, 'CI on push');
    await bare.refuseWorkflowPushes(true);

    const b = realProposals(2)[1]!;
    const run = await proposeAll([newer(0, '0701'), b], options());
    expect(run.skipped).toEqual([expect.objectContaining({ id: 'lukos', reason: 'push-refused' })]);
    expect(run.skipped[0]!.detail).toContain('.github/workflows/ci.yml');
    expect(await bare.tip('icewatch/add-lukos')).toBe(before);
    // The next proposal and the dashboard still happened.
    expect(run.opened.map((o) => o.id)).toEqual([b.companyId]);
    expect(run.failures).toEqual([]);
    const board = gh.issues[0]!.body!;
    expect(board).toContain('Repository permissions → Workflows: Read and write');
  });

  it('2. the notice never says to delete the branch; the rebuild label lets the bot rewrite it, once, keeping the pull request open', async () => {
    const { bare, gh, options } = await setup();
    const [a] = realProposals(1);
    await proposeAll([a!], options());
    await bare.commitAs(MAINTAINER, 'icewatch/add-lukos', { 'data/registry/companies/lukos.yaml': 'id: lukos\nname: LUKOS\n' }, 'Fix name');
    const first = await proposeAll([newer(0, '0702')], options());
    expect(first.skipped[0]).toMatchObject({ reason: 'maintainer-commits', commented: true });
    const notice = gh.comments.get(1)![0]!.body;
    expect(notice).not.toMatch(/delete the branch \(closing/);
    expect(notice).toContain('add the label `icewatch: rebuild`');

    gh.addPullLabel(1, 'icewatch: rebuild');
    const rebuilt = await proposeAll([newer(0, '0702')], options());
    expect(rebuilt.updated.map((u) => u.number)).toEqual([1]);
    expect(rebuilt.dismissed).toEqual([]);
    expect(gh.pulls[0]!.state).toBe('open');
    expect(gh.pulls[0]!.labels).not.toContain('icewatch: rebuild');
    const authors = (await git(['log', '--format=%ae', 'main..refs/heads/icewatch/add-lukos'], { cwd: bare.path })).trim().split('\n');
    expect(authors).toEqual([BOT.email]);
  });

  it('3. "Update branch" (a merge committed by GitHub) is not a maintainer’s commit: newer evidence still updates the branch', async () => {
    const { bare, gh, options } = await setup();
    const [a] = realProposals(1);
    await proposeAll([a!], options());
    await bare.commitAs(MAINTAINER, 'main', { 'README.md': '# icewatch data, v2\n' }, 'README');
    const merge = await gh.updateBranch(1, MAINTAINER);
    const committer = (await git(['log', '-1', '--format=%cn <%ce>', merge], { cwd: bare.path })).trim();
    expect(committer).toBe('GitHub <noreply@github.com>');

    const run = await proposeAll([newer(0, '0703')], options());
    expect(run.skipped).toEqual([]);
    expect(run.updated.map((u) => u.number)).toEqual([1]);
  });

  it('4. a dismissal recorded after the branch was deleted and the evidence moved still keeps its award keys', async () => {
    const { gh, options } = await setup();
    const awardee = realAwardees()[1]!; // four awards
    expect(awardee.awards.length).toBeGreaterThan(1);
    const p = realProposals(2)[1]!;
    await proposeAll([p], options());
    gh.closePull(1, { at: '2025-06-03T10:00:00Z' });
    await gh.deleteBranch(renderProposal(p).branch);
    const moved = addProposal({ id: p.companyId, name: awardee.name, awards: awardee.awards.slice(0, 1) });
    expect(moved.evidenceHash).not.toBe(p.evidenceHash);
    const run = await proposeAll([moved], options());
    expect(run.dismissed).toEqual([expect.objectContaining({ id: p.companyId, awardKeys: awardee.awards.map((x) => x.awardKey).sort() })]);
  });

  it('deleting a proposal’s branch closes its pull request (GitHub’s rule), and a merge moves main', async () => {
    const { bare, gh, options } = await setup();
    const proposals = realProposals(2);
    await proposeAll(proposals, options({ dashboard: false }));
    await gh.deleteBranch('icewatch/add-lukos');
    expect(gh.pulls[0]).toMatchObject({ state: 'closed', merged_at: null, headDeleted: true });
    const mainBefore = await bare.tip('main');
    const sha = await gh.mergePull(2, { deleteBranch: true });
    expect(await bare.tip('main')).toBe(sha);
    expect(sha).not.toBe(mainBefore);
    expect(await bare.tip(renderProposal(proposals[1]!).branch)).toBeUndefined();
    const again = await proposeAll(proposals, options({ dashboard: false }));
    expect(again.opened).toEqual([]);
    expect(again.skipped.find((s) => s.id === proposals[1]!.companyId)).toMatchObject({ reason: 'merged' });
  });

  it('5. a 5xx after GitHub created the dashboard never makes a second one; a closed dashboard stays closed unless configured', async () => {
    const { gh, options } = await setup();
    gh.failNext(serverError('POST', /\/issues$/, true));
    const [a] = realProposals(1);
    const run = await proposeAll([a!], options());
    expect(run.dashboard.action).toBe('created');
    expect(gh.issues).toHaveLength(1);
    expect(gh.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/issues')).map((c) => c.status)).toEqual([502]);

    gh.closeIssue(gh.issues[0]!.number, 'not_planned');
    const second = await proposeAll([...realProposals(2)], options());
    expect(second.dashboard.action).toBe('closed');
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.state).toBe('closed');
    const reopened = await proposeAll([...realProposals(2)], options({ reopenClosedDashboard: true }));
    expect(reopened.dashboard.action).toBe('reopened');
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.state).toBe('open');
  });

  it('5b. a 5xx after GitHub created the pull request or the notice comment never doubles them', async () => {
    const { bare, gh, options } = await setup();
    gh.failNext(serverError('POST', /\/pulls$/, true));
    const [a] = realProposals(1);
    const run = await proposeAll([a!], options({ dashboard: false }));
    expect(run.opened.map((o) => o.number)).toEqual([1]);
    expect(gh.pulls).toHaveLength(1);
    await bare.commitAs(MAINTAINER, 'icewatch/add-lukos', { 'x.txt': 'x\n' }, 'mine');
    gh.failNext(serverError('POST', /\/comments$/, true));
    await proposeAll([newer(0, '0705')], options({ dashboard: false }));
    expect(gh.comments.get(1)).toHaveLength(1);
  });

  it('6. Issues disabled (410) fails only the dashboard: proposals are opened and dismissals learned are returned', async () => {
    const { gh, options } = await setup({ settings: { hasIssues: false } });
    const proposals = realProposals(2);
    await proposeAll([proposals[0]!], options({ dashboard: false }));
    gh.closePull(1);
    const run = await proposeAll(proposals, options());
    expect(run.dismissed.map((d) => d.id)).toEqual(['lukos']);
    expect(run.opened.map((o) => o.id)).toEqual([proposals[1]!.companyId]);
    expect(run.failures).toEqual([expect.objectContaining({ id: 'dashboard', status: 410 })]);
    expect(run.failures[0]!.message).toContain('Settings → General → Features → Issues');
  });

  it('8. Actions not permitted to create pull requests (403): no crash, the exact setting, other proposals still updated', async () => {
    const { gh, options } = await setup({ tokenKind: 'actions' });
    gh.settings.actionsCanCreatePullRequests = true;
    const [a, b, c] = realProposals(3);
    await proposeAll([a!], options({ dashboard: false }));
    gh.settings.actionsCanCreatePullRequests = false;
    const run = await proposeAll([newer(0, '0708'), b!, c!], options({ dashboard: false }));
    expect(run.updated.map((u) => u.id)).toEqual(['lukos']);
    expect(run.failures).toEqual([expect.objectContaining({ id: b!.companyId, status: 403 })]);
    expect(run.failures[0]!.message).toContain('Allow GitHub Actions to create and approve pull requests');
    // The third is not tried against the same refusal again.
    expect(run.skipped).toEqual([expect.objectContaining({ id: c!.companyId, reason: 'failed' })]);
    expect(gh.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pulls')).map((x) => x.status)).toEqual([201, 403]);
  });

  it('8. the base is the repository’s default branch, not "main"', async () => {
    const { bare, gh, options } = await setup();
    await bare.commitAs(MAINTAINER, 'trunk', { 'README.md': '# trunk\n' }, 'trunk');
    await bare.setDefaultBranch('trunk');
    gh.settings.defaultBranch = 'trunk';
    const [a] = realProposals(1);
    const run = await proposeAll([a!], options({ dashboard: false }));
    expect(run.opened).toHaveLength(1);
    expect(gh.pulls[0]!.base).toBe('trunk');
    expect(await git(['show', 'refs/heads/icewatch/add-lukos:README.md'], { cwd: bare.path })).toBe('# trunk\n');
  });

  it('drafts unsupported (422) fall back to a ready pull request', async () => {
    const { gh, options } = await setup({ settings: { draftPullRequests: false } });
    const awardee = realAwardees()[0]!;
    const low = addProposal({ id: 'lukos', name: awardee.name, awards: awardee.awards, confidence: 0.8 });
    const run = await proposeAll([low], options({ dashboard: false, draftBelowConfidence: 0.9 }));
    expect(run.opened).toHaveLength(1);
    expect(gh.pulls[0]!.draft).toBe(false);
    expect(gh.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pulls')).map((x) => [x.status, (x.body as { draft: boolean }).draft])).toEqual([
      [422, true],
      [201, false],
    ]);
  });

  it('the primary rate limit (remaining 0, reset far away) stops the run but returns what it learned', async () => {
    const { gh, options } = await setup();
    const proposals = realProposals(3);
    await proposeAll([proposals[0]!], options({ dashboard: false }));
    gh.closePull(1);
    gh.failNext(primaryRateLimit(7200, 'POST', /\/pulls$/));
    const run = await proposeAll(proposals, options({ api: { token: TOKEN, baseUrl: gh.url, retryAfterBaseMs: 1, writeSpacingMs: 0, maxRateLimitWaitSeconds: 60 } }));
    expect(run.dismissed.map((d) => d.id)).toEqual(['lukos']);
    expect(run.failures).toEqual([expect.objectContaining({ id: proposals[1]!.companyId, status: 403 })]);
    expect(run.skipped.find((s) => s.id === proposals[2]!.companyId)).toMatchObject({ reason: 'not-attempted' });
  });

  it('a secondary limit as 429 is waited out', async () => {
    const { gh, options } = await setup();
    gh.failNext(secondaryRateLimit(30, 'POST', /\/pulls$/, 429));
    const run = await proposeAll(realProposals(1), options({ dashboard: false }));
    expect(run.opened).toHaveLength(1);
    expect(gh.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pulls')).map((x) => x.status)).toEqual([429, 201]);
  });

  it('9. a first run creates its labels from one listing, without 404 probes', async () => {
    const { gh, options } = await setup();
    await proposeAll(realProposals(1), options());
    expect(gh.calls.filter((c) => c.status === 404)).toEqual([]);
    expect(gh.calls.filter((c) => c.path.includes('/labels')).map((c) => `${c.method} ${c.path.replace(/^\/repos\/[^/]+\/[^/]+/, '')}`)).toEqual([
      'GET /labels?per_page=100',
      'POST /labels',
      'POST /labels',
      'POST /labels',
      'POST /labels',
      'POST /issues/1/labels',
    ]);
  });
});
