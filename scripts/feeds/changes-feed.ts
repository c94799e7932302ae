/**
 * changes.xml: the Atom view of changes.json, one entry per run (as-of date) that changed published data.
 * A pure function of changes.json, so it changes exactly when changes.json does.
 */
import type { ChangesFeed } from '../publish/published-schema.ts';
import { renderAtom, SITE_BASE_URL, tagId, type AtomEntry } from './atom.ts';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export function changesEntry(e: ChangesFeed['entries'][number]): AtomEntry {
  const parts = [
    e.newAwards.length ? plural(e.newAwards.length, 'new ICE award') : '',
    e.statusChanges.length ? plural(e.statusChanges.length, 'status change') : '',
    e.companiesProposed.length ? plural(e.companiesProposed.length, 'company proposed', 'companies proposed') : '',
    e.listChanges.length ? plural(e.listChanges.length, 'watchdog list change') : '',
  ].filter(Boolean);
  const content = [
    ...e.statusChanges.map((s) => `Status: ${s.id} ${s.from} → ${s.to}`),
    ...e.newAwards.map((a) => `New award: ${a.id} ${a.awardKey}${a.obligated === null ? '' : ` ($${a.obligated.toFixed(2)} obligated)`} ${a.url}`),
    ...e.companiesProposed.map((c) => `Proposed: ${c.name} (${c.id}), ${plural(c.awards, 'award')}`),
    ...e.listChanges.map((l) => `List ${l.source}/${l.list}: ${l.added.length} added${l.added.length ? ` (${l.added.join(', ')})` : ''}, ${l.removed.length} removed${l.removed.length ? ` (${l.removed.join(', ')})` : ''}`),
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
