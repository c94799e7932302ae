/**
 * "May we partner with this sponsor?" for a list of names: a pure function over the published data
 * (companies.json + check-index.json), so `icewatch check` and the site's check page run this very code.
 *
 * Only the matcher's confident evidence (identifiers, exact names, ≥ 0.9) names a company. Fuzzy
 * resemblances come back as "possible match — check" with no status of their own, and a name with no
 * match is "no record": no ICE record found in these sources, which is not a clearance.
 */
import { createMatcher } from '../match/matcher.ts';
import { normalizedText } from '../match/normalize.ts';
import { PROPOSAL_THRESHOLD, type Match } from '../match/types.ts';
import { indexCompaniesForMatcher, type CheckIndex, type IndexAward } from './check-index.ts';

export type CheckStatus =
  | 'active'
  | 'recent-obligations'
  | 'declined'
  | 'ended'
  | 'past-partner'
  | 'watchdogs-only'
  | 'no-record';

/** Highest first: the status a row shows is the most serious one among the company and its parents. */
const STATUS_ORDER: readonly CheckStatus[] = ['active', 'recent-obligations', 'declined', 'ended', 'past-partner', 'watchdogs-only', 'no-record'];
const ATTENTION: ReadonlySet<CheckStatus> = new Set(['active', 'recent-obligations', 'declined', 'watchdogs-only']);

export const STATUS_LABEL: Record<CheckStatus, string> = {
  active: 'active ICE contract',
  'recent-obligations': 'recent ICE obligations',
  declined: 'declined (policy list)',
  ended: 'ICE contracts ended',
  'past-partner': 'past partner (policy list)',
  'watchdogs-only': 'named by watchdog lists only',
  'no-record': 'no record',
};

export const NO_RECORD_NOTE = 'No ICE record found in these sources. This is not a clearance: the sources may be incomplete.';
export const POSSIBLE_NOTE = 'Possible match — check. A resemblance only, not a verdict.';

/** The fields of companies.json this reads (newer minor versions may add more; they are ignored). */
export interface PublishedCompanyView {
  id: string;
  name: string;
  parent: string | null;
  status: string;
  partnership: Array<{ status: string; since: string; until: string | null; source: string }>;
  watchdogLists: Array<{ source: string; list: string }>;
  evidence: Array<{ url: string; title: string; date: string; kind: string }>;
}
export interface PublishedView {
  asOf: string;
  companies: PublishedCompanyView[];
}

export interface CheckEntry {
  name: string;
  /** 1-based line (or CSV record line) in the input, for the output to point back. */
  line: number;
  website?: string;
  uei?: string;
}

export type CheckRelation = 'itself' | 'brand' | 'unit';

export interface EvidenceLink {
  label: string;
  url: string;
}

export interface CheckRow {
  line: number;
  input: string;
  /** `match`: confident; `possible`: fuzzy only (never a verdict); `none`: nothing in the registry. */
  outcome: 'match' | 'possible' | 'none';
  companyId: string | null;
  companyName: string | null;
  /** How the name relates to the registry company: the company itself, a brand/short name, a listed unit. */
  relation: CheckRelation | null;
  status: CheckStatus | null;
  /** Which company and channel decided the status: the company itself, its parent, or a reseller channel. */
  decidedBy: { companyId: string; companyName: string; via: 'itself' | 'parent' | 'reseller-channel' } | null;
  confidence: number | null;
  method: string | null;
  note: string;
  evidence: EvidenceLink[];
  /** Fuzzy candidates (for `possible`), or other companies a confident match also names. */
  candidates: Array<{ companyId: string; companyName: string; confidence: number; reason: string }>;
  attention: boolean;
}

export interface CheckResult {
  asOf: string;
  dataAsOf: string;
  rows: CheckRow[];
  summary: { checked: number; attention: number; matched: number; possible: number; noRecord: number; byStatus: Record<string, number> };
  summaryLine: string;
}

const MAX_EVIDENCE = 3;

interface Decision {
  status: CheckStatus;
  via: 'itself' | 'reseller-channel';
  evidence: EvidenceLink[];
  note: string;
}

const money = (n: number | null) =>
  n === null ? 'amount not given' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function awardLink(a: IndexAward, asOf: string): EvidenceLink {
  const [key, start, last, obligated, recipient, url] = a;
  const when = last === null ? `from ${start ?? '?'}` : last >= asOf ? `active to ${last}` : `ended ${last}`;
  return { label: `ICE award ${key} to ${recipient}, ${money(obligated)} obligated, ${when}`, url };
}

const started = (a: IndexAward, asOf: string) => a[1] === null || a[1] <= asOf;
const isActive = (a: IndexAward, asOf: string) => started(a, asOf) && a[2] !== null && a[2] >= asOf;
const byAmount = (x: IndexAward, y: IndexAward) => (y[3] ?? 0) - (x[3] ?? 0) || (x[0] < y[0] ? -1 : 1);
const byLastDay = (x: IndexAward, y: IndexAward) => (y[2] ?? '').localeCompare(x[2] ?? '') || byAmount(x, y);

export interface Checker {
  check(entries: readonly CheckEntry[], options?: { asOf?: string }): CheckResult;
}

export function createChecker(index: CheckIndex, published: PublishedView): Checker {
  const matcher = createMatcher(indexCompaniesForMatcher(index));
  const companies = new Map(published.companies.map((c) => [c.id, c]));
  const parentOf = new Map(index.companies.map((c) => [c.id, c.parent]));
  const websites = new Map<string, string>();
  const websiteMatches = new WeakSet<Match>();
  for (const c of index.companies) {
    const host = websiteHost(c.website);
    if (host) websites.set(host, c.id);
  }
  // "aws.amazon.com" belongs to the company whose website is amazon.com.
  const siteOwner = (host: string): string | undefined => {
    for (let h = host; h.includes('.'); h = h.slice(h.indexOf('.') + 1)) {
      const id = websites.get(h);
      if (id) return id;
    }
    return undefined;
  };
  const nameOf = (id: string) => companies.get(id)?.name ?? id;

  function awardDecision(list: IndexAward[] | undefined, asOf: string, via: Decision['via']): Decision | undefined {
    const known = (list ?? []).filter((a) => started(a, asOf));
    if (known.length === 0) return undefined;
    const active = known.filter((a) => isActive(a, asOf));
    const channel = via === 'reseller-channel' ? ' through a reseller naming its products (a lower bound)' : '';
    if (active.length > 0) {
      return {
        status: 'active',
        via,
        evidence: active.sort(byAmount).slice(0, MAX_EVIDENCE).map((a) => awardLink(a, asOf)),
        note: `${active.length} active ICE award${active.length === 1 ? '' : 's'}${channel} as of ${asOf}`,
      };
    }
    return {
      status: 'ended',
      via,
      evidence: known.sort(byLastDay).slice(0, MAX_EVIDENCE).map((a) => awardLink(a, asOf)),
      note: `${known.length} ICE award${known.length === 1 ? '' : 's'}${channel}, none active on ${asOf}`,
    };
  }

  /** Everything known about the company as of a date, most serious first (awards, policy lists, watchdogs). */
  function companyDecisions(id: string, asOf: string): Decision[] {
    const published_ = companies.get(id);
    const decisions: Decision[] = [];
    const own = awardDecision(index.awards[id], asOf, 'itself');
    if (own) decisions.push(own);
    // "Recent obligations" is only in the data as of its own date (when the published data carries it).
    if (published_?.status === 'recent-obligations' && asOf === published.asOf && own?.status !== 'active') {
      decisions.push({ status: 'recent-obligations', via: 'itself', evidence: own?.evidence ?? [], note: `recent ICE obligations as of ${asOf}` });
    }
    // Older ICE obligations with no dated award make a published "ended" the timeline cannot show; never
    // answer "no record" for a company ICE has paid.
    if (published_?.status === 'ended' && asOf >= published.asOf && !own) {
      decisions.push({ status: 'ended', via: 'itself', evidence: [], note: `ICE obligations before ${published.asOf}, none recent and no dated award` });
    }
    const reseller = awardDecision(index.resellerAwards[id], asOf, 'reseller-channel');
    if (reseller) decisions.push(reseller);
    for (const p of published_?.partnership ?? []) {
      if (p.since > asOf || (p.status !== 'declined' && p.status !== 'past-partner')) continue;
      const listed = p.until === null || p.until >= asOf ? `since ${p.since}` : `${p.since} to ${p.until}`;
      decisions.push({
        status: p.status,
        via: 'itself',
        evidence: [{ label: `Policy page lists it as ${p.status === 'declined' ? 'declined' : 'a past partner'} (${listed})`, url: p.source }],
        note: `${p.status === 'declined' ? 'declined' : 'past partner'} on the policy page (${listed})`,
      });
    }
    const lists = published_?.watchdogLists ?? [];
    if (lists.length > 0) {
      const links = (published_?.evidence ?? []).filter((e) => e.kind === 'watchdog-list');
      decisions.push({
        status: 'watchdogs-only',
        via: 'itself',
        evidence: links.slice(0, MAX_EVIDENCE).map((e) => ({ label: e.title, url: e.url })),
        note: `named by ${lists.map((l) => l.source).join(', ')}`,
      });
    }
    decisions.sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
    return decisions.length ? decisions : [{ status: 'no-record', via: 'itself', evidence: [], note: NO_RECORD_NOTE }];
  }

  function ancestors(id: string): string[] {
    const out: string[] = [];
    let next = parentOf.get(id);
    while (next && !out.includes(next) && next !== id) {
      out.push(next);
      next = parentOf.get(next);
    }
    return out;
  }

  function confidentMatches(entry: CheckEntry, asOf: string): { primary?: Match; others: Match[]; fuzzy: Match[] } {
    // The as-of date is the record's date: identifiers (and units) owned only at other times do not count.
    const matches = matcher.match({ name: entry.name, uei: entry.uei, date: asOf });
    const host = websiteHost(entry.website);
    const siteId = host ? siteOwner(host) : undefined;
    if (siteId && !matches.some((m) => m.companyId === siteId && m.confidence >= PROPOSAL_THRESHOLD)) {
      const site: Match = { companyId: siteId, relation: 'direct', confidence: 0.95, method: 'legal-name', reason: `website ${host} is the registry website of ${siteId}` };
      websiteMatches.add(site);
      matches.push(site);
    }
    const confident = matches.filter((m) => m.confidence >= PROPOSAL_THRESHOLD && m.relation !== 'via-reseller');
    // The most specific company: a direct match that is not merely the parent of another direct match.
    const rank = (m: Match) => (m.relation === 'direct' ? 2 : 1) * 10 + m.confidence;
    const sorted = confident.slice().sort((a, b) => rank(b) - rank(a) || a.companyId.localeCompare(b.companyId));
    const primary = sorted.find((m) => !sorted.some((o) => o !== m && o.relation === 'direct' && ancestors(o.companyId).includes(m.companyId)));
    const chain = primary ? new Set([primary.companyId, ...ancestors(primary.companyId)]) : new Set<string>();
    const others = sorted.filter((m) => !chain.has(m.companyId));
    const fuzzy = matches.filter((m) => m.confidence < PROPOSAL_THRESHOLD).sort((a, b) => b.confidence - a.confidence || a.companyId.localeCompare(b.companyId));
    return { primary, others, fuzzy };
  }

  function row(entry: CheckEntry, asOf: string): CheckRow {
    const base = { line: entry.line, input: entry.name };
    const { primary, others, fuzzy } = confidentMatches(entry, asOf);
    if (!primary) {
      if (fuzzy.length > 0) {
        return {
          ...base,
          outcome: 'possible',
          companyId: null,
          companyName: null,
          relation: null,
          status: null,
          decidedBy: null,
          confidence: fuzzy[0]!.confidence,
          method: 'fuzzy',
          note: `${POSSIBLE_NOTE} Resembles ${fuzzy.map((m) => nameOf(m.companyId)).join(', ')}.`,
          evidence: [],
          candidates: fuzzy.map((m) => ({ companyId: m.companyId, companyName: nameOf(m.companyId), confidence: m.confidence, reason: m.reason })),
          attention: true,
        };
      }
      return {
        ...base,
        outcome: 'none',
        companyId: null,
        companyName: null,
        relation: null,
        status: 'no-record',
        decidedBy: null,
        confidence: null,
        method: null,
        note: NO_RECORD_NOTE,
        evidence: [],
        candidates: [],
        attention: false,
      };
    }
    const id = primary.companyId;
    const alias = primary.method === 'strong-alias' || primary.method === 'weak-alias';
    const relation: CheckRelation =
      primary.relation === 'subsidiary' ? 'unit' : alias && normalizedText(entry.name) !== normalizedText(nameOf(id)) ? 'brand' : 'itself';
    // The company's own status, unless a parent's is more serious: a unit of an ICE contractor says so.
    let decided = { id, decisions: companyDecisions(id, asOf), parent: false };
    for (const parent of ancestors(id)) {
      const d = companyDecisions(parent, asOf);
      if (STATUS_ORDER.indexOf(d[0]!.status) < STATUS_ORDER.indexOf(decided.decisions[0]!.status)) decided = { id: parent, decisions: d, parent: true };
    }
    const decision = decided.decisions[0]!;
    const also = decided.decisions.slice(1);
    const alsoNote = also.length ? ` Also: ${also.map((d) => d.note).join('; ')}.` : '';
    const evidence = [...decision.evidence, ...also.flatMap((d) => d.evidence.slice(0, 1))].slice(0, MAX_EVIDENCE + 1);
    const via = decided.parent ? 'parent' : decision.via;
    const relationText =
      relation === 'unit' ? `a listed unit of ${nameOf(id)}` : relation === 'brand' ? `a brand or short name of ${nameOf(id)}` : nameOf(id);
    const through =
      via === 'parent'
        ? ` Through its parent ${nameOf(decided.id)}: ${decision.note}.`
        : via === 'reseller-channel'
          ? ` Only through a reseller channel: ${decision.note}.`
          : decision.status === 'no-record'
            ? ` ${decision.note}`
            : ` ${decision.note[0]!.toUpperCase()}${decision.note.slice(1)}.`;
    return {
      ...base,
      outcome: 'match',
      companyId: id,
      companyName: nameOf(id),
      relation,
      status: decision.status,
      decidedBy: { companyId: decided.id, companyName: nameOf(decided.id), via },
      confidence: primary.confidence,
      method: websiteMatches.has(primary) ? 'website' : primary.method,
      note: `Is ${relationText} (${primary.reason}).${through}${alsoNote}`,
      evidence,
      candidates: others.map((m) => ({ companyId: m.companyId, companyName: nameOf(m.companyId), confidence: m.confidence, reason: m.reason })),
      attention: ATTENTION.has(decision.status),
    };
  }

  return {
    check(entries, options = {}) {
      const asOf = options.asOf ?? published.asOf;
      const rows = entries.map((e) => row(e, asOf));
      const byStatus: Record<string, number> = {};
      for (const r of rows) {
        const key = r.outcome === 'possible' ? 'possible-match' : (r.status ?? 'no-record');
        byStatus[key] = (byStatus[key] ?? 0) + 1;
      }
      const summary = {
        checked: rows.length,
        attention: rows.filter((r) => r.attention).length,
        matched: rows.filter((r) => r.outcome === 'match').length,
        possible: rows.filter((r) => r.outcome === 'possible').length,
        noRecord: rows.filter((r) => r.outcome === 'none').length,
        byStatus,
      };
      return { asOf, dataAsOf: published.asOf, rows, summary, summaryLine: summaryLine(summary, asOf) };
    },
  };
}

function summaryLine(s: CheckResult['summary'], asOf: string): string {
  const parts = [...STATUS_ORDER.filter((k) => k !== 'no-record').map((k) => [k, STATUS_LABEL[k]] as const), ['possible-match', 'possible match — check'] as const]
    .filter(([k]) => (s.byStatus[k] ?? 0) > 0)
    .map(([k, label]) => `${s.byStatus[k]} ${label}`);
  return (
    `${s.checked} name${s.checked === 1 ? '' : 's'} checked as of ${asOf}: ${s.attention} need${s.attention === 1 ? 's' : ''} attention` +
    (parts.length ? ` (${parts.join(', ')})` : '') +
    `; ${s.noRecord} with no ICE record found in these sources (not a clearance).`
  );
}

/** The host of a website as people write it ("www.amazon.com/about", "https://AWS.amazon.com"), without "www.". */
export function websiteHost(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = raw.trim().toLowerCase();
  if (!text) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//.test(text) ? text : `https://${text}`);
    return url.hostname.replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}
