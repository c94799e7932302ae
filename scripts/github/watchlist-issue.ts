/**
 * One tracking issue per watch list that asks for it (`issue: true`), found by its hidden marker and the
 * bot's label (only collaborators can set labels, so a stranger's copy of the marker is never used). The
 * run's new events become one comment; the comment's marker holds the hash of their ids, so retrying a
 * run (or a second process) never posts the same comment twice.
 *
 * GitHub's REST API cannot pin an issue (pinning is the GraphQL `pinIssue` mutation, or one click in the
 * issue's sidebar); the bot keeps exactly one issue per list and a maintainer pins it once.
 */
import type { WatchlistIssuePlan } from '../watchlist/outputs.ts';
import { WATCHLIST_COMMENT_MARKER, WATCHLIST_MARKER } from '../watchlist/outputs.ts';
import type { GitHubClient } from './octokit.ts';
import { LABEL_BOT } from './render-proposal.ts';

export interface WatchlistIssueResult {
  watchlistId: string;
  issue: 'created' | 'updated' | 'unchanged';
  comment: 'posted' | 'already-posted' | 'none';
  number: number;
  url: string;
}

interface IssueLike {
  number: number;
  html_url: string;
  body?: string | null;
  pull_request?: unknown;
}

export async function syncWatchlistIssue(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  plan: WatchlistIssuePlan,
  options: { ensureLabels?: () => Promise<void> } = {},
): Promise<WatchlistIssueResult> {
  const marker = WATCHLIST_MARKER(plan.watchlistId);
  const issues = (await client.paginate(client.rest.issues.listForRepo, { ...repo, state: 'open', labels: LABEL_BOT, per_page: 100 })) as IssueLike[];
  const existing = issues.filter((i) => !i.pull_request && (i.body ?? '').startsWith(marker)).sort((a, b) => a.number - b.number)[0];
  let issue: WatchlistIssueResult['issue'];
  let number: number;
  let url: string;
  if (existing) {
    number = existing.number;
    url = existing.html_url;
    issue = existing.body === plan.body ? 'unchanged' : 'updated';
    if (issue === 'updated') await client.rest.issues.update({ ...repo, issue_number: number, body: plan.body });
  } else {
    await options.ensureLabels?.();
    const created = await client.rest.issues.create({ ...repo, title: plan.title, body: plan.body, labels: [LABEL_BOT] });
    number = created.data.number;
    url = created.data.html_url;
    issue = 'created';
  }
  if (!plan.comment) return { watchlistId: plan.watchlistId, issue, comment: 'none', number, url };
  const commentMarker = WATCHLIST_COMMENT_MARKER(plan.comment.key);
  const comments = (await client.paginate(client.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 })) as Array<{ body?: string | null }>;
  if (comments.some((c) => (c.body ?? '').startsWith(commentMarker))) {
    return { watchlistId: plan.watchlistId, issue, comment: 'already-posted', number, url };
  }
  await client.rest.issues.createComment({ ...repo, issue_number: number, body: plan.comment.body });
  return { watchlistId: plan.watchlistId, issue, comment: 'posted', number, url };
}
