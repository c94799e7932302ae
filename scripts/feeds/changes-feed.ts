/**
 * changes.xml: the Atom view of changes.json, one entry per run (as-of date) that changed published data.
 * A pure function of changes.json, so it changes exactly when changes.json does.
 */
import type { ChangesFeed } from '../publish/published-schema.ts';
import { renderAtom, SITE_BASE_URL, tagId, type AtomEntry } from './atom.ts';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** `3 added (A, B, C)`, or `500 added (the first 200: A, …)` for a list the feed cut. */
function names(list: readonly string[], count: number | undefined, what: string): string {
  const total = count ?? list.length;
  if (total === 0) return `0 ${what}`;
  return `${total} ${what} (${total > list.length ? `the first ${list.length}: ` : ''}${list.join(', ')})`;
}

export function changesEntry(e: ChangesFeed['entries'][number]): AtomEntry {
  const newAwards = e.newAwardCount ?? e.newAwards.length;
  const proposed = e.companiesProposedCount ?? e.companiesProposed.length;
  const parts = [
    newAwards ? plural(newAwards, 'new ICE award') : '',
    e.statusChanges.length ? plural(e.statusChanges.length, 'status change') : '',
    proposed ? plural(proposed, 'company proposed', 'companies proposed') : '',
    e.listChanges.length ? plural(e.listChanges.length, 'watchdog list change') : '',
  ].filter(Boolean);
  const content = [
    ...e.statusChanges.map((s) => `Status: ${s.id} ${s.from} → ${s.to}`),
    ...e.newAwards.map((a) => `New award: ${a.id} ${a.awardKey}${a.obligated === null ? '' : ` ($${a.obligated.toFixed(2)} obligated)`} ${a.url}`),
    ...(e.newAwards.length < newAwards ? [`…and ${newAwards - e.newAwards.length} smaller new awards (the run report lists them all)`] : []),
    ...e.companiesProposed.map((c) => `Proposed: ${c.name} (${c.id}), ${plural(c.awards, 'award')}`),
    ...(e.companiesProposed.length < proposed ? [`…and ${proposed - e.companiesProposed.length} more companies proposed`] : []),
    ...e.listChanges.map((l) => `List ${l.source}/${l.list}: ${names(l.added, l.addedCount, 'added')}, ${names(l.removed, l.removedCount, 'removed')}`),
  ];
  return {
    id: tagId('changes', e.asOf),
    title: `${e.asOf}: ${parts.join(', ') || 'changes'}`,
    updated: e.asOf,
    link: `${SITE_BASE_URL}changes.json`,
    summary: `What the run as of ${e.asOf} changed in the published registry: ${parts.join(', ') || 'see changes.json'}.`,
    content,
  };
}

export function renderChangesAtom(feed: ChangesFeed, emptyUpdated: string): string {
  return renderAtom({
    id: tagId('changes'),
    title: 'icewatch: changes to the registry of companies with ICE contracts',
    subtitle: 'One entry per run that changed the published data (new awards, status changes, proposed companies, watchdog list changes).',
    selfUrl: `${SITE_BASE_URL}changes.xml`,
    alternateUrl: `${SITE_BASE_URL}changes.json`,
    entries: feed.entries.map(changesEntry),
    emptyUpdated,
  });
}
