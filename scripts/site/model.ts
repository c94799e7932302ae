/**
 * The site's view of one publish: the published companies.json (as built in memory by the publisher),
 * the change feed, and the per-award detail behind it. Reads nothing and writes nothing, so the same
 * inputs always give the same pages.
 */
import type { Attribution, AttributedAward } from '../plan/attribute.ts';
import { awardEndDate, hasStarted, isAwardActive } from '../plan/awards.ts';
import type { ChangesFeed, PublishedCompanies } from '../publish/published-schema.ts';
import type { Registry } from '../registry/schema.ts';
import { LinkPolicy } from './html.ts';
import { appendTo } from '../util/group.ts';

/** Added to companies.json by a later schema minor; read when present, never required. */
export interface FiscalYearFigure {
  fiscalYear: number;
  obligated: number;
  transactions: number;
  complete: boolean;
}

type PublishedCompany = PublishedCompanies['companies'][number];
export type SiteCompany = Omit<PublishedCompany, 'status' | 'ice'> & {
  status: string;
  ice: PublishedCompany['ice'] & { byFiscalYear?: FiscalYearFigure[]; lastActionDate?: string | null };
};
export type SiteCompanies = Omit<PublishedCompanies, 'companies'> & { companies: SiteCompany[] };

export interface SiteInputs {
  companies: SiteCompanies;
  changes?: ChangesFeed;
  registry: Registry;
  attribution: Attribution;
  /** Files published in v1/ (relative paths), for the downloads page. */
  downloads: string[];
  /** data/published/CHANGELOG.md, rendered as a page (it is not part of v1/). */
  changelogMarkdown?: string;
  /** A site file as the last publish left it (path relative to the site root), so unchanged charts are kept. */
  previousFile?: (path: string) => Promise<string | undefined>;
}

export type SectionId = 'active' | 'recent-obligations' | 'declined' | 'past-partner' | 'ended' | 'watchdog-only' | 'no-record';

export const SECTIONS: ReadonlyArray<{ id: SectionId; title: string; blurb: string }> = [
  { id: 'active', title: 'Active ICE contracts', blurb: 'At least one ICE award (directly or through a unit) is active on the as-of date.' },
  { id: 'recent-obligations', title: 'Recent obligations', blurb: 'No active award, but ICE obligated money to the company recently.' },
  { id: 'declined', title: 'Declined', blurb: 'Companies the policy page lists as declined.' },
  { id: 'past-partner', title: 'Past partners', blurb: 'Companies the policy page lists as past partners.' },
  { id: 'ended', title: 'Ended', blurb: 'Had ICE awards; none is active on the as-of date.' },
  { id: 'watchdog-only', title: 'Named by watchdog lists only', blurb: 'No ICE award found in these sources, but named by at least one watchdog list.' },
  { id: 'no-record', title: 'No ICE record found', blurb: 'In the registry, with no ICE award in these sources and no list naming it. This is not a clean bill of health.' },
];

export const STATUS_LABELS: Record<string, string> = {
  active: 'Active ICE contract',
  'recent-obligations': 'Recent obligations',
  ended: 'Ended',
  'no-record': 'No ICE record found',
};

export interface AwardRow {
  awardKey: string;
  piid: string;
  url: string;
  recipient: string;
  relation: string;
  obligated?: number;
  start?: string;
  end?: string;
  active: boolean;
  description?: string;
  source: string;
}

export interface Deciding {
  text: string;
  url?: string;
}

export interface CompanyView {
  company: SiteCompany;
  sections: SectionId[];
  parent?: { id: string; name: string };
  children: SiteCompany[];
  aliases: string[];
  units: Array<{ name: string; awards: AwardRow[] }>;
  awards: AwardRow[];
  resellerAwards: AwardRow[];
  mentions: Array<{ source: string; list: string; name: string; evidenceUrl?: string; url?: string }>;
  statusHistory: Array<{ asOf: string; from: string; to: string }>;
  lastChanged?: string;
  deciding: Deciding[];
}

export interface SiteModel {
  asOf: string;
  generatedAt: string;
  companies: CompanyView[];
  byId: Map<string, CompanyView>;
  sources: SiteCompanies['sources'];
  changes: ChangesFeed['entries'];
  downloads: string[];
  changelogMarkdown?: string;
  /** Hosts of links the registry's maintainers curated. */
  curatedHosts: string[];
  lists: Array<{ source: string; list: string }>;
}

function currentPartnership(c: SiteCompany): string | undefined {
  return c.partnership.find((p) => p.until === null && p.status !== 'never-reached-out')?.status;
}

export function sectionsOf(c: SiteCompany): SectionId[] {
  const out: SectionId[] = [];
  if (c.status === 'active') out.push('active');
  if (c.status === 'recent-obligations') out.push('recent-obligations');
  const p = currentPartnership(c);
  if (p === 'declined') out.push('declined');
  if (p === 'past-partner') out.push('past-partner');
  if (c.status === 'ended') out.push('ended');
  if (c.status === 'no-record' && !p) out.push(c.watchdogLists.length > 0 ? 'watchdog-only' : 'no-record');
  return out;
}

function awardRows(list: AttributedAward[] | undefined, asOf: string): AwardRow[] {
  const byKey = new Map<string, AwardRow>();
  for (const { award, match } of list ?? []) {
    if (!hasStarted(award, asOf) || byKey.has(award.awardKey)) continue;
    byKey.set(award.awardKey, {
      awardKey: award.awardKey,
      piid: award.piid,
      url: award.url,
      recipient: award.recipient.name,
      relation: match.relation,
      obligated: award.amounts.obligated,
      start: award.start,
      end: awardEndDate(award),
      active: isAwardActive(award, asOf),
      description: award.description,
      source: award.source,
    });
  }
  // Active first, then the largest obligation, then the key: the order a reader scans for.
  return [...byKey.values()].sort(
    (a, b) => Number(b.active) - Number(a.active) || (b.obligated ?? 0) - (a.obligated ?? 0) || (a.awardKey < b.awardKey ? -1 : 1),
  );
}

function decidingEvidence(view: Omit<CompanyView, 'deciding'>): Deciding[] {
  const c = view.company;
  const out: Deciding[] = [];
  const lead = view.awards.find((a) => a.active) ?? view.awards[0];
  if (lead) {
    const when = lead.active ? `active until ${lead.end ?? 'an open date'}` : `ended ${lead.end ?? '(no end date)'}`;
    out.push({ text: `Award ${lead.piid} to ${lead.recipient}, ${when}`, url: lead.url });
  }
  for (const p of c.partnership.filter((x) => x.until === null && x.status !== 'never-reached-out')) {
    out.push({ text: `Listed as ${p.status === 'declined' ? 'declined' : 'a past partner'} since ${p.since}`, url: p.source });
  }
  if (!lead && view.mentions.length > 0) {
    const m = view.mentions[0]!;
    out.push({ text: `Named on ${m.source} (${m.list}) as ${m.name}`, url: m.evidenceUrl ?? m.url });
  }
  return out;
}

export function buildSiteModel(inputs: SiteInputs): SiteModel {
  const { companies, registry, attribution } = inputs;
  const asOf = companies.asOf;
  const published = new Map(companies.companies.map((c) => [c.id, c]));
  const entries = inputs.changes?.entries ?? [];
  // Per company, once: a feed entry can list hundreds of thousands of new awards, so no entry is
  // scanned again for each of the registry's companies.
  const statusChanges = new Map<string, Array<{ asOf: string; from: string; to: string }>>();
  const touchedOn = new Map<string, Set<string>>();
  const touch = (id: string, asOf: string) => {
    let days = touchedOn.get(id);
    if (!days) touchedOn.set(id, (days = new Set()));
    days.add(asOf);
  };
  for (const e of entries) {
    for (const s of e.statusChanges) {
      appendTo(statusChanges, s.id, { asOf: e.asOf, from: s.from, to: s.to });
      touch(s.id, e.asOf);
    }
    for (const n of e.newAwards) touch(n.id, e.asOf);
    for (const p of e.companiesProposed) touch(p.id, e.asOf);
  }
  const children = new Map<string, Array<(typeof companies.companies)[number]>>();
  for (const c of companies.companies) if (c.parent) appendTo(children, c.parent, c);
  const views: CompanyView[] = companies.companies.map((company) => {
    const reg = registry.byId.get(company.id);
    const awards = awardRows(attribution.awards.get(company.id), asOf);
    const unitNames = (reg?.subsidiaries ?? []).map((s) => s.name);
    const units = unitNames.map((name) => ({ name, awards: [] as AwardRow[] }));
    // An award under a unit's name is shown with that unit; identifier matches keep the recipient's own name.
    for (const a of awards.filter((x) => x.relation === 'subsidiary')) {
      const key = a.recipient.toUpperCase();
      // Recipient names are often cut at 30 characters or carry a legal form the unit's name lacks.
      let unit = units.find((u) => key.startsWith(u.name.toUpperCase()) || u.name.toUpperCase().startsWith(key));
      if (!unit) {
        unit = { name: a.recipient, awards: [] };
        units.push(unit);
      }
      unit.awards.push(a);
    }
    const parentCompany = company.parent ? published.get(company.parent) : undefined;
    const history = (statusChanges.get(company.id) ?? []).slice().sort((a, b) => (a.asOf < b.asOf ? 1 : -1));
    const touched = [...(touchedOn.get(company.id) ?? [])].sort();
    const base = {
      company,
      sections: sectionsOf(company),
      parent: company.parent ? { id: company.parent, name: parentCompany?.name ?? company.parent } : undefined,
      children: children.get(company.id) ?? [],
      aliases: [...new Set([...(reg?.aliases?.legal ?? []), ...(reg?.aliases?.strong ?? [])])].filter((a) => a !== company.name),
      units,
      awards,
      resellerAwards: awardRows(attribution.resellerAwards.get(company.id), asOf),
      mentions: (attribution.mentions.get(company.id) ?? [])
        .map(({ mention }) => ({ source: mention.source, list: mention.list, name: mention.name, evidenceUrl: mention.evidenceUrl, url: mention.url }))
        .sort((a, b) => `${a.source}/${a.list}/${a.name}`.localeCompare(`${b.source}/${b.list}/${b.name}`)),
      statusHistory: history,
      lastChanged: touched[touched.length - 1],
    };
    return { ...base, deciding: decidingEvidence(base) };
  });
  const curatedHosts = new Set<string>();
  for (const c of registry.companies) {
    for (const url of [c.website, ...c.evidence.map((e) => e.url), ...(c.partnership ?? []).map((p) => p.source)]) {
      if (!url) continue;
      const host = LinkPolicy.hostOf(url);
      if (host) curatedHosts.add(host);
    }
  }
  for (const s of companies.sources) {
    const host = LinkPolicy.hostOf(s.homepage);
    if (host) curatedHosts.add(host);
  }
  return {
    asOf,
    generatedAt: companies.generatedAt,
    companies: views,
    byId: new Map(views.map((v) => [v.company.id, v])),
    sources: companies.sources,
    changes: entries.slice().sort((a, b) => (a.asOf < b.asOf ? 1 : -1)),
    downloads: inputs.downloads.slice().sort(),
    changelogMarkdown: inputs.changelogMarkdown,
    curatedHosts: [...curatedHosts].sort(),
    lists: [...new Map(companies.companies.flatMap((c) => c.watchdogLists.map((l) => [`${l.source}\u0000${l.list}`, l] as const))).entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, l]) => ({ source: l.source, list: l.list })),
  };
}
