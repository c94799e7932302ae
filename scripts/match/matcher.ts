/**
 * Which registry company does a procurement recipient (or a watchdog's name) belong to?
 *
 * Order: the recipient's identifiers → its name against legal names, strong aliases and subsidiary names
 * (then, for a name cut at 30 characters, the prefix rule) → weak aliases as the whole name → the record's
 * parent identifiers → the parent name → fuzzy candidates (review only) → for resellers, brand terms in
 * the description. Confidences and the relation rule are documented in readme.md.
 *
 * Relation rule, decided by where the registry lists what matched, never by the shape of the name:
 * - `direct`: the recipient's identifier or name is one of the company's own (`identifiers`,
 *   `aliases.legal/strong/weak`, `name`). Curators list there the entities that are the company selling its
 *   own line under its own brand: Dell Federal Systems L.P. for Dell, Cellebrite USA Corp for Cellebrite.
 * - `subsidiary`: it is listed under the company's `subsidiaries` (Palantir USG, Thomson Reuters Special
 *   Services, Accenture Federal Services …), or the record only says the recipient's *parent* is the
 *   company (parent UEI/DUNS or parent name), or it matched a registry company whose `parent` is this one
 *   (a GitHub award is github/direct and microsoft/subsidiary).
 * - `via-reseller`: a brand named in the description of an award to a registry reseller.
 * Evidence about the recipient itself outranks evidence about its parent: a recipient that is a company's
 * legal name stays `direct` even when its parent record points at the same company.
 */
import type { AwardRecord, MentionRecord } from '../records.ts';
import { inRange, type DateRange } from '../registry/ownership.ts';
import type { Company } from '../registry/schema.ts';
import { buildIndex, normalizeIdentifier, type IdentifierTarget, type MatchIndex, type NameTarget } from './build-index.ts';
import { candidateKeys, fuzzyConfidence, isGenericWord, nameSimilarity } from './fuzzy.ts';
import { mayBeTruncated, normalizeName, truncationReading, type NameVariant, type NormalizedName } from './normalize.ts';
import { SPECIFICITY_CONFIDENCE, findTerms, type TermHit } from './resellers.ts';
import {
  PROPOSAL_THRESHOLD,
  type DetailedMatch,
  type Match,
  type MatchInput,
  type MatchMethod,
  type Matcher,
  type OwnershipNote,
} from './types.ts';
import { compareText } from '../util/text-key.ts';

export const CONFIDENCE = {
  identifier: 1,
  parentIdentifier: 0.95,
  exactName: 0.95,
  namePrefix: 0.9,
  weakAlias: 0.9,
  parentName: 0.9,
} as const;

/** A truncated name shorter than this (normalized) could start too many unrelated names. */
export const MIN_PREFIX_CHARS = 16;
/** A distinctive token shared by more fuzzy entries than this is not rare enough to nominate candidates. */
const MAX_CANDIDATES_PER_TOKEN = 64;
/**
 * Normalization results kept per matcher; names repeat heavily across award records. A full history has
 * more distinct recipients than 50k (the 1M-record benchmark has ~96k), and clearing the whole cache at the
 * limit then re-analyses names over and over (measured: +23 % records/s at 1M inputs with 500k). The limit
 * still bounds memory for inputs far beyond ICE's history.
 */
const CACHE_LIMIT = 500_000;

type Level = 'recipient' | 'parent';

interface Found {
  match: Match;
  level: Level;
}

/**
 * What a name alone says; cached per raw name. Most names (unknown recipients) say nothing, and share one
 * empty analysis so the cache holds little more than its keys.
 */
interface NameAnalysis {
  /** Identifier-free evidence from the name: exact, prefix and weak-alias matches (all ≥ 0.9). */
  exact: readonly Match[];
  /** Review-only candidates, computed only when `exact` is empty. */
  fuzzy: readonly Match[];
  falseFriendOf: ReadonlySet<string>;
  /** Matches to units the registry owns only for a time (since/until): kept or set aside per record date. */
  datedExact: readonly DatedMatch[];
}

/** A match to a dated unit, with who owned the unit next (for "acquired by X on DATE"). */
interface DatedMatch {
  match: Match;
  unit: string;
  range: DateRange;
  nextOwner?: { companyId: string; since: string };
}

const NO_DATED: readonly DatedMatch[] = [];
const NO_NOTES: readonly OwnershipNote[] = [];

const NO_MATCHES: readonly Match[] = [];
const NO_TARGETS: readonly NameTarget[] = [];
const NO_IDS: ReadonlySet<string> = new Set();
const EMPTY_ANALYSIS: NameAnalysis = { exact: NO_MATCHES, fuzzy: NO_MATCHES, falseFriendOf: NO_IDS, datedExact: NO_DATED };

const NAME_METHOD: Record<NameTarget['kind'], MatchMethod> = {
  legal: 'legal-name',
  strong: 'strong-alias',
  weak: 'weak-alias',
  subsidiary: 'subsidiary-name',
};

const KIND_LABEL: Record<NameTarget['kind'], string> = {
  legal: 'legal name',
  strong: 'strong alias',
  weak: 'weak alias',
  subsidiary: 'subsidiary name',
};

const ID_LABEL = { uei: 'UEI', duns: 'DUNS', cage: 'CAGE' } as const;

function describeTarget(t: NameTarget | IdentifierTarget): string {
  return t.relation === 'subsidiary' && t.subsidiary !== undefined
    ? `its subsidiary "${t.subsidiary}" of ${t.companyId}`
    : t.companyId;
}

function validOn(target: IdentifierTarget, date: string | undefined): boolean {
  return target.range === undefined || inRange(target.range, date);
}

/** The owner that took a dated unit over when `target`'s ownership ended, among the targets of one name. */
function nextOwnerOf(target: NameTarget, all: readonly NameTarget[]): { companyId: string; since: string } | undefined {
  const until = target.range?.until;
  if (until === undefined) return undefined;
  let best: { companyId: string; since: string } | undefined;
  for (const t of all) {
    const since = t.range?.since;
    if (t.companyId === target.companyId || since === undefined || since < until) continue;
    if (!best || since < best.since) best = { companyId: t.companyId, since };
  }
  return best;
}

/** The dated matches that hold on `date` (reasons say the ownership dates), and notes for those that do not. */
function sortDated(
  dated: readonly DatedMatch[],
  date: string | undefined,
  into: Match[],
  notes: OwnershipNote[],
): void {
  for (const d of dated) {
    const { since, until } = d.range;
    const unit = d.match.relation === 'subsidiary';
    if (inRange(d.range, date)) {
      const who = unit ? `owned by ${d.match.companyId}` : `${d.match.companyId}'s name`;
      const held = since !== undefined ? `${who} since ${since}` : `${who} until ${until}`;
      const next = d.nextOwner ? `; acquired by ${d.nextOwner.companyId} on ${d.nextOwner.since}` : '';
      into.push({ ...d.match, reason: `${d.match.reason} (${held}${next})` });
      continue;
    }
    const when = date === undefined ? 'now' : `the record's date ${date}`;
    notes.push(
      since !== undefined && (date === undefined ? false : date < since)
        ? {
            companyId: d.match.companyId,
            unit: d.unit,
            since,
            ...(date === undefined ? {} : { date }),
            text: unit
              ? `"${d.unit}" was acquired by ${d.match.companyId} on ${since}, after ${when}: not attributed to ${d.match.companyId}`
              : `"${d.unit}" is ${d.match.companyId}'s name only since ${since}, after ${when}: not attributed to ${d.match.companyId}`,
          }
        : {
            companyId: d.match.companyId,
            unit: d.unit,
            ...(until === undefined ? {} : { until }),
            ...(date === undefined ? {} : { date }),
            text: `"${d.unit}" stopped being ${unit ? `${d.match.companyId}'s` : `a name of ${d.match.companyId}`} on ${until ?? '?'}, before ${when}${d.nextOwner ? ` (acquired by ${d.nextOwner.companyId} on ${d.nextOwner.since})` : ''}: not attributed to ${d.match.companyId}`,
          },
    );
  }
}

/**
 * Keep the stronger evidence per company. Among confident matches (≥ 0.9) evidence about the recipient
 * itself beats evidence about its parent, so a legal-name hit stays `direct` even when the parent record
 * also points at the company; otherwise the higher confidence wins, the earlier evidence on a tie.
 */
function put(found: Map<string, Found>, match: Match, level: Level): void {
  const prior = found.get(match.companyId);
  if (prior && rank(prior) >= rank({ match, level })) return;
  found.set(match.companyId, { match, level });
}

function rank(f: Found): number {
  const confident = f.match.confidence >= PROPOSAL_THRESHOLD ? 2 : 0;
  const own = f.level === 'recipient' ? 1 : 0;
  return (confident + own) * 10 + f.match.confidence;
}

const NONE: readonly string[] = [];
const SPECIFICITY_RANK = { high: 3, medium: 2, low: 1 } as const;

/** Append unless the list already has a match for the same company and relation (the earlier one is stronger). */
function pushUnique(list: Match[], match: Match): void {
  for (const m of list) if (m.companyId === match.companyId && m.relation === match.relation) return;
  list.push(match);
}

function hasConfident(found: Map<string, Found>): boolean {
  for (const f of found.values()) if (f.match.confidence >= PROPOSAL_THRESHOLD) return true;
  return false;
}

function byConfidence(a: Match, b: Match): number {
  return b.confidence - a.confidence || compareText(a.companyId, b.companyId) || compareText(a.relation, b.relation);
}

/** The fields of an award the matcher reads; the date is the award's start. */
export function awardInput(award: AwardRecord): MatchInput {
  const r = award.recipient;
  return {
    name: r.name,
    ...(r.uei === undefined ? {} : { uei: r.uei }),
    ...(r.duns === undefined ? {} : { duns: r.duns }),
    ...(r.parentName === undefined ? {} : { parentName: r.parentName }),
    ...(r.parentUei === undefined ? {} : { parentUei: r.parentUei }),
    ...(r.parentDuns === undefined ? {} : { parentDuns: r.parentDuns }),
    ...(award.description === undefined ? {} : { description: award.description }),
    ...(award.start === undefined ? {} : { date: award.start }),
  };
}

class RegistryMatcher implements Matcher {
  private readonly names = new Map<string, NameAnalysis>();
  private readonly parentNames = new Map<string, readonly Match[]>();
  private readonly descriptions = new Map<string, TermHit[]>();

  constructor(private readonly index: MatchIndex) {}

  matchAward(award: AwardRecord): Match[] {
    return this.matchDetailed(awardInput(award)).matches;
  }

  matchMention(mention: MentionRecord): Match[] {
    const own = this.match({ name: mention.name });
    if (!mention.aliases || own.some((m) => m.confidence >= PROPOSAL_THRESHOLD)) return own;
    // "Computer Projects of Illinois (AKA OpenFox)": the list's own alias speaks when the name does not.
    for (const alias of mention.aliases) {
      const via = this.match({ name: alias }).filter((m) => m.confidence >= PROPOSAL_THRESHOLD);
      if (via.length > 0) return via.map((m) => ({ ...m, reason: `the list gives "${alias}" as another name; ${m.reason}` }));
    }
    return own;
  }

  match(input: MatchInput): Match[] {
    return this.matchDetailed(input).matches;
  }

  matchDetailed(input: MatchInput): DetailedMatch {
    // Hot path (benchmarked per record): no closures, no intermediate arrays unless something matched.
    const found = new Map<string, Found>();
    const name = input.name ? this.analyzeName(input.name) : undefined;
    // "A recipient equal to a false friend matches nothing of that company", whatever else it carries.
    const blocked = name?.falseFriendOf;
    let notes = NO_NOTES as OwnershipNote[];
    const date = input.date;

    if (input.uei) this.addAll(found, this.identifierMatches('uei', input.uei, date, false), 'recipient', blocked, false);
    if (input.duns) this.addAll(found, this.identifierMatches('duns', input.duns, date, false), 'recipient', blocked, false);
    if (input.cage) this.addAll(found, this.identifierMatches('cage', input.cage, date, false), 'recipient', blocked, false);
    if (name) {
      this.addAll(found, name.exact, 'recipient', blocked, true);
      if (name.datedExact.length > 0) {
        const held: Match[] = [];
        notes = [];
        sortDated(name.datedExact, date, held, notes);
        this.addAll(found, held, 'recipient', blocked, false);
      }
    }
    if (input.parentUei) this.addAll(found, this.identifierMatches('uei', input.parentUei, date, true), 'parent', blocked, false);
    if (input.parentDuns) this.addAll(found, this.identifierMatches('duns', input.parentDuns, date, true), 'parent', blocked, false);
    // A record naming the recipient as its own parent (most do) says nothing the name did not already say.
    if (input.parentName && input.parentName !== input.name) {
      this.addAll(found, this.parentNameMatches(input.parentName), 'parent', blocked, true);
    }

    // Fuzzy candidates only when nothing exact said anything: they exist to help a reviewer, not to add noise.
    // (Dated units are not fuzzy candidates: a near spelling carries no date logic, and review is for the rest.)
    if (name && name.fuzzy.length > 0 && !hasConfident(found)) this.addAll(found, name.fuzzy, 'recipient', blocked, true);
    if (found.size === 0) return { matches: [], notes };

    if (this.index.hasParents) {
      for (const { match, level } of [...found.values()]) {
        let child = match.companyId;
        for (const ancestorId of this.index.ancestors.get(match.companyId) ?? NONE) {
          if (blocked?.has(ancestorId)) continue;
          const link = this.index.parentRanges.get(child);
          if (link !== undefined && !inRange(link, date)) {
            if (notes === NO_NOTES) notes = [];
            notes.push({
              companyId: ancestorId,
              unit: child,
              ...(link.since === undefined ? {} : { since: link.since }),
              ...(link.until === undefined ? {} : { until: link.until }),
              ...(date === undefined ? {} : { date }),
              text: link.since !== undefined && date !== undefined && date < link.since
                ? `${child} was acquired by ${ancestorId} on ${link.since}, after the record's date ${date}: not attributed to ${ancestorId}`
                : `${child} was ${ancestorId}'s only until ${link.until ?? '?'}: not attributed to ${ancestorId}`,
            });
            break;
          }
          const since = link?.since !== undefined ? ` (acquired by ${ancestorId} on ${link.since})` : '';
          put(found, {
            companyId: ancestorId,
            relation: 'subsidiary',
            confidence: match.confidence,
            method: match.method,
            reason: `${match.reason}; ${match.companyId} is a subsidiary of ${ancestorId} in the registry${since}`,
          }, level);
          child = ancestorId;
        }
      }
    }

    const matches: Match[] = [];
    for (const f of found.values()) matches.push(f.match);
    if (input.description) {
      const via = this.resellerMatches(matches, input.description, blocked, date);
      for (const m of via) matches.push(m);
    }
    return { matches: matches.length > 1 ? matches.sort(byConfidence) : matches, notes };
  }

  /** The company and those of its registry parents that owned it (and each other) on `date`. */
  private chainOn(companyId: string, date: string | undefined): string[] {
    const chain = [companyId];
    let child = companyId;
    for (const ancestorId of this.index.ancestors.get(companyId) ?? NONE) {
      const link = this.index.parentRanges.get(child);
      if (link !== undefined && !inRange(link, date)) break;
      chain.push(ancestorId);
      child = ancestorId;
    }
    return chain;
  }

  /** Add matches (copied when they come from a cache) unless their company is a false friend of the name. */
  private addAll(
    found: Map<string, Found>,
    matches: readonly Match[],
    level: Level,
    blocked: ReadonlySet<string> | undefined,
    copy: boolean,
  ): void {
    for (const m of matches) {
      if (blocked !== undefined && blocked.has(m.companyId)) continue;
      put(found, copy ? { ...m } : m, level);
    }
  }

  private identifierMatches(type: 'uei' | 'duns' | 'cage', value: string, date: string | undefined, parent: boolean): Match[] {
    const key = normalizeIdentifier(type, value);
    if (key === undefined) return [];
    const targets = this.index.identifiers[type].get(key);
    if (!targets) return [];
    const label = `${ID_LABEL[type]} ${key}`;
    const out: Match[] = [];
    for (const t of targets) {
      if (!validOn(t, date)) continue;
      if (parent) {
        out.push({
          companyId: t.companyId,
          relation: 'subsidiary',
          confidence: CONFIDENCE.parentIdentifier,
          method: type === 'uei' ? 'parent-uei' : 'parent-duns',
          reason: `the recipient's parent ${label} is registered for ${describeTarget(t)}`,
        });
      } else {
        out.push({
          companyId: t.companyId,
          relation: t.relation,
          confidence: CONFIDENCE.identifier,
          method: type,
          reason: `recipient ${label} is registered for ${describeTarget(t)}`,
        });
      }
    }
    return out;
  }

  private analyzeName(raw: string): NameAnalysis {
    const cached = this.names.get(raw);
    if (cached) return cached;
    const normalized = normalizeName(raw);
    const exact: Match[] = [];
    const datedExact: DatedMatch[] = [];
    const falseFriendOf = new Set<string>();
    for (const v of normalized.variants) {
      for (const id of this.index.falseFriends.get(v.key) ?? []) falseFriendOf.add(id);
      const targets = this.index.names.get(v.key) ?? NO_TARGETS;
      for (const t of targets) {
        const match: Match = {
          companyId: t.companyId,
          relation: t.relation,
          confidence: CONFIDENCE.exactName,
          method: NAME_METHOD[t.kind],
          reason: `recipient name "${v.text}" is the ${KIND_LABEL[t.kind]} "${t.label}" of ${t.companyId}`,
        };
        if (t.range === undefined) {
          pushUnique(exact, match);
          continue;
        }
        if (datedExact.some((d) => d.match.companyId === t.companyId && d.range === t.range)) continue;
        const next = nextOwnerOf(t, targets);
        datedExact.push({ match, unit: t.subsidiary ?? t.label, range: t.range, ...(next ? { nextOwner: next } : {}) });
      }
    }
    const last = normalized.variants[normalized.variants.length - 1];
    if (exact.length === 0 && datedExact.length === 0 && last && mayBeTruncated(raw)) {
      const cut = this.truncatedTarget(last);
      // A cut name that starts a dated unit's name is left to the exact rules: prefixes carry no date logic.
      if (cut && cut.target.range === undefined) {
        const t = cut.target;
        const how = cut.completed
          ? `is, without a cut-off legal form, the ${KIND_LABEL[t.kind]}`
          : `starts only the ${KIND_LABEL[t.kind]}`;
        pushUnique(exact, {
          companyId: t.companyId,
          relation: t.relation,
          confidence: CONFIDENCE.namePrefix,
          method: 'name-prefix',
          reason: `recipient name "${last.text}" looks cut at ${raw.trim().length} characters and ${how} "${t.label}" of ${t.companyId}`,
        });
      }
    }
    for (const v of normalized.variants) {
      for (const t of this.index.weakNames.get(v.key) ?? []) {
        const match: Match = {
          companyId: t.companyId,
          relation: t.relation,
          confidence: CONFIDENCE.weakAlias,
          method: 'weak-alias',
          reason: `recipient name "${v.text}" is, as a whole, the weak alias "${t.label}" of ${t.companyId}`,
        };
        if (t.range === undefined) pushUnique(exact, match);
        else datedExact.push({ match, unit: t.label, range: t.range });
      }
    }

    const fuzzy = exact.length === 0 && datedExact.length === 0 ? this.fuzzyMatches(normalized) : NO_MATCHES;
    const analysis: NameAnalysis =
      exact.length === 0 && fuzzy.length === 0 && falseFriendOf.size === 0 && datedExact.length === 0
        ? EMPTY_ANALYSIS
        : {
            exact,
            fuzzy,
            falseFriendOf: falseFriendOf.size === 0 ? NO_IDS : falseFriendOf,
            datedExact: datedExact.length === 0 ? NO_DATED : datedExact,
          };
    if (this.names.size >= CACHE_LIMIT) this.names.clear();
    this.names.set(raw, analysis);
    return analysis;
  }

  /**
   * The one registry name a cut name stands for: first as a whole name whose legal form was cut
   * ("LOSAMI NETWORKS TECHNOLOGIES C"), then as the start of a longer name ("INTERNATIONAL BUSINESS
   * MACHINE"). Undefined when none, or when more than one company (or relation) fits.
   */
  private truncatedTarget(variant: NameVariant): { target: NameTarget; completed: boolean } | undefined {
    const reading = truncationReading(variant);
    if (reading.completedKey !== undefined) {
      const targets = this.index.names.get(reading.completedKey);
      const first = targets?.[0];
      if (first && targets!.every((t) => t.companyId === first.companyId && t.relation === first.relation)) {
        return { target: first, completed: true };
      }
    }
    const target = this.prefixTarget(reading.prefix);
    return target ? { target, completed: false } : undefined;
  }

  /** The one company (and relation) whose name starts with `prefix`; undefined when none or ambiguous. */
  private prefixTarget(prefix: string): NameTarget | undefined {
    if (prefix.length < MIN_PREFIX_CHARS) return undefined;
    const texts = this.index.prefixTexts;
    let lo = 0;
    let hi = texts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (texts[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    let found: NameTarget | undefined;
    for (let i = lo; i < texts.length && texts[i]!.startsWith(prefix); i++) {
      for (const t of this.index.prefixTargets[i]!) {
        if (found === undefined) found = t;
        else if (found.companyId !== t.companyId || found.relation !== t.relation) return undefined;
      }
    }
    return found;
  }

  private parentNameMatches(raw: string): readonly Match[] {
    const cached = this.parentNames.get(raw);
    if (cached) return cached;
    const normalized = normalizeName(raw);
    let out: Match[] | undefined;
    for (const v of normalized.variants) {
      for (const t of this.index.names.get(v.key) ?? NO_TARGETS) {
        if (out?.some((m) => m.companyId === t.companyId)) continue;
        // A name that belonged to different companies over time says, as a parent (a field often left stale:
        // LEIDOS, INC. with parent "SAIC INC." in FY2017), nothing certain about the owner.
        if (t.range !== undefined) continue;
        // A parent that is a false friend of the company ("Cisco-Eagle") says nothing about it.
        if (normalized.variants.some((w) => this.index.falseFriends.get(w.key)?.includes(t.companyId))) continue;
        (out ??= []).push({
          companyId: t.companyId,
          relation: 'subsidiary',
          confidence: CONFIDENCE.parentName,
          method: 'parent-name',
          reason: `the recipient's parent "${v.text}" is the ${KIND_LABEL[t.kind]} "${t.label}" of ${t.companyId}`,
        });
      }
    }
    const result = out ?? NO_MATCHES;
    if (this.parentNames.size >= CACHE_LIMIT) this.parentNames.clear();
    this.parentNames.set(raw, result);
    return result;
  }

  private fuzzyMatches(normalized: NormalizedName): readonly Match[] {
    const best = new Map<string, Match>();
    for (const v of normalized.variants) {
      const candidates = new Set<number>();
      for (const token of new Set(v.tokens)) {
        if (isGenericWord(token)) continue;
        for (const key of candidateKeys(token)) {
          const entries = this.index.fuzzyTokens.get(key);
          if (!entries || entries.length > MAX_CANDIDATES_PER_TOKEN) continue;
          for (const e of entries) candidates.add(e);
        }
      }
      if (candidates.size === 0) continue;
      const tokens = [...new Set(v.tokens)];
      const qualifiers = v.qualifiers.length > 0 ? new Set(v.qualifiers) : undefined;
      for (const e of candidates) {
        const entry = this.index.fuzzyEntries[e]!;
        const confidence = fuzzyConfidence(nameSimilarity(tokens, entry.tokens, qualifiers));
        if (confidence === undefined) continue;
        const t = entry.target;
        if (t.range !== undefined) continue;
        const k = `${t.companyId}\u0000${t.relation}`;
        const prior = best.get(k);
        if (prior && prior.confidence >= confidence) continue;
        best.set(k, {
          companyId: t.companyId,
          relation: t.relation,
          confidence,
          method: 'fuzzy',
          reason: `recipient name "${v.text}" resembles the ${KIND_LABEL[t.kind]} "${t.label}" of ${t.companyId}; needs review`,
        });
      }
    }
    // One candidate per company: the closest spelling decides its relation.
    const perCompany = new Map<string, Match>();
    for (const m of best.values()) {
      const prior = perCompany.get(m.companyId);
      if (!prior || m.confidence > prior.confidence) perCompany.set(m.companyId, m);
    }
    return perCompany.size === 0 ? NO_MATCHES : [...perCompany.values()].sort(byConfidence);
  }

  /** Brand terms in a description, most specific and then longest first; cached (award modifications repeat it). */
  private termsIn(description: string): TermHit[] {
    const cached = this.descriptions.get(description);
    if (cached) return cached;
    // The reason then quotes "Amazon Web Services" rather than "Amazon".
    const hits = findTerms(this.index, description).sort(
      (a, b) =>
        SPECIFICITY_RANK[b.target.specificity] - SPECIFICITY_RANK[a.target.specificity] ||
        b.end - b.start - (a.end - a.start) ||
        a.start - b.start,
    );
    if (this.descriptions.size >= CACHE_LIMIT) this.descriptions.clear();
    this.descriptions.set(description, hits);
    return hits;
  }

  private resellerMatches(
    matches: readonly Match[],
    description: string,
    blocked: ReadonlySet<string> | undefined,
    date: string | undefined,
  ): Match[] {
    const resellers = matches.filter(
      (m) => m.relation !== 'via-reseller' && m.confidence >= PROPOSAL_THRESHOLD && this.index.resellers.has(m.companyId),
    );
    if (resellers.length === 0) return [];
    const reseller = resellers.sort(byConfidence)[0]!;
    // The recipient's own family (itself, its parents and their other units) is not "another brand".
    const ownRoots = new Set(matches.map((m) => this.index.roots.get(m.companyId) ?? m.companyId));
    const out = new Map<string, Match>();
    for (const hit of this.termsIn(description)) {
      const target = hit.target;
      const base = SPECIFICITY_CONFIDENCE[target.specificity];
      if (base === undefined) continue;
      if (target.range !== undefined && !inRange(target.range, date)) continue;
      if (ownRoots.has(this.index.roots.get(target.companyId) ?? target.companyId)) continue;
      const confidence = Math.min(base, reseller.confidence);
      const what = target.kind === 'product' ? `product "${target.term}"` : `name "${target.term}"`;
      const chain = this.chainOn(target.companyId, date);
      for (const companyId of chain) {
        if (blocked !== undefined && blocked.has(companyId)) continue;
        const prior = out.get(companyId);
        if (prior && prior.confidence >= confidence) continue;
        const via = companyId === target.companyId ? '' : ` (${target.companyId} is a subsidiary of ${companyId} in the registry)`;
        out.set(companyId, {
          companyId,
          relation: 'via-reseller',
          confidence,
          method: 'product-term',
          reason: `the description names ${target.companyId}'s ${what} (${target.specificity} specificity) on an award to the reseller ${reseller.companyId}${via}`,
          resellerId: reseller.companyId,
        });
      }
    }
    return [...out.values()];
  }
}

/** Build the registry index once and return a matcher over it. */
export function createMatcher(companies: readonly Company[]): Matcher {
  return new RegistryMatcher(buildIndex(companies));
}

/** For callers that already hold an index (e.g. to share it between matchers). */
export function createMatcherFromIndex(index: MatchIndex): Matcher {
  return new RegistryMatcher(index);
}
