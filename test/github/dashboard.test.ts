import { afterEach, describe, expect, it } from 'vitest';
import { isEmptyDashboard, renderDashboard, syncDashboard } from '../../scripts/github/dashboard.ts';
import type { DashboardContent } from '../../scripts/github/dashboard.ts';
import { parseDashboardMarker } from '../../scripts/github/marker.ts';
import { createGitHubClient } from '../../scripts/github/octokit.ts';
import { GITHUB_BODY_LIMIT } from '../../scripts/github/render-proposal.ts';
import type { ReviewItem } from '../../scripts/plan/types.ts';
import { contractProblems } from '../helpers/github-openapi.ts';
import { createBareRepo, startFakeGitHub } from '../helpers/github-server.ts';
import type { BareRepo, FakeGitHub } from '../helpers/github-server.ts';

const empty: DashboardContent = { open: [], waiting: [], needsMaintainer: [], dismissed: [], reviewQueue: [] };

const review: ReviewItem[] = [
  {
    kind: 'award',
    name: 'PALANTIR USG INC',
    source: 'usaspending',
    awardKey: 'CONT_AWD_70CMSD22C00000002_7012_-NONE-_-NONE-',
    matches: [{ companyId: 'palantir', relation: 'subsidiary', confidence: 0.8, method: 'fuzzy', reason: 'token overlap' }],
    url: 'https://www.usaspending.gov/award/CONT_AWD_70CMSD22C00000002_7012_-NONE-_-NONE-',
  },
  {
    kind: 'mention',
    name: '@everyone <img src=x onerror=alert(1)> \u202Egnp.exe #99',
    source: 'companies-that-work-with-ice',
    list: 'listed',
    matches: [],
    url: 'javascript:alert(1)',
  },
];

describe('renderDashboard', () => {
  it('lists each section with counts, sorted, and escapes review text', () => {
    const { body, contentHash } = renderDashboard({
      ...empty,
      open: [
        { id: 'sev1tech', title: 'Add SEV1TECH, LLC: 1 ICE award, none active', branch: 'icewatch/add-sev1tech', number: 3 },
        { id: 'lukos', title: 'Add LUKOS, LLC: 2 active ICE awards', branch: 'icewatch/add-lukos', number: 1 },
      ],
      waiting: [{ id: 'dynamis', title: 'Add DYNAMIS, INC.: 2 active ICE awards', branch: 'icewatch/add-dynamis', confidence: 0.95 }],
      reviewQueue: review,
      caps: { maxNewPerRun: 5, maxOpen: 20 },
    });
    expect(parseDashboardMarker(body)).toEqual({ contentHash });
    expect(body).toContain('### Open proposals (2)\n\n- #1 Add LUKOS, LLC: 2 active ICE awards\n- #3 Add SEV1TECH, LLC: 1 ICE award, none active');
    expect(body).toContain('- Add DYNAMIS, INC.: 2 active ICE awards (`icewatch/add-dynamis`, confidence 0.95)');
    expect(body).toContain('At most 5 pull requests are opened per run and 20 kept open at once');
    expect(body).toContain('### Review queue (2)');
    expect(body).toContain(
      '| [PALANTIR USG INC](https://www.usaspending.gov/award/CONT_AWD_70CMSD22C00000002_7012_-NONE-_-NONE-) | usaspending | award `CONT_AWD_70CMSD22C00000002_7012_-NONE-_-NONE-` | palantir (fuzzy, 0.80) |',
    );
    expect(body).not.toMatch(/@[A-Za-z]|(?<!\\)<img|\u202E|\]\(javascript:|(^|[^&\w])#99/m);
    expect(body).toContain('| @&#8203;everyone \\<img src=x onerror=alert\\(1\\)\\> gnp.exe #&#8203;99 | companies-that-work-with-ice | listed list | — |');
    expect(body).not.toContain('### Needs a maintainer');
    expect(body).not.toContain('### Dismissed');
  });

  it('changes its hash only when the content changes', () => {
    const a = renderDashboard({ ...empty, reviewQueue: review });
    expect(renderDashboard({ ...empty, reviewQueue: [...review].reverse() }).contentHash).toBe(a.contentHash);
    expect(renderDashboard({ ...empty, reviewQueue: review.slice(0, 1) }).contentHash).not.toBe(a.contentHash);
  });

  it('fits a huge review queue under GitHub’s limit', () => {
    const many: ReviewItem[] = Array.from({ length: 5000 }, (_, i) => ({ ...review[0]!, name: `RECIPIENT ${i} ${'X'.repeat(150)}` }));
    const { body } = renderDashboard({ ...empty, reviewQueue: many });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body).toContain('### Review queue (5000)');
    expect(body).toMatch(/\d+ more items are in the run report\./);
  });

  it('is empty when there is nothing to say', () => {
    expect(isEmptyDashboard(empty)).toBe(true);
    expect(isEmptyDashboard({ ...empty, reviewQueue: review })).toBe(false);
  });
});

describe('syncDashboard', () => {
  let bare: BareRepo | undefined;
  let gh: FakeGitHub | undefined;
  afterEach(async () => {
  if (gh) expect(contractProblems(gh.calls)).toEqual([]);
    await gh?.close();
    await bare?.remove();
  });

  it('creates the issue once, edits it only when content changes, and ignores look-alikes without the label', async () => {
    bare = await createBareRepo({ 'README.md': 'x\n' });
    gh = await startFakeGitHub({ owner: 'o', repo: 'r', token: 't0k', bare });
    // A stranger's issue copying the marker, without the bot's label (only collaborators can label).
    gh.issues.push({ number: 50, title: 'fake', body: renderDashboard({ ...empty, reviewQueue: review }).body, state: 'open', state_reason: null, user: 'mallory', labels: [], created_at: '2025-01-01T00:00:00Z', closed_at: null });
    const client = await createGitHubClient({ token: 't0k', baseUrl: gh.url, writeSpacingMs: 0, retryAfterBaseMs: 1 });
    const repo = { owner: 'o', repo: 'r' };

    expect(await syncDashboard(client, repo, empty)).toEqual({ action: 'none' });
    const created = await syncDashboard(client, repo, { ...empty, reviewQueue: review });
    expect(created.action).toBe('created');
    expect(gh.issues.map((i) => [i.number, i.user, i.labels])).toEqual([
      [50, 'mallory', []],
      [created.number, 'icewatch-bot[bot]', ['icewatch']],
    ]);
    const writes = gh.writes().length;
    expect(await syncDashboard(client, repo, { ...empty, reviewQueue: [...review].reverse() })).toMatchObject({ action: 'unchanged', number: created.number });
    expect(gh.writes().length).toBe(writes);
    expect(await syncDashboard(client, repo, { ...empty, reviewQueue: review.slice(1) })).toMatchObject({ action: 'updated', number: created.number });
    expect(gh.issues[1]!.body).toContain('### Review queue (1)');
    expect(gh.issues[0]!.title).toBe('fake');
  });
});
