/**
 * The propose step end to end: a stateful fake GitHub on 127.0.0.1 plus a real bare git
 * repository. Every scenario checks what GitHub and the repository hold afterwards, and counts
 * writes (API calls other than GET, and ref updates seen by the repository's pre-receive hook).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseNoticeMarker, parseProposalMarker } from '../../scripts/github/marker.ts';
import { proposeAll } from '../../scripts/github/propose.ts';
import type { ProposeOptions } from '../../scripts/github/propose.ts';
import { renderProposal } from '../../scripts/github/render-proposal.ts';
import { dismissedEntrySchema } from '../../scripts/registry/schema.ts';
import { GitHubError } from '../../scripts/util/errors.ts';
import { contractProblems } from '../helpers/github-openapi.ts';
import { createBareRepo, git, secondaryRateLimit, startFakeGitHub } from '../helpers/github-server.ts';
import type { BareRepo, FakeGitHub } from '../helpers/github-server.ts';
import { addProposal, madeUpAward, realAwardees, realProposals, slug, statusProposal } from './proposal-fixtures.ts';

const TOKEN = 'ghs_FAKEtoken0123456789abcdefghijklmnop';
const OWNER = 'techqueria';
const REPO = 'icewatch-data';
const BOT = { name: 'icewatch[bot]', email: '41898282+icewatch[bot]@users.noreply.github.com' };
const MAINTAINER = { name: 'Rosa Maintainer', email: 'rosa@example.org' };

let bare: BareRepo | undefined;
let gh: FakeGitHub | undefined;

afterEach(async () => {
  // Every request the bot sent and every reply it got conform to GitHub's REST description.
  if (gh) expect(contractProblems(gh.calls)).toEqual([]);
  await gh?.close();
  await bare?.remove();
  gh = undefined;
  bare = undefined;
});

async function setup() {
  bare = await createBareRepo({
    'README.md': '# icewatch data\n',
    'data/registry/companies/lukos.yaml': 'id: lukos\nname: LUKOS, LLC\nroles: [vendor]\n',
  });
  gh = await startFakeGitHub({ owner: OWNER, repo: REPO, token: TOKEN, bare });
  const logs: string[] = [];
  const log = { debug() {}, info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const options = (over: Partial<ProposeOptions> = {}): ProposeOptions => ({
    owner: OWNER,
    repo: REPO,
    api: { token: TOKEN, baseUrl: gh!.url, retryAfterBaseMs: 1, writeSpacingMs: 0 },
    git: { remoteUrl: bare!.path, baseBranch: 'main', author: BOT, env: { PATH: process.env.PATH } },
    log,
    ...over,
  });
  return { bare, gh, options, logs };
}

/** Files at the tip of a branch in the bare repository. */
async function show(repo: BareRepo, branch: string, path: string): Promise<string> {
  return git(['show', `refs/heads/${branch}:${path}`], { cwd: repo.path });
}

async function commitsAhead(repo: BareRepo, branch: string): Promise<string[]> {
  const out = await git(['log', '--format=%an <%ae>', `main..refs/heads/${branch}`], { cwd: repo.path });
  return out.trim().split('\n').filter(Boolean);
}

function writeSummary(fake: FakeGitHub, from = 0): string[] {
  return fake
    .writes()
    .slice(from)
    .map((c) => `${c.method} ${c.path.replace(`/repos/${OWNER}/${REPO}`, '')} ${c.status}`);
}

describe('proposeAll against a local GitHub and a bare repository', () => {
  it('first run opens one pull request per proposal; a second run with the same plan writes nothing', async () => {
    const { bare, gh, options } = await setup();
    const proposals = realProposals(3);
    expect(proposals.map((p) => p.companyId)).toEqual(['lukos', 'deloitte-consulting-llp', 'sev1tech']);
    // lukos is already in the registry seed only for the status test; here it is a new candidate id.

    const first = await proposeAll(proposals, options());
    expect(first.opened.map((o) => [o.number, o.branch])).toEqual([
      [1, 'icewatch/add-lukos'],
      [2, 'icewatch/add-deloitte-consulting-llp'],
      [3, 'icewatch/add-sev1tech'],
    ]);
    expect(first.updated).toEqual([]);
    expect(first.skipped).toEqual([]);
    expect(first.dashboard).toEqual({ action: 'created', number: 4, url: `https://github.com/${OWNER}/${REPO}/issues/4` });
    expect(writeSummary(gh)).toEqual([
      'POST /labels 201',
      'POST /labels 201',
      'POST /labels 201',
      'POST /labels 201',
      'POST /pulls 201',
      'POST /issues/1/labels 200',
      'POST /pulls 201',
      'POST /issues/2/labels 200',
      'POST /pulls 201',
      'POST /issues/3/labels 200',
      'POST /issues 201',
    ]);

    for (const [i, p] of proposals.entries()) {
      const pr = gh.pulls[i]!;
      const rendered = renderProposal(p);
      expect(pr.state).toBe('open');
      expect(pr.head).toBe(rendered.branch);
      expect(pr.base).toBe('main');
      expect(pr.title).toBe(rendered.title);
      expect(pr.body).toBe(rendered.body);
      expect(pr.draft).toBe(false);
      expect(pr.labels).toEqual(['icewatch', 'icewatch: new company']);
      expect(parseProposalMarker(pr.body)).toMatchObject({ id: p.companyId, kind: 'add-company', evidenceHash: p.evidenceHash });
      // One commit by the bot on top of main, holding exactly the proposal's files.
      expect(await commitsAhead(bare, rendered.branch)).toEqual([`${BOT.name} <${BOT.email}>`]);
      expect(await show(bare, rendered.branch, p.registryFile.path)).toBe(p.registryFile.content);
      expect(await show(bare, rendered.branch, p.evidenceFile.path)).toBe(p.evidenceFile.content);
      expect(await show(bare, rendered.branch, 'README.md')).toBe('# icewatch data\n');
    }
    expect(await bare.pushLog()).toHaveLength(3);
    expect(first.pushes.map((p) => [p.branch, p.forced])).toEqual([
      ['icewatch/add-lukos', false],
      ['icewatch/add-deloitte-consulting-llp', false],
      ['icewatch/add-sev1tech', false],
    ]);
    const dashboard = gh.issues[0]!;
    expect(dashboard.title).toBe('icewatch: proposals dashboard');
    expect(dashboard.labels).toEqual(['icewatch']);
    expect(dashboard.body).toContain('### Open proposals (3)');
    expect(dashboard.body).toContain('- #2 Add DELOITTE CONSULTING LLP: 4 active ICE awards');

    const writesBefore = gh.writes().length;
    const refsBefore = await bare.refs();
    const second = await proposeAll(proposals, options());
    expect(gh.writes().length).toBe(writesBefore);
    expect(await bare.pushLog()).toHaveLength(3);
    expect(await bare.refs()).toEqual(refsBefore);
    expect(second.opened).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.pushes).toEqual([]);
    expect(second.unchanged.map((u) => u.number)).toEqual([1, 2, 3]);
    expect(second.dashboard.action).toBe('unchanged');
    // Only reads, and never the token in a URL.
    expect(gh.calls.every((c) => !c.path.includes(TOKEN))).toBe(true);
  });

  it('changed evidence updates the pull request once, then nothing', async () => {
    const { bare, gh, options } = await setup();
    const proposals = realProposals(3);
    await proposeAll(proposals, options());
    const branch = 'icewatch/add-deloitte-consulting-llp';
    const tipBefore = await bare.tip(branch);

    const deloitte = realAwardees()[1]!;
    const extra = madeUpAward(deloitte.awards[0]!, '0101');
    const changed = [
      proposals[0]!,
      addProposal({ id: 'deloitte-consulting-llp', name: deloitte.name, awards: [...deloitte.awards, extra] }),
      proposals[2]!,
    ];
    const mark = gh.writes().length;
    const run = await proposeAll(changed, options());
    expect(run.updated.map((u) => [u.number, u.branch])).toEqual([[2, branch]]);
    expect(run.unchanged.map((u) => u.number)).toEqual([1, 3]);
    expect(writeSummary(gh, mark)).toEqual(['PATCH /pulls/2 200', 'PATCH /issues/4 200']);
    const pr = gh.pulls[1]!;
    expect(pr.title).toBe('Add DELOITTE CONSULTING LLP: 5 active ICE awards');
    expect(pr.body).toContain(`\`${extra.awardKey}\``);
    expect(parseProposalMarker(pr.body)?.evidenceHash).toBe(changed[1]!.evidenceHash);
    // The bot's own branch was rebuilt (lease-protected force push) with the new evidence file.
    expect(run.pushes).toEqual([{ branch, sha: await bare.tip(branch), forced: true }]);
    expect(await bare.tip(branch)).not.toBe(tipBefore);
    expect(await show(bare, branch, 'data/registry/evidence/deloitte-consulting-llp.json')).toContain(extra.awardKey);
    expect(gh.issues[0]!.body).toContain('- #2 Add DELOITTE CONSULTING LLP: 5 active ICE awards');

    const again = gh.writes().length;
    const pushes = (await bare.pushLog()).length;
    const rerun = await proposeAll(changed, options());
    expect(gh.writes().length).toBe(again);
    expect((await bare.pushLog()).length).toBe(pushes);
    expect(rerun.updated).toEqual([]);
  });

  it('keeps the boxes a maintainer ticked when the body is rewritten', async () => {
    const { gh, options } = await setup();
    const [p] = realProposals(2).slice(1);
    await proposeAll([p!], options({ dashboard: false }));
    gh.editPullBody(1, gh.pulls[0]!.body!.replace('- [ ] The awards are ICE awards', '- [x] The awards are ICE awards').replace(/\n/g, '\r\n'));
    const awardee = realAwardees()[1]!;
    const next = addProposal({ id: p!.companyId, name: awardee.name, awards: [...awardee.awards, madeUpAward(awardee.awards[0]!, '0102')] });
    const run = await proposeAll([next], options({ dashboard: false }));
    expect(run.updated).toHaveLength(1);
    expect(gh.pulls[0]!.body).toContain('- [x] The awards are ICE awards');
    expect(gh.pulls[0]!.body).toContain('- [ ] The award recipient is this company');
  });

  it('a pull request closed without merging is not reopened, is reported dismissed, and returns only with a new award', async () => {
    const { bare, gh, options } = await setup();
    const awardee = realAwardees().find((a) => a.uei === 'FD9WGFKHHRL4')!; // CELEEN LLC
    const id = slug(awardee.name);
    const p = addProposal({ id, name: awardee.name, awards: awardee.awards });
    await proposeAll([p], options());
    gh.closePull(1, { at: '2025-06-02T09:30:00Z' });

    const mark = gh.writes().length;
    const closed = await proposeAll([p], options());
    expect(closed.opened).toEqual([]);
    expect(closed.skipped).toEqual([
      expect.objectContaining({ id, reason: 'closed-unmerged', number: 1, url: `https://github.com/${OWNER}/${REPO}/pull/1` }),
    ]);
    expect(closed.dismissed).toEqual([
      {
        id,
        name: 'CELEEN LLC',
        reason: 'pull request #1 was closed without merging',
        date: '2025-06-02',
        pullRequest: `https://github.com/${OWNER}/${REPO}/pull/1`,
        evidenceHash: p.evidenceHash,
        awardKeys: awardee.awards.map((a) => a.awardKey).sort(),
      },
    ]);
    expect(dismissedEntrySchema.safeParse(closed.dismissed[0]).success).toBe(true);
    expect(gh.pulls[0]!.state).toBe('closed');
    // Only the dashboard changed (it lists the dismissal); no pull request was created or reopened.
    expect(writeSummary(gh, mark)).toEqual(['PATCH /issues/2 200']);
    expect(gh.issues[0]!.body).toContain('### Dismissed (1)');

    // Changed evidence the plan did not flag as new since the dismissal: still dismissed, and the
    // award keys of the closed proposal are read back from its branch.
    const moved = addProposal({ id, name: awardee.name, awards: awardee.awards.slice(0, 1) });
    const stillClosed = await proposeAll([moved], options({ dashboard: false }));
    expect(stillClosed.opened).toEqual([]);
    expect(stillClosed.dismissed[0]).toMatchObject({ evidenceHash: p.evidenceHash, awardKeys: awardee.awards.map((a) => a.awardKey).sort() });

    // A new award: a new pull request that says what is new.
    const extra = madeUpAward(awardee.awards[0]!, '0201');
    const back = addProposal({ id, name: awardee.name, awards: [...awardee.awards, extra], newSinceDismissal: [extra.awardKey] });
    const returned = await proposeAll([back], options());
    expect(returned.opened.map((o) => [o.number, o.branch])).toEqual([[3, `icewatch/add-${id}`]]);
    const pr = gh.pulls.find((x) => x.number === 3)!;
    expect(pr.state).toBe('open');
    expect(pr.body).toContain('### What is new');
    expect(pr.body).toContain('This company was proposed before in #1 and the pull request was closed without merging.');
    expect(pr.body).toContain(`\`${extra.awardKey}\` by ICE (contract, active, runs until 2026-01-14) — **new**.`);
    expect(gh.pulls[0]!.state).toBe('closed');
    expect(await show(bare, `icewatch/add-${id}`, `data/registry/evidence/${id}.json`)).toContain(extra.awardKey);

    const quiet = gh.writes().length;
    await proposeAll([back], options());
    expect(gh.writes().length).toBe(quiet);
  });

  it('never rewrites a branch with a maintainer’s commit: it comments once instead', async () => {
    const { bare, gh, options } = await setup();
    const awardee = realAwardees().find((a) => a.uei === 'GS59ABNVD6N7')!; // CACI NSS, LLC
    const id = slug(awardee.name);
    const branch = `icewatch/add-${id}`;
    const p = addProposal({ id, name: awardee.name, awards: awardee.awards });
    await proposeAll([p], options());
    const fixed = `id: ${id}\nname: CACI NSS\nparent: caci\nroles: [vendor]\n`;
    const maintainerSha = await bare.commitAs(MAINTAINER, branch, { [`data/registry/companies/${id}.yaml`]: fixed }, 'Set parent to CACI');
    const pushesBefore = (await bare.pushLog()).length;
    const bodyBefore = gh.pulls[0]!.body;

    const newer = addProposal({ id, name: awardee.name, awards: [...awardee.awards, madeUpAward(awardee.awards[0]!, '0301')] });
    const mark = gh.writes().length;
    const run = await proposeAll([newer], options());
    expect(run.updated).toEqual([]);
    expect(run.pushes).toEqual([]);
    expect(run.skipped).toEqual([expect.objectContaining({ id, reason: 'maintainer-commits', number: 1, commented: true })]);
    expect(await bare.tip(branch)).toBe(maintainerSha);
    expect((await bare.pushLog()).length).toBe(pushesBefore);
    expect(await show(bare, branch, `data/registry/companies/${id}.yaml`)).toBe(fixed);
    expect(gh.pulls[0]!.body).toBe(bodyBefore);
    expect(writeSummary(gh, mark)).toEqual(['POST /issues/1/comments 201', 'PATCH /issues/2 200']);
    const comments = gh.comments.get(1) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('has 1 commit(s) by someone other than the bot');
    expect(parseNoticeMarker(comments[0]!.body)).toEqual({ id, contentHash: renderProposal(newer).marker.contentHash });
    expect(gh.issues[0]!.body).toContain('### Needs a maintainer (1)');

    const quiet = gh.writes().length;
    await proposeAll([newer], options());
    expect(gh.writes().length).toBe(quiet);
    expect(gh.comments.get(1)).toHaveLength(1);
  });

  it('leaves a merged proposal alone, and opens a new one on the same branch for different evidence', async () => {
    const { gh, options } = await setup();
    const lukos = realAwardees().find((a) => a.uei === 'HB6GKZYMMW89')!;
    const file = (note: string) => [{ path: 'data/registry/companies/lukos.yaml', content: `id: lukos\nname: LUKOS, LLC\nroles: [vendor]\nnotes: ${note}\n` }];
    const ended = statusProposal('lukos', lukos.name, lukos.awards, file('ended'));
    await proposeAll([ended], options({ dashboard: false }));
    gh.closePull(1, { merged: true });

    const mark = gh.writes().length;
    const again = await proposeAll([ended], options({ dashboard: false }));
    expect(again.skipped).toEqual([expect.objectContaining({ id: 'lukos', reason: 'merged', number: 1 })]);
    expect(again.dismissed).toEqual([]);
    expect(gh.writes().length).toBe(mark);

    const endedAgain = statusProposal('lukos', lukos.name, [{ ...madeUpAward(lukos.awards[0]!, '0401'), end: '2025-02-01', active: false }], file('ended again'));
    const next = await proposeAll([endedAgain], options({ dashboard: false }));
    expect(next.skipped).toEqual([]);
    expect(next.opened.map((o) => [o.number, o.branch])).toEqual([[2, 'icewatch/status-lukos']]);
  });

  it('caps new pull requests per run and open at once; the overflow waits on the dashboard', async () => {
    const { gh, options } = await setup();
    const proposals = realProposals(5);
    const caps = { maxNewPerRun: 2, maxOpen: 3 };
    const first = await proposeAll(proposals, options({ caps }));
    expect(first.opened.map((o) => o.id)).toEqual(['lukos', 'deloitte-consulting-llp']);
    expect(first.skipped.map((s) => [s.id, s.reason])).toEqual([
      ['sev1tech', 'cap-per-run'],
      ['dynamis', 'cap-per-run'],
      ['parsons-government-services', 'cap-per-run'],
    ]);
    const board = gh.issues[0]!.body!;
    expect(board).toContain('### Waiting for a pull request (3)');
    expect(board).toContain('At most 2 pull requests are opened per run and 3 kept open at once');
    expect(board).toContain('(`icewatch/add-sev1tech`, confidence 1.00)');
    expect(board).toContain('(`icewatch/add-parsons-government-services`, confidence 1.00)');

    const second = await proposeAll(proposals, options({ caps }));
    expect(second.opened.map((o) => o.id)).toEqual(['sev1tech']);
    expect(second.skipped.map((s) => [s.id, s.reason])).toEqual([
      ['dynamis', 'cap-open'],
      ['parsons-government-services', 'cap-open'],
    ]);
    expect(gh.pulls.filter((p) => p.state === 'open')).toHaveLength(3);
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.body).toContain('### Waiting for a pull request (2)');
    expect(gh.issues[0]!.body).toContain('### Open proposals (3)');
  });

  it('waits out a secondary rate limit (403 with retry-after) and then succeeds', async () => {
    const { gh, options, logs } = await setup();
    const [p] = realProposals(1);
    gh.failNext(secondaryRateLimit(60, 'POST', /\/pulls$/));
    const started = Date.now();
    const run = await proposeAll([p!], options({ dashboard: false }));
    const elapsed = Date.now() - started;
    expect(run.opened).toHaveLength(1);
    expect(gh.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/pulls')).map((c) => c.status)).toEqual([403, 201]);
    expect(gh.pulls).toHaveLength(1);
    // retry-after 60 s with a 1 ms base: at least 60 ms.
    expect(elapsed).toBeGreaterThanOrEqual(60);
    expect(logs.some((l) => /secondary rate limit on POST .*\/pulls: waiting 60s/.test(l))).toBe(true);
  });

  it('retries a 502 from GitHub', async () => {
    const { gh, options } = await setup();
    const [p] = realProposals(1);
    gh.failNext({ method: 'GET', path: /\/pulls$/, status: 502, body: { message: 'Server Error' } });
    const run = await proposeAll([p!], options({ dashboard: false }));
    expect(run.opened).toHaveLength(1);
    expect(gh.calls.filter((c) => c.method === 'GET' && c.path.startsWith(`/repos/${OWNER}/${REPO}/pulls?`)).map((c) => c.status)).toEqual([502, 200]);
  });

  it('handles "A pull request already exists" by adopting the open one, never duplicating', async () => {
    const { gh, options } = await setup();
    const [p] = realProposals(1);
    const rendered = renderProposal(p!);
    gh.failNext({
      method: 'POST',
      path: /\/pulls$/,
      status: 422,
      // A concurrent run opened it between our scan and our create.
      effect: () => {
        gh.insertPull({ title: rendered.title, body: rendered.body, head: rendered.branch });
      },
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${OWNER}:${rendered.branch}.` }],
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        status: '422',
      },
    });
    const run = await proposeAll([p!], options({ dashboard: false }));
    expect(run.opened).toEqual([]);
    expect(run.unchanged.map((u) => u.number)).toEqual([1]);
    expect(gh.pulls.filter((x) => x.head === rendered.branch)).toHaveLength(1);
  });

  it('ignores a fork’s pull request that copies the marker', async () => {
    const { gh, options } = await setup();
    const [p] = realProposals(1);
    const rendered = renderProposal(p!);
    const forged = gh.addForeignPull({ title: 'Add LUKOS', body: rendered.body, head: rendered.branch, headRepo: 'mallory/icewatch-data', user: 'mallory' });
    const run = await proposeAll([p!], options({ dashboard: false }));
    expect(run.opened.map((o) => o.number)).toEqual([2]);
    expect(gh.writes().some((w) => w.path.includes(`/pulls/${forged}`) || w.path.includes(`/issues/${forged}/`))).toBe(false);
  });

  it('opens drafts below the threshold, status-change pull requests, and lists file-less changes for a maintainer', async () => {
    const { bare, gh, options } = await setup();
    const celeen = realAwardees().find((a) => a.uei === 'FD9WGFKHHRL4')!;
    const lukos = realAwardees().find((a) => a.uei === 'HB6GKZYMMW89')!;
    const low = addProposal({ id: 'celeen', name: celeen.name, awards: celeen.awards, confidence: 0.85 });
    const ended = statusProposal('lukos', lukos.name, lukos.awards, [
      { path: 'data/registry/companies/lukos.yaml', content: 'id: lukos\nname: LUKOS, LLC\nroles: [vendor]\nnotes: no active ICE award\n' },
    ]);
    const question = { ...statusProposal('sev1tech', 'SEV1TECH, LLC', [], []), from: 'active' as const, to: 'active' as const, reason: 'companies-that-work-with-ice no longer lists it' };
    const run = await proposeAll([low, ended, question], options({ draftBelowConfidence: 0.9 }));
    expect(run.opened.map((o) => [o.branch, o.draft])).toEqual([
      ['icewatch/add-celeen', true],
      ['icewatch/status-lukos', false],
    ]);
    expect(gh.pulls[0]!.draft).toBe(true);
    expect(gh.pulls[1]!.labels).toEqual(['icewatch', 'icewatch: status change']);
    expect(gh.pulls[1]!.title).toBe('Update LUKOS, LLC: active → ended');
    expect(await show(bare, 'icewatch/status-lukos', 'data/registry/companies/lukos.yaml')).toContain('notes: no active ICE award');
    expect(run.skipped).toEqual([expect.objectContaining({ id: 'sev1tech', reason: 'no-file-changes' })]);
    expect(gh.issues[0]!.body).toContain('### Needs a maintainer (1)');
    expect(gh.issues[0]!.body).toContain('companies-that-work-with-ice no longer lists it');
  });

  it('fails with a GitHubError (no token in the message) when GitHub rejects the credentials', async () => {
    const { options } = await setup();
    const [p] = realProposals(1);
    const error = await proposeAll([p!], options({ api: { token: 'ghs_wrongtoken', baseUrl: gh!.url, retryAfterBaseMs: 1, writeSpacingMs: 0 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ details: { status: 401, endpoint: `GET /repos/${OWNER}/${REPO}/pulls` } });
    expect((error as Error).message).toMatch(/^GitHub: GET \/repos\/techqueria\/icewatch-data\/pulls failed with 401: Bad credentials/);
    expect((error as Error).message).not.toContain('ghs_wrongtoken');
  });
});
