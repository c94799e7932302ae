/**
 * Per watch list, what a run leaves behind: its event history (data/state/watchlists/<id>.json), its Atom
 * feed (published as watchlists/<id>.xml), a section of the run report, and, when the list asks for it,
 * the tracking-issue comment to post (as data; scripts/github/watchlist-issue.ts does the GitHub write).
 * Only events whose id the history does not hold yet are new, so a rerun with nothing new adds nothing.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { renderAtom, SITE_BASE_URL, tagId } from '../feeds/atom.ts';
import type { Matcher } from '../match/types.ts';
import type { Plan } from '../plan/types.ts';
import type { Registry } from '../registry/schema.ts';
import { shortHash } from '../util/hash.ts';
import { escapeMarkdown, markdownLink } from '../util/sanitize.ts';
import { stableStringify } from '../util/stable-json.ts';
import { watchlistEvents, type WatchEvent } from './events.ts';
import type { Watchlist } from './load.ts';

/** Events kept per list (newest first); older ones drop out of the feed and the history. */
export const MAX_EVENTS = 500;

const eventSchema = z.object({
  id: z.string(),
  kind: z.enum(['new-award', 'status-change', 'new-listing', 'new-candidate']),
  date: z.string(),
  watched: z.string(),
  companyId: z.string(),
  companyName: z.string(),
  title: z.string(),
  summary: z.string(),
  url: z.string(),
});

export const watchlistStateSchema = z.object({
  schemaVersion: z.literal(1),
  watchlist: z.string(),
  /** The as-of date of the first run that saw the list: the updated date of its feed while it is empty. */
  created: z.string(),
  events: z.array(eventSchema),
});
export type WatchlistState = z.infer<typeof watchlistStateSchema>;

export interface WatchlistIssuePlan {
  watchlistId: string;
  title: string;
  /** The issue's description (kept up to date); carries the list's marker. */
  body: string;
  /** Posted once: its marker holds the hash of the event ids, so a second attempt finds it and skips. */
  comment?: { body: string; key: string };
}

export interface WatchlistOutcome {
  watchlist: Watchlist;
  newEvents: WatchEvent[];
  state: WatchlistState;
  files: Array<{ path: string; content: string }>;
  issue?: WatchlistIssuePlan;
}

export const watchlistStatePath = (dataDir: string, id: string) => join(dataDir, 'state', 'watchlists', `${id}.json`);
export const watchlistFeedPath = (dataDir: string, id: string) => join(dataDir, 'published', 'v1', 'watchlists', `${id}.xml`);
export const watchlistFeedUrl = (id: string) => `${SITE_BASE_URL}watchlists/${id}.xml`;
export const WATCHLIST_MARKER = (id: string) => `<!-- icewatch:watchlist:${id} -->`;
export const WATCHLIST_COMMENT_MARKER = (key: string) => `<!-- icewatch:watchlist-events:${key} -->`;

const byDateThenId = (a: WatchEvent, b: WatchEvent) => b.date.localeCompare(a.date) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function renderWatchlistFeed(watchlist: Watchlist, state: WatchlistState): string {
  return renderAtom({
    id: tagId('watchlists', watchlist.id),
    title: `icewatch watch list: ${watchlist.title}`,
    subtitle: `Changes that touch the ${watchlist.companies.length} companies on this watch list: new ICE awards, status changes, new watchdog listings, new candidates.`,
    selfUrl: watchlistFeedUrl(watchlist.id),
    alternateUrl: `${SITE_BASE_URL}check.html`,
    entries: state.events.map((e) => ({ id: e.id, title: e.title, updated: e.date, link: e.url, summary: e.summary, content: [`Watched: ${e.watched}`, e.summary] })),
    emptyUpdated: state.created,
  });
}

export function eventLines(events: readonly WatchEvent[]): string[] {
  return events.map((e) => `- ${markdownLink(e.title, e.url, 300)}: ${escapeMarkdown(e.summary, 600)} (watched: ${escapeMarkdown(e.watched, 120)})`);
}

export function renderIssueBody(watchlist: Watchlist): string {
  return [
    WATCHLIST_MARKER(watchlist.id),
    `## icewatch watch list: ${escapeMarkdown(watchlist.title, 200)}`,
    '',
    `icewatch comments here when a run finds a change that touches one of the ${watchlist.companies.length} companies on \`data/watchlists/${watchlist.id}.yaml\`: a new ICE award, a status change, a new watchdog listing, or a watched partner that appears as a new ICE contractor.`,
    '',
    `Feed: ${watchlistFeedUrl(watchlist.id)}`,
    ...(watchlist.contact ? ['', `Contact: ${escapeMarkdown(watchlist.contact, 300)}`] : []),
    '',
  ].join('\n');
}

export function planWatchlist(
  watchlist: Watchlist,
  context: { registry: Registry; plan: Plan; dataDir: string; previous?: WatchlistState; matcher?: Matcher },
): WatchlistOutcome {
  const { plan, previous } = context;
  const found = watchlistEvents(watchlist, context.registry, plan, context.matcher);
  const known = new Set(previous?.events.map((e) => e.id));
  const newEvents = found.filter((e) => !known.has(e.id));
  const state: WatchlistState = {
    schemaVersion: 1,
    watchlist: watchlist.id,
    created: previous?.created ?? plan.asOf,
    events: [...newEvents, ...(previous?.events ?? [])].sort(byDateThenId).slice(0, MAX_EVENTS),
  };
  const files = [{ path: watchlistFeedPath(context.dataDir, watchlist.id), content: renderWatchlistFeed(watchlist, state) }];
  if (!previous || newEvents.length > 0) files.push({ path: watchlistStatePath(context.dataDir, watchlist.id), content: `${stableStringify(state, 2)}\n` });
  let issue: WatchlistIssuePlan | undefined;
  if (watchlist.issue) {
    const key = shortHash(newEvents.map((e) => e.id).join('\n'));
    issue = {
      watchlistId: watchlist.id,
      title: `icewatch watch list: ${watchlist.title}`,
      body: renderIssueBody(watchlist),
      comment: newEvents.length
        ? {
            key,
            body: [
              WATCHLIST_COMMENT_MARKER(key),
              `### ${newEvents.length} change${newEvents.length === 1 ? '' : 's'} as of ${plan.asOf}`,
              '',
              ...eventLines(newEvents),
              '',
            ].join('\n'),
          }
        : undefined,
    };
  }
  return { watchlist, newEvents, state, files, issue };
}

/** The report's section: every watch list with what this run found for it. */
export function renderWatchlistSection(outcomes: readonly WatchlistOutcome[]): string {
  if (outcomes.length === 0) return '';
  const lines = ['## Watch lists', ''];
  for (const o of outcomes) {
    lines.push(`### ${escapeMarkdown(o.watchlist.title, 200)} (\`${o.watchlist.id}\`)`, '');
    if (o.newEvents.length === 0) lines.push('Nothing new touches a watched company in this run.');
    else lines.push(...eventLines(o.newEvents));
    lines.push('', `Feed: ${watchlistFeedUrl(o.watchlist.id)}`, '');
  }
  return lines.join('\n');
}

export function parseWatchlistState(text: string | undefined): WatchlistState | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = watchlistStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
