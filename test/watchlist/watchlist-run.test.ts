/**
 * A watch list through real runs over the recorded data: a simulated new ICE award to a watched company
 * shows up in the next run's report, its Atom feed and its tracking-issue comment (posted to the local
 * fake GitHub); a rerun with nothing new adds nothing anywhere.
 */
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../scripts/github/octokit.ts';
import { syncWatchlistIssue } from '../../scripts/github/watchlist-issue.ts';
import { runPipeline, type RunResult } from '../../scripts/pipeline/run.ts';
import type { AwardRecord } from '../../scripts/records.ts';
import { readSnapshot, writeSnapshot } from '../../scripts/snapshots/store.ts';
import { watchlistFeedPath, watchlistStatePath } from '../../scripts/watchlist/outputs.ts';
import { createBareRepo, startFakeGitHub, type BareRepo, type FakeGitHub } from '../helpers/github-server.ts';
import { ownFixture } from '../helpers/shared-fixtures.ts';
import { recordedDataDir, removeDir } from '../pipeline/recorded-data.ts';
import { assertAtom } from '../feeds/atom-assert.ts';

const now = new Date('2026-11-27T12:00:00Z');
const log = () => {};
const NEW_KEY = 'CONT_AWD_70CDCR26FR0000999_7012_GS00Q14OADU113_4732';

let dataDir: string;
let reportsDir: string;
let bare: BareRepo;
let gh: FakeGitHub;

beforeAll(async () => {
  dataDir = await recordedDataDir();
  reportsDir = join(dataDir, 'reports');
  await mkdir(join(dataDir, 'watchlists'), { recursive: true });
  await cp(ownFixture('check/watchlist-sponsors.yaml'), join(dataDir, 'watchlists', 'sponsors.yaml'));
  bare = await createBareRepo({ 'README.md': 'x\n' });
  gh = await startFakeGitHub({ owner: 'o', repo: 'r', token: 't0k', bare });
}, 90_000);
afterAll(async () => {
  await gh?.close();
  await bare?.remove();
  await removeDir(dataDir);
});

const run = (asOf = '2026-11-27') => runPipeline({ dataDir, reportsDir, asOf, now, offline: true, log });
const files = async () => ({
  feed: await readFile(watchlistFeedPath(dataDir, 'sponsors'), 'utf8'),
  state: await readFile(watchlistStatePath(dataDir, 'sponsors'), 'utf8'),
});

/** A new ICE task order to Deloitte Consulting (watched), added to the download snapshot as a fetch would. */
async function simulateNewAward(): Promise<void> {
  const snap = (await readSnapshot(dataDir, 'usaspending-download'))!;
  const model = snap.records.find((r): r is AwardRecord => r.recordType === 'award' && r.recipient.name === 'DELOITTE CONSULTING LLP')!;
  const award: AwardRecord = {
    ...model,
    awardKey: NEW_KEY,
    piid: '70CDCR26FR0000999',
    start: '2026-11-01',
    end: '2027-10-31',
    amounts: { obligated: 1234567.89 },
    description: 'MADE BY THE PROJECT FOR TESTS: SIMULATED TASK ORDER',
    url: `https://www.usaspending.gov/award/${NEW_KEY}`,
  };
  const { recordCount: _c, contentHash: _h, source: _s, ...meta } = snap.meta;
  await writeSnapshot(dataDir, 'usaspending-download', [...snap.records, award], meta);
}

async function syncIssue(result: RunResult) {
  const plan = result.watchlists[0]!.issue!;
  const client = await createGitHubClient({ token: 't0k', baseUrl: gh.url, writeSpacingMs: 0, retryAfterBaseMs: 1 });
  return syncWatchlistIssue(client, { owner: 'o', repo: 'r' }, plan);
}

describe('a watch list across runs', { timeout: 120_000 }, () => {
  it('sees a new award in the report, the feed and the issue comment, and a rerun adds nothing', async () => {
    // Baseline: the first run over the recordings (whatever it finds is history, not today's news).
    await run('2020-07-12');
    const first = await run();
    expect(first.watchlists.map((o) => o.watchlist.id)).toEqual(['sponsors']);
    const baseline = await syncIssue(first);
    expect(baseline.issue).toBe('created');
    // The replayed history is the first run's news: one comment with it.
    expect(first.watchlists[0]!.newEvents.length).toBeGreaterThan(0);
    expect(gh.comments.get(baseline.number)).toHaveLength(1);
    const before = await files();
    assertAtom(before.feed);

    const quiet = await run();
    expect(quiet.watchlists[0]!.newEvents).toEqual([]);
    expect(quiet.watchlists[0]!.issue!.comment).toBeUndefined();
    expect(await files()).toEqual(before);
    expect(await syncIssue(quiet)).toMatchObject({ issue: 'unchanged', comment: 'none' });

    await simulateNewAward();
    const next = await run();
    const events = next.watchlists[0]!.newEvents;
    expect(events.map((e) => [e.kind, e.companyId, e.watched])).toEqual([
      ['new-award', 'deloitte', 'Deloitte Consulting LLP'],
      ['status-change', 'deloitte', 'Deloitte Consulting LLP'],
    ]);
    expect(events[0]!.id).toBe(`tag:icewatch.github.io,2026:watchlists/sponsors/award/deloitte/${NEW_KEY}`);

    // The report section.
    const report = await readFile(next.reportPath!, 'utf8');
    expect(report).toContain('## Watch lists');
    expect(report).toMatch(new RegExp(`New ICE award: Deloitte\\]\\(https://www.usaspending.gov/award/${NEW_KEY}\\)`));
    // The feed: one entry per event, valid Atom, the new entries added to those it had.
    const after = await files();
    const feed = assertAtom(after.feed);
    expect(feed.entryIds).toEqual(expect.arrayContaining([...assertAtom(before.feed).entryIds, ...events.map((e) => e.id)]));
    expect(after.feed).toContain('<title>New ICE award: Deloitte</title>');
    expect(feed.entryIds.length).toBe(assertAtom(before.feed).entryIds.length + 2);
    // The issue comment, posted once even when the same plan is applied twice.
    const writes = gh.writes().length;
    expect(await syncIssue(next)).toMatchObject({ issue: 'unchanged', comment: 'posted', number: baseline.number });
    expect(await syncIssue(next)).toMatchObject({ comment: 'already-posted' });
    expect(gh.writes().length).toBe(writes + 1);
    const comments = gh.comments.get(baseline.number)!;
    expect(comments).toHaveLength(2);
    expect(comments[1]!.body).toContain(NEW_KEY);
    expect(comments[1]!.body).toContain('2 changes as of 2026-11-27');
    expect(comments[0]!.body).not.toContain(NEW_KEY);

    // A rerun with nothing new: no event, no byte changed, no comment.
    const again = await run();
    expect(again.watchlists[0]!.newEvents).toEqual([]);
    expect(await files()).toEqual(after);
    expect(await syncIssue(again)).toMatchObject({ comment: 'none' });
    expect(gh.comments.get(baseline.number)).toHaveLength(2);
  });

  it('keeps one issue per list and ignores a stranger’s copy of the marker', async () => {
    const issues = gh.issues.filter((i) => (i.body ?? '').startsWith('<!-- icewatch:watchlist:sponsors -->'));
    expect(issues).toHaveLength(1);
    gh.issues.push({ number: 900, title: 'copy', body: issues[0]!.body, state: 'open', state_reason: null, closed_at: null, user: 'mallory', labels: [], created_at: '2025-01-01T00:00:00Z' });
    const client = await createGitHubClient({ token: 't0k', baseUrl: gh.url, writeSpacingMs: 0, retryAfterBaseMs: 1 });
    const plan = { watchlistId: 'sponsors', title: 't', body: issues[0]!.body!, comment: { key: 'k1', body: '<!-- icewatch:watchlist-events:k1 -->\nhello' } };
    expect(await syncWatchlistIssue(client, { owner: 'o', repo: 'r' }, plan)).toMatchObject({ number: issues[0]!.number, comment: 'posted' });
    expect(gh.comments.get(900)).toBeUndefined();
  });
});
