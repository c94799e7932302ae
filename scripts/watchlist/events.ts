/**
 * What a run changed that touches a watched company: a new ICE award, a status change, a new watchdog
 * listing, or a new candidate (a watched partner that is not in the registry yet but just won an ICE
 * award). A pure function of the watch list, the registry, the run's plan and the list's previous events.
 *
 * Watched names resolve to registry companies with the matcher's confident evidence only (≥ 0.9: an
 * identifier or an exact name), and to those companies' registry parents: a new award to Amazon touches
 * a watched "Twitch", as the check of that name says. Event ids are tag: URIs built from what happened
 * (company, award key, from → to), so a rerun that finds the same things adds nothing.
 */
import { createMatcher } from '../match/matcher.ts';
import { normalizedText } from '../match/normalize.ts';
import { PROPOSAL_THRESHOLD, type Matcher } from '../match/types.ts';
import type { Plan } from '../plan/types.ts';
import type { Company, Registry } from '../registry/schema.ts';
import { tagId } from '../feeds/atom.ts';
import type { Watchlist } from './load.ts';

export type WatchEventKind = 'new-award' | 'status-change' | 'new-listing' | 'new-candidate';

export interface WatchEvent {
  id: string;
  kind: WatchEventKind;
  /** The run's as-of date. */
  date: string;
  /** The watch-list name it concerns, as the list spells it. */
  watched: string;
  companyId: string;
  companyName: string;
  title: string;
  summary: string;
  url: string;
}

export interface WatchTarget {
  watched: string;
  /** 'itself' when the watched name is this company (or its unit/brand); 'parent' when it is the parent of it. */
  via: 'itself' | 'parent';
}

/** Registry company id → the watched name it stands for. */
export function resolveWatchlist(watchlist: Watchlist, registry: Registry, matcher: Matcher): Map<string, WatchTarget> {
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = registry.byId.get(id)?.parent; p && !out.includes(p) && out.length < 10; p = registry.byId.get(p)?.parent) out.push(p);
    return out;
  };
  const out = new Map<string, WatchTarget>();
  const set = (id: string, target: WatchTarget) => {
    if (!out.has(id) || (out.get(id)!.via === 'parent' && target.via === 'itself')) out.set(id, target);
  };
  for (const entry of watchlist.companies) {
    const ids = matcher
      .match({ name: entry.name, uei: entry.uei?.toUpperCase() })
      .filter((m) => m.confidence >= PROPOSAL_THRESHOLD && m.relation !== 'via-reseller')
      .map((m) => m.companyId);
    // The matcher also names the registry parents of a matched unit (GitHub → Microsoft); those are the
    // watched company's parents, not the watched company.
    const parents = new Set(ids.flatMap(ancestors));
    for (const id of ids) {
      if (!parents.has(id)) set(id, { watched: entry.name, via: 'itself' });
      for (const p of ancestors(id)) set(p, { watched: entry.name, via: 'parent' });
    }
  }
  return out;
}

/** A matcher whose "companies" are the watched names themselves, for recipients not in the registry. */
export function watchedNameMatcher(watchlist: Watchlist): Matcher {
  const companies: Company[] = watchlist.companies.map((c, i) => ({
    id: `watched-${i}`,
    name: c.name,
    roles: ['vendor'],
    evidence: [],
    identifiers: c.uei ? { uei: [{ value: c.uei.toUpperCase(), source: watchlist.file }] } : undefined,
  }));
  return createMatcher(companies);
}

const money = (n: number | undefined) => (n === undefined ? 'amount not given' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const about = (target: WatchTarget, name: string) => (target.via === 'parent' ? `${name} (parent of watched ${target.watched})` : name);

export function watchlistEvents(watchlist: Watchlist, registry: Registry, plan: Plan, matcher: Matcher = createMatcher(registry.companies)): WatchEvent[] {
  const targets = resolveWatchlist(watchlist, registry, matcher);
  const byName = watchedNameMatcher(watchlist);
  const nameOf = (id: string) => registry.byId.get(id)?.name ?? id;
  const events = new Map<string, WatchEvent>();
  const add = (e: WatchEvent) => {
    if (!events.has(e.id)) events.set(e.id, e);
  };
  const watchedFor = (name: string, uei?: string): string | undefined => {
    const m = byName.match({ name, uei }).find((x) => x.confidence >= PROPOSAL_THRESHOLD);
    return m ? watchlist.companies[Number(m.companyId.slice('watched-'.length))]?.name : undefined;
  };

  for (const n of plan.newAwards) {
    const target = targets.get(n.companyId);
    if (!target) continue;
    const a = n.award;
    add({
      id: tagId('watchlists', watchlist.id, 'award', n.companyId, a.awardKey),
      kind: 'new-award',
      date: plan.asOf,
      watched: target.watched,
      companyId: n.companyId,
      companyName: nameOf(n.companyId),
      title: `New ICE award: ${about(target, nameOf(n.companyId))}`,
      summary: `ICE award ${a.awardKey} to ${a.recipientName}: ${money(a.obligated)} obligated${a.start ? `, from ${a.start}` : ''}${a.end ? ` to ${a.end}` : ''}${a.active ? ' (active)' : ''}. Matched ${n.relation}, confidence ${n.confidence.toFixed(2)}.`,
      url: a.url,
    });
  }
  for (const t of plan.transitions) {
    const target = targets.get(t.companyId);
    if (!target) continue;
    add({
      id: tagId('watchlists', watchlist.id, 'status', t.companyId, plan.asOf, `${t.from}-${t.to}`),
      kind: 'status-change',
      date: plan.asOf,
      watched: target.watched,
      companyId: t.companyId,
      companyName: nameOf(t.companyId),
      title: `Status change: ${about(target, nameOf(t.companyId))} ${t.from} → ${t.to}`,
      summary: `ICE status of ${nameOf(t.companyId)} went from ${t.from} to ${t.to} as of ${plan.asOf}${t.awards.length ? `; awards: ${t.awards.map((a) => a.awardKey).join(', ')}` : ''}.`,
      url: t.awards[0]?.url ?? 'https://icewatch.github.io/icewatch/companies.json',
    });
  }
  for (const change of plan.listChanges) {
    for (const name of change.added) {
      const registryIds = matcher
        .match({ name })
        .filter((m) => m.confidence >= PROPOSAL_THRESHOLD && m.relation !== 'via-reseller')
        .map((m) => m.companyId);
      const hits = registryIds.filter((id) => targets.has(id)).map((id) => ({ id, target: targets.get(id)!, label: nameOf(id) }));
      const direct = hits.length === 0 ? watchedFor(name) : undefined;
      if (direct) hits.push({ id: `name:${normalizedText(name)}`, target: { watched: direct, via: 'itself' }, label: name });
      for (const hit of hits) {
        add({
          id: tagId('watchlists', watchlist.id, 'listing', hit.id, change.source, change.list, normalizedText(name)),
          kind: 'new-listing',
          date: plan.asOf,
          watched: hit.target.watched,
          companyId: hit.id,
          companyName: hit.label,
          title: `New watchdog listing: ${about(hit.target, hit.label)} on ${change.source}`,
          summary: `${change.source} now lists "${name}" (list "${change.list}") as of ${plan.asOf}.`,
          url: 'https://icewatch.github.io/icewatch/companies.json',
        });
      }
    }
  }
  for (const c of plan.candidates) {
    if (!c.isNew) continue;
    const watched = watchedFor(c.name, c.awards[0]?.recipientUei);
    if (!watched) continue;
    add({
      id: tagId('watchlists', watchlist.id, 'candidate', c.companyId),
      kind: 'new-candidate',
      date: plan.asOf,
      watched,
      companyId: c.companyId,
      companyName: c.name,
      title: `New ICE contractor candidate: ${c.name}`,
      summary: `${c.name} is not in the registry yet; this run found ${c.awards.length} ICE award${c.awards.length === 1 ? '' : 's'} (${money(c.totalObligated)} obligated) and proposed adding it.`,
      url: c.awards[0]?.url ?? 'https://icewatch.github.io/icewatch/companies.json',
    });
  }
  return [...events.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
