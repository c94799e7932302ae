/**
 * The lookup structures the matcher uses, built once from the registry. Every per-record question is a
 * hash lookup (or, for truncated names, a binary search), never a pass over the companies.
 */
import { identifierRange, intersect, isDated, rangeOf, type DateRange } from '../registry/ownership.ts';
import type { Company, Identifier } from '../registry/schema.ts';
import { candidateKeys, isGenericWord } from './fuzzy.ts';
import { normalizeCage, normalizeDuns, normalizeName, normalizeUei, tokenize } from './normalize.ts';
import type { Relation } from './types.ts';

export type IdentifierType = 'uei' | 'duns' | 'cage';

/**
 * Where a name sits in the registry decides the relation of a match to it: `legal`, `strong` and `weak`
 * aliases are the company itself (direct); `subsidiary` names are a listed unit of it (subsidiary).
 */
export type NameKind = 'legal' | 'strong' | 'weak' | 'subsidiary';

export interface NameTarget {
  companyId: string;
  kind: NameKind;
  relation: Exclude<Relation, 'via-reseller'>;
  /** The registry spelling that produced the key, for the match reason. */
  label: string;
  /** The subsidiary's registry name, for kind `subsidiary`. */
  subsidiary?: string;
  /** When the company owns the unit (subsidiary names with since/until only). */
  range?: DateRange;
}

export interface IdentifierTarget {
  companyId: string;
  type: IdentifierType;
  value: string;
  relation: Exclude<Relation, 'via-reseller'>;
  subsidiary?: string;
  /** When the identifier is the company's: its own dates within its unit's ownership dates. */
  range?: DateRange;
}

export type TermSpecificity = 'high' | 'medium' | 'low';

export interface TermTarget {
  companyId: string;
  /** The registry spelling of the product or brand. */
  term: string;
  specificity: TermSpecificity;
  /** `product` from `products`; `brand` from the company's own legal/strong names. */
  kind: 'product' | 'brand';
  /** When the term is the company's (a product line bought or sold). */
  range?: DateRange;
}

export interface FuzzyEntry {
  target: NameTarget;
  /** Distinct normalized tokens of the alias. */
  tokens: string[];
}

export interface MatchIndex {
  companies: ReadonlyMap<string, Company>;
  /** Normalized identifier → who holds it, one map per identifier type. */
  identifiers: Record<IdentifierType, Map<string, IdentifierTarget[]>>;
  /** Sorted-token key → legal names, strong aliases and subsidiary names. */
  names: Map<string, NameTarget[]>;
  /** Sorted-token key → weak aliases (only ever compared with a whole name). */
  weakNames: Map<string, NameTarget[]>;
  /** Sorted-token key of a false friend → the companies it must never match. */
  falseFriends: Map<string, string[]>;
  /** Ordered normalized texts of legal/strong/subsidiary names, sorted, for the truncated-name prefix rule. */
  prefixTexts: string[];
  /** prefixTargets[i] are the targets of prefixTexts[i]. */
  prefixTargets: NameTarget[][];
  fuzzyEntries: FuzzyEntry[];
  /** Distinctive token, and each of its one-letter deletions (see candidateKeys) → indexes into fuzzyEntries. */
  fuzzyTokens: Map<string, number[]>;
  /** Phrase (tokens joined by spaces) → product/brand terms, for reseller descriptions. */
  terms: Map<string, TermTarget[]>;
  maxTermTokens: number;
  /** Phrase → companies whose false friend it is, to keep "Cisco-Eagle shelving" from naming Cisco. */
  falseFriendPhrases: Map<string, string[]>;
  maxFalseFriendTokens: number;
  /** Every leading part of a term or false-friend phrase ("microsoft", "microsoft azure"): lets a description
   * scan stop extending a phrase as soon as no term can start that way. */
  phrasePrefixes: Set<string>;
  /** Company → its registry parents, nearest first (Twitch → [amazon]). */
  ancestors: Map<string, string[]>;
  /** Company → when its registry `parent` owns it (only companies with parentSince/parentUntil). */
  parentRanges: Map<string, DateRange>;
  /** Company → the top of its parent chain (itself when it has no parent). */
  roots: Map<string, string>;
  /** Whether any company has a registry parent (skips the roll-up step when none does). */
  hasParents: boolean;
  resellers: Set<string>;
}

/** Brand terms shorter than this are too likely to be an ordinary word or code in a description. */
const MIN_BRAND_TERM_CHARS = 3;

/** The canonical form of an identifier of `type`, or undefined when it is malformed. */
export function normalizeIdentifier(type: IdentifierType, value: string): string | undefined {
  return type === 'duns' ? normalizeDuns(value) : type === 'uei' ? normalizeUei(value) : normalizeCage(value);
}

function pushUnique(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** One target per company and relation for a key; a direct listing outranks a subsidiary one. */
function addNameTarget(map: Map<string, NameTarget[]>, key: string, target: NameTarget): void {
  const list = map.get(key);
  if (!list) {
    map.set(key, [target]);
    return;
  }
  // The same unit may be listed twice by one company with different dates (sold and bought back).
  const sameRange = (t: NameTarget) => t.range?.since === target.range?.since && t.range?.until === target.range?.until;
  if (list.some((t) => t.companyId === target.companyId && t.relation === target.relation && sameRange(t))) return;
  list.push(target);
  list.sort((a, b) => (a.relation === b.relation ? 0 : a.relation === 'direct' ? -1 : 1));
}

function relationOf(kind: NameKind): 'direct' | 'subsidiary' {
  return kind === 'subsidiary' ? 'subsidiary' : 'direct';
}

function ancestorsOf(company: Company, byId: ReadonlyMap<string, Company>): string[] {
  const chain: string[] = [];
  const seen = new Set([company.id]);
  let parentId = company.parent;
  while (parentId !== undefined && !seen.has(parentId)) {
    const parent = byId.get(parentId);
    if (!parent) break;
    chain.push(parentId);
    seen.add(parentId);
    parentId = parent.parent;
  }
  return chain;
}

export function buildIndex(companies: readonly Company[]): MatchIndex {
  const byId = new Map(companies.map((c) => [c.id, c]));
  const identifiers: MatchIndex['identifiers'] = { uei: new Map(), duns: new Map(), cage: new Map() };
  const names = new Map<string, NameTarget[]>();
  const weakNames = new Map<string, NameTarget[]>();
  const falseFriends = new Map<string, string[]>();
  const prefixMap = new Map<string, NameTarget[]>();
  const fuzzyEntries: FuzzyEntry[] = [];
  const fuzzyTokens = new Map<string, number[]>();
  const terms = new Map<string, TermTarget[]>();
  const falseFriendPhrases = new Map<string, string[]>();
  const ancestors = new Map<string, string[]>();
  const parentRanges = new Map<string, DateRange>();
  const roots = new Map<string, string>();
  const resellers = new Set<string>();
  let maxTermTokens = 0;
  let maxFalseFriendTokens = 0;

  const addTerm = (phraseTokens: string[], target: TermTarget) => {
    const phrase = phraseTokens.join(' ');
    if (phrase.length < MIN_BRAND_TERM_CHARS) return;
    const list = terms.get(phrase) ?? [];
    const same = list.find((t) => t.companyId === target.companyId);
    const rank = { high: 3, medium: 2, low: 1 } as const;
    if (same) {
      // One entry per company and phrase: the most specific, then the shortest spelling ("Microsoft" over
      // "Microsoft Corporation") so the match reason quotes what the description most likely said.
      const better =
        rank[target.specificity] > rank[same.specificity] ||
        (rank[target.specificity] === rank[same.specificity] && target.term.length < same.term.length);
      if (better) Object.assign(same, target);
      return;
    }
    list.push(target);
    terms.set(phrase, list);
    maxTermTokens = Math.max(maxTermTokens, phraseTokens.length);
  };

  const addName = (raw: string, target: Omit<NameTarget, 'relation'>, brand: boolean) => {
    const full: NameTarget = { ...target, relation: relationOf(target.kind) };
    for (const variant of normalizeName(raw).variants) {
      if (full.kind === 'weak') {
        addNameTarget(weakNames, variant.key, full);
        continue;
      }
      addNameTarget(names, variant.key, full);
      addNameTarget(prefixMap, variant.text, full);
      const index = fuzzyEntries.length;
      const tokens = [...new Set(variant.tokens)];
      fuzzyEntries.push({ target: full, tokens });
      for (const token of tokens) {
        if (isGenericWord(token)) continue;
        for (const key of candidateKeys(token)) {
          const list = fuzzyTokens.get(key);
          if (!list) fuzzyTokens.set(key, [index]);
          else if (list[list.length - 1] !== index) list.push(index);
        }
      }
      if (brand && full.kind !== 'subsidiary') {
        addTerm(variant.tokens, {
          companyId: full.companyId,
          term: raw,
          specificity: 'high',
          kind: 'brand',
          ...(full.range === undefined ? {} : { range: full.range }),
        });
      }
    }
  };

  const addIdentifiers = (
    companyId: string,
    ids: Partial<Record<IdentifierType, Identifier[]>> | undefined,
    relation: 'direct' | 'subsidiary',
    subsidiary?: string,
    owned: DateRange = {},
  ) => {
    if (!ids) return;
    for (const type of ['uei', 'duns', 'cage'] as const) {
      for (const id of ids[type] ?? []) {
        const key = normalizeIdentifier(type, id.value);
        if (key === undefined) continue;
        const list = identifiers[type].get(key) ?? [];
        const range = intersect(identifierRange(id), owned);
        if (list.some((t) => t.companyId === companyId && t.relation === relation && !isDated(range) && !isDated(t.range ?? {}))) continue;
        list.push({
          companyId,
          type,
          value: key,
          relation,
          ...(subsidiary === undefined ? {} : { subsidiary }),
          ...(isDated(range) ? { range } : {}),
        });
        identifiers[type].set(key, list);
      }
    }
  };

  // Sorted by id so the order of targets (and so of matches and reasons) never depends on file order.
  for (const company of [...companies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const id = company.id;
    const chain = ancestorsOf(company, byId);
    ancestors.set(id, chain);
    roots.set(id, chain[chain.length - 1] ?? id);
    const parentRange = rangeOf({ since: company.parentSince, until: company.parentUntil });
    if (company.parent !== undefined && isDated(parentRange)) parentRanges.set(id, parentRange);
    if (company.roles.includes('reseller')) resellers.add(id);

    const exists = rangeOf(company);
    const existsDated = isDated(exists) ? { range: exists } : {};
    addIdentifiers(id, company.identifiers, 'direct', undefined, exists);
    // A company's own names are brand terms only if it sells its own line: a pure reseller's name in a
    // description ("via CDW-G") is not a brand of the goods.
    const brand = company.roles.includes('vendor');
    for (const legal of company.aliases?.legal ?? []) addName(legal, { companyId: id, kind: 'legal', label: legal, ...existsDated }, brand);
    addName(company.name, { companyId: id, kind: 'strong', label: company.name, ...existsDated }, brand);
    for (const strong of company.aliases?.strong ?? []) addName(strong, { companyId: id, kind: 'strong', label: strong, ...existsDated }, brand);
    for (const weak of company.aliases?.weak ?? []) addName(weak, { companyId: id, kind: 'weak', label: weak, ...existsDated }, false);
    for (const sub of company.subsidiaries ?? []) {
      const owned = intersect(rangeOf(sub), exists);
      const dated = isDated(owned) ? { range: owned } : {};
      for (const name of [sub.name, ...(sub.aliases ?? [])]) {
        addName(name, { companyId: id, kind: 'subsidiary', label: name, subsidiary: sub.name, ...dated }, false);
      }
      addIdentifiers(id, sub.identifiers, 'subsidiary', sub.name, owned);
    }
    for (const product of company.products ?? []) {
      const tokens = tokenize(product.term);
      const range = rangeOf(product);
      if (tokens.length > 0) {
        addTerm(tokens, {
          companyId: id,
          term: product.term,
          specificity: product.specificity,
          kind: 'product',
          ...(isDated(range) ? { range } : {}),
        });
      }
    }
    for (const friend of company.falseFriends ?? []) {
      for (const variant of normalizeName(friend).variants) pushUnique(falseFriends, variant.key, id);
      const phrase = tokenize(friend);
      if (phrase.length > 0) {
        pushUnique(falseFriendPhrases, phrase.join(' '), id);
        maxFalseFriendTokens = Math.max(maxFalseFriendTokens, phrase.length);
      }
    }
  }

  const phrasePrefixes = new Set<string>();
  for (const phrase of [...terms.keys(), ...falseFriendPhrases.keys()]) {
    const words = phrase.split(' ');
    for (let n = 1; n <= words.length; n++) phrasePrefixes.add(words.slice(0, n).join(' '));
  }

  const prefixTexts = [...prefixMap.keys()].sort();
  const prefixTargets = prefixTexts.map((t) => prefixMap.get(t)!);

  return {
    companies: byId,
    identifiers,
    names,
    weakNames,
    falseFriends,
    prefixTexts,
    prefixTargets,
    fuzzyEntries,
    fuzzyTokens,
    terms,
    maxTermTokens,
    falseFriendPhrases,
    maxFalseFriendTokens,
    phrasePrefixes,
    ancestors,
    parentRanges,
    roots,
    hasParents: [...ancestors.values()].some((chain) => chain.length > 0),
    resellers,
  };
}
