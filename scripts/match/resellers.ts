/**
 * The reseller channel. Carahsoft, immixGroup, Four Points, CDW-G … sell other companies' software and
 * cloud to ICE; the award names the reseller, and only the description says whose product it is. So for a
 * recipient that *is* a registry reseller, the description is searched for registry product and brand
 * terms (whole words and phrases), and a hit attributes the award to the brand as `via-reseller`, never
 * as a direct award. A vendor's own award that mentions another brand ("Dell servers" on a Palantir award)
 * is not re-attributed: only recipients whose registry roles include `reseller` are searched.
 */
import type { MatchIndex, TermSpecificity, TermTarget } from './build-index.ts';
import { tokenize } from './normalize.ts';

/** Long descriptions are cut: brand names come early, and the cost of a record must stay bounded. */
const MAX_DESCRIPTION_CHARS = 2000;

/** high → may drive a proposal; medium → review queue; low terms alone are not evidence and are ignored. */
export const SPECIFICITY_CONFIDENCE: Readonly<Record<TermSpecificity, number | undefined>> = {
  high: 0.9,
  medium: 0.8,
  low: undefined,
};

export interface TermHit {
  target: TermTarget;
  /** Token span [start, end) in the tokenized description. */
  start: number;
  end: number;
}

/**
 * Platform names. A description may name a brand only as the platform another vendor's product runs on
 * or works with: "TOAD LICENSE RENEWAL FOR ORACLE USERS" (Quest's Toad), "Veeam Backup for Microsoft 365",
 * "Splunk App for AWS", "Cisco-compatible headsets", "integration with ServiceNow". Such a hit says nothing
 * about whose goods were bought, so it is not attributed. The rule reads the words around the hit:
 * - right after it, a word saying something else fits the brand (`PLATFORM_AFTER`: users, compatible,
 *   plug-in …);
 * - right before it (past "the"/"a"), "with", "to", "on" or "into" preceded by a word of fit
 *   (`PLATFORM_BEFORE`: compatible, integration, interface …);
 * - or "for" preceded by a word that names a thing rather than a purchase ("BACKUP for", "APP for"): what
 *   is bought for the brand is then that thing. Purchase words ("LICENSES for", "SUPPORT for",
 *   "RENEWAL for" …, `PURCHASE_WORDS`) keep the brand's own product ("LICENSES FOR MICROSOFT AZURE").
 * A word that is itself part of a hit of the same company ("MICROSOFT LICENSES FOR MICROSOFT OFFICE") is a
 * purchase of that brand too.
 */
const PLATFORM_AFTER = new Set([
  'user', 'users', 'compatible', 'compatibility', 'compliant', 'certified', 'ready', 'enabled', 'integration',
  'integrations', 'connector', 'connectors', 'plugin', 'plugins', 'addon', 'addons', 'adapter', 'adapters',
  'customers', 'clients', 'environments',
]);
/** Two-word forms of the same ("PLUG-IN", "ADD-ON" tokenize as two words). */
const PLATFORM_AFTER_PAIRS = new Set(['plug in', 'plug ins', 'add on', 'add ons', 'based on']);
const PLATFORM_BEFORE = new Set([
  'compatible', 'compliant', 'integration', 'integrations', 'integrated', 'integrates', 'integrate',
  'interoperable', 'interoperability', 'interface', 'interfaces', 'connector', 'connectors', 'connect',
  'plugin', 'plugins', 'adapter', 'adapters', 'works', 'compatibility',
]);
const PLATFORM_PREPOSITIONS = new Set(['with', 'to', 'on', 'into']);
const DETERMINERS = new Set(['the', 'a', 'an']);
/** What an award buys or does: "<purchase word> for <Brand>" is a purchase of the brand's goods. */
const PURCHASE_WORDS = new Set([
  'license', 'licenses', 'licence', 'licences', 'licensing', 'licenes', 'subscription', 'subscriptions', 'renewal',
  'renewals', 'renew', 'support', 'maintenance', 'maint', 'services', 'service', 'servcs', 'software', 'sw',
  'hardware', 'hw', 'equipment', 'products', 'product', 'seats', 'seat', 'funding', 'funds', 'fund', 'money',
  'award', 'call', 'order', 'contract', 'purchase', 'purchases', 'purchasing', 'procurement', 'requirement',
  'requirements', 'req', 'request', 'payment', 'option', 'extension', 'modification', 'mod', 'closeout',
  'training', 'agreement', 'ela', 'eula', 'enrollment', 'consumption', 'units', 'credits', 'storage', 'hosting',
  'cloud', 'resources', 'infrastructure', 'upgrade', 'upgrades', 'migration', 'access', 'usage', 'costs', 'cost',
  'fees', 'fee', 'charges', 'tokens', 'instances', 'capacity', 'accounts', 'account', 'environment',
  'development', 'operations', 'ice', 'dhs', 'ocio', 'hsi', 'ero', 'team', 'teams', 'staff', 'year', 'years',
  'period', 'pop', 'and', 'of', 'amp',
  // Function words: "THIS AWARD IS FOR TABLEAU SOFTWARE LICENSES" buys Tableau.
  'is', 'are', 'was', 'were', 'be', 'been', 'used', 'use', 'needed', 'need', 'required', 'requires', 'require',
  'provides', 'provide', 'providing', 'purchased', 'bought', 'paid', 'only', 'also', 'all', 'both', 'intended',
  'designated', 'this', 'that', 'these', 'those', 'it', 'them', 'as', 'or',
]);

/** Whether the term at [start, end) is named only as a platform (see above). */
export function isPlatformMention(tokens: readonly string[], start: number, end: number, sameCompany: (i: number) => boolean): boolean {
  const next = tokens[end];
  if (next !== undefined) {
    if (PLATFORM_AFTER.has(next)) return true;
    const after = tokens[end + 1];
    if (after !== undefined && PLATFORM_AFTER_PAIRS.has(`${next} ${after}`)) return true;
  }
  let i = start - 1;
  while (i >= 0 && DETERMINERS.has(tokens[i]!)) i--;
  const preposition = tokens[i];
  const before = tokens[i - 1];
  if (preposition === undefined || before === undefined) return false;
  if (PLATFORM_PREPOSITIONS.has(preposition)) return PLATFORM_BEFORE.has(before);
  if (preposition !== 'for') return false;
  if (PLATFORM_BEFORE.has(before)) return true;
  // A code, number or purchase word before "for" ("… 2019 FOR", "LICENSES FOR"), or a word of the same brand.
  return !PURCHASE_WORDS.has(before) && /^[a-z]{2,}$/.test(before) && !sameCompany(i - 1);
}

/** Registry product/brand terms named in a description, minus those inside a false friend of the same company. */
export function findTerms(index: MatchIndex, description: string): TermHit[] {
  if (index.maxTermTokens === 0) return [];
  const tokens = tokenize(description.length > MAX_DESCRIPTION_CHARS ? description.slice(0, MAX_DESCRIPTION_CHARS) : description);
  const hits: TermHit[] = [];
  const friendSpans: Array<{ companyId: string; start: number; end: number }> = [];
  const maxN = Math.max(index.maxTermTokens, index.maxFalseFriendTokens);
  for (let i = 0; i < tokens.length; i++) {
    let phrase = '';
    for (let n = 1; n <= maxN && i + n <= tokens.length; n++) {
      phrase = n === 1 ? tokens[i]! : `${phrase} ${tokens[i + n - 1]!}`;
      if (!index.phrasePrefixes.has(phrase)) break;
      if (n <= index.maxTermTokens) {
        for (const target of index.terms.get(phrase) ?? []) hits.push({ target, start: i, end: i + n });
      }
      if (n <= index.maxFalseFriendTokens) {
        for (const companyId of index.falseFriendPhrases.get(phrase) ?? []) friendSpans.push({ companyId, start: i, end: i + n });
      }
    }
  }
  if (hits.length === 0) return hits;
  const covered = (companyId: string, i: number) => hits.some((h) => h.target.companyId === companyId && h.start <= i && i < h.end);
  return hits.filter(
    (h) =>
      !friendSpans.some((f) => f.companyId === h.target.companyId && f.start <= h.start && h.end <= f.end) &&
      !isPlatformMention(tokens, h.start, h.end, (i) => covered(h.target.companyId, i)),
  );
}
