/**
 * One issue the bot keeps up to date (like Renovate's Dependency Dashboard): proposals waiting for
 * a pull request slot, proposals it could not act on, the review queue, and dismissed candidates.
 * The body carries a content hash in a hidden marker; the issue is edited only when that changes,
 * so an unchanged run makes no write.
 */
import type { ReviewItem } from '../plan/types.ts';
import { shortHash } from '../util/hash.ts';
import { escapeMarkdown, markdownLink, truncate } from '../util/sanitize.ts';
import { parseDashboardMarker, writeDashboardMarker } from './marker.ts';
import type { GitHubClient } from './octokit.ts';
import { GITHUB_BODY_LIMIT, LABEL_BOT, code } from './render-proposal.ts';

export const DASHBOARD_TITLE = 'icewatch: proposals dashboard';

export interface DashboardEntry {
  id: string;
  title: string;
  branch: string;
  number?: number;
  url?: string;
  confidence?: number;
  /** Why it is listed here, in one plain sentence (already safe: built by the bot, escaped on render). */
  note?: string;
}

export interface DashboardContent {
  open: DashboardEntry[];
  waiting: DashboardEntry[];
  needsMaintainer: DashboardEntry[];
  dismissed: DashboardEntry[];
  reviewQueue: ReviewItem[];
  caps?: { maxNewPerRun: number; maxOpen: number };
}

export interface DashboardResult {
  /** `closed`: a maintainer closed the dashboard and the config does not re-open it; it was left alone. */
  action: 'created' | 'updated' | 'unchanged' | 'none' | 'closed' | 'reopened';
  number?: number;
  url?: string;
}

function ref(entry: DashboardEntry): string {
  const title = escapeMarkdown(entry.title, 200);
  return entry.number !== undefined ? `#${entry.number} ${title}` : title;
}

function section(title: string, count: number, lines: string[], intro?: string): string[] {
  if (count === 0) return [];
  return ['', `### ${title} (${count})`, '', ...(intro ? [intro, ''] : []), ...lines];
}

function reviewTable(items: ReviewItem[]): string[] {
  const rows = items.map((item) => {
    const what = item.kind === 'award' ? (item.awardKey ? `award ${code(item.awardKey)}` : 'award') : `${escapeMarkdown(item.list ?? 'list', 60)} list`;
    const matches =
      item.matches
        .slice(0, 3)
        .map((m) => `${escapeMarkdown(m.companyId, 60)} (${escapeMarkdown(m.method, 30)}, ${m.confidence.toFixed(2)})`)
        .join('; ') || '—';
    return `| ${markdownLink(item.name, item.url, 120)} | ${escapeMarkdown(item.source, 60)} | ${what} | ${matches} |`;
  });
  return ['| Name | Source | Record | Possible matches |', '| --- | --- | --- | --- |', ...rows];
}

function sortItems(items: ReviewItem[]): ReviewItem[] {
  const key = (i: ReviewItem) => `${i.kind}\u0000${i.name}\u0000${i.awardKey ?? i.list ?? ''}\u0000${i.source}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function byNumberThenId(a: DashboardEntry, b: DashboardEntry): number {
  return (a.number ?? Infinity) - (b.number ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** True when the dashboard has nothing to say (then no issue is created). */
export function isEmptyDashboard(content: DashboardContent): boolean {
  return (
    content.open.length + content.waiting.length + content.needsMaintainer.length + content.dismissed.length + content.reviewQueue.length === 0
  );
}

export function renderDashboard(content: DashboardContent, limit = GITHUB_BODY_LIMIT): { body: string; contentHash: string } {
  const review = sortItems(content.reviewQueue);
  const compose = (reviewRows: number) => {
    const lines = [
      '## icewatch proposals',
      '',
      'icewatch keeps this issue up to date on every scheduled run. Pull requests are opened for candidates ' +
        'backed by identifier or exact-name matches; everything else waits here for a person.',
      ...section('Open proposals', content.open.length, [...content.open].sort(byNumberThenId).map((e) => `- ${ref(e)}`)),
      ...section(
        'Waiting for a pull request',
        content.waiting.length,
        content.waiting.map((e) => `- ${ref(e)} (\`${e.branch}\`${e.confidence !== undefined ? `, confidence ${e.confidence.toFixed(2)}` : ''})`),
        content.caps
          ? `At most ${content.caps.maxNewPerRun} pull requests are opened per run and ${content.caps.maxOpen} kept open at once; these open as earlier ones are merged or closed.`
          : undefined,
      ),
      ...section(
        'Needs a maintainer',
        content.needsMaintainer.length,
        [...content.needsMaintainer].sort(byNumberThenId).map((e) => `- ${ref(e)}${e.note ? `: ${escapeMarkdown(e.note, 300)}` : ''}`),
      ),
      ...section(
        'Review queue',
        review.length,
        reviewRows > 0
          ? [
              ...reviewTable(review.slice(0, reviewRows)),
              ...(reviewRows < review.length ? ['', `${review.length - reviewRows} more items are in the run report.`] : []),
            ]
          : [],
        'Possible matches that are not certain enough for a pull request. Add an alias, identifier or false friend to the registry to settle one.',
      ),
      ...section(
        'Dismissed',
        content.dismissed.length,
        [...content.dismissed].sort(byNumberThenId).map((e) => `- ${ref(e)}: closed without merging; proposed again only with a new award.`),
      ),
      '',
    ];
    return lines.join('\n');
  };
  const room = limit - writeDashboardMarker({ contentHash: '0'.repeat(16) }).length - 1;
  let rows = review.length;
  let text = compose(rows);
  if (text.length > room) {
    let lo = 0;
    let hi = review.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (compose(mid).length <= room) lo = mid;
      else hi = mid - 1;
    }
    rows = lo;
    text = compose(rows);
    if (text.length > room) text = truncate(text, room);
  }
  const contentHash = shortHash(text);
  return { body: `${writeDashboardMarker({ contentHash })}\n${text}`, contentHash };
}

interface IssueLike {
  number: number;
  html_url: string;
  state?: string;
  body?: string | null;
  pull_request?: unknown;
}

/** The bot's dashboard issue, open or closed. */
async function findDashboard(client: GitHubClient, repo: { owner: string; repo: string }): Promise<IssueLike | undefined> {
  const issues = (await client.paginate(client.rest.issues.listForRepo, {
    ...repo,
    state: 'all',
    labels: LABEL_BOT,
    per_page: 100,
  })) as IssueLike[];
  // The oldest open one (stable if copies exist), else the newest closed one.
  const mine = issues.filter((i) => !i.pull_request && parseDashboardMarker(i.body)).sort((a, b) => a.number - b.number);
  return mine.find((i) => i.state === 'open') ?? mine.at(-1);
}

/**
 * Find the dashboard issue by its marker and the bot's label (which only collaborators can set, so
 * a stranger's issue that copies the marker is never edited), then create or edit it when its
 * content hash differs. A dashboard a maintainer closed stays closed unless `reopenClosed`.
 * Creating is never retried blindly: after a 5xx the issue is looked for first, so GitHub having
 * created it before failing never leaves two dashboards.
 */
export async function syncDashboard(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  content: DashboardContent,
  options: { title?: string; ensureLabels?: () => Promise<void>; reopenClosed?: boolean } = {},
): Promise<DashboardResult> {
  const existing = await findDashboard(client, repo);
  if (existing && existing.state === 'closed' && !options.reopenClosed) {
    return { action: 'closed', number: existing.number, url: existing.html_url };
  }
  if (!existing && isEmptyDashboard(content)) return { action: 'none' };
  const { body, contentHash } = renderDashboard(content);
  if (existing) {
    const reopen = existing.state === 'closed';
    if (!reopen && parseDashboardMarker(existing.body)?.contentHash === contentHash) {
      return { action: 'unchanged', number: existing.number, url: existing.html_url };
    }
    await client.rest.issues.update({ ...repo, issue_number: existing.number, body, ...(reopen ? { state: 'open' as const } : {}) });
    return { action: reopen ? 'reopened' : 'updated', number: existing.number, url: existing.html_url };
  }
  await options.ensureLabels?.();
  const params = { ...repo, title: options.title ?? DASHBOARD_TITLE, body, labels: [LABEL_BOT], request: { retries: 0 } };
  try {
    const created = await client.rest.issues.create(params);
    return { action: 'created', number: created.data.number, url: created.data.html_url };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status < 500) throw error;
    const made = await findDashboard(client, repo);
    if (made) return { action: 'created', number: made.number, url: made.html_url };
    const created = await client.rest.issues.create(params);
    return { action: 'created', number: created.data.number, url: created.data.html_url };
  }
}
