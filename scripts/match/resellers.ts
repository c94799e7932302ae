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
  if (friendSpans.length === 0) return hits;
  return hits.filter(
    (h) => !friendSpans.some((f) => f.companyId === h.target.companyId && f.start <= h.start && h.end <= f.end),
  );
}
