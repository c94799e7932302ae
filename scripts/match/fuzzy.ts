/**
 * Fuzzy name similarity, for the review queue only (confidence 0.7–0.89, never a proposal).
 *
 * A plain token-set ratio would call "ORACLE ELEVATOR" a perfect match for "Oracle" (one name's tokens are
 * a subset of the other's). Here every *distinctive* word on both sides must find a partner: only generic
 * business words ("services", "solutions", "federal", …) may be left over. So a different business that
 * borrows a famous word ("AMAZON HOSE & RUBBER", "GOOGLE EYES", "CISCO-EAGLE") never scores, while
 * "PALANTIR GOVERNMENT SERVICES" vs "Palantir Technologies" or a misspelt "THOMPSON REUTERS SPECIAL
 * SERVICES" does, for a person to check.
 */

/** Words that describe a kind of business rather than name one. Kept short on purpose: when unsure, leave it out. */
const GENERIC_WORDS = new Set([
  'america', 'american', 'associates', 'business', 'communications', 'computer', 'computers', 'consultants',
  'consulting', 'data', 'de', 'defense', 'development', 'digital', 'engineering', 'enterprise', 'enterprises',
  'federal', 'global', 'gov', 'government', 'group', 'holding', 'holdings', 'inc', 'industries', 'info',
  'information', 'integrated', 'international', 'intl', 'it', 'management', 'national', 'network', 'networks',
  'north', 'of', 'operations', 'partners', 'public', 'sector', 'security', 'service', 'services', 'software',
  'solution', 'solutions', 'systems', 'system', 'tech', 'technologies', 'technology', 'the', 'us', 'usa',
  'worldwide',
]);

export function isGenericWord(token: string): boolean {
  return GENERIC_WORDS.has(token);
}

const GENERIC_WEIGHT = 0.25;
const DISTINCTIVE_WEIGHT = 1;

function weight(token: string): number {
  return GENERIC_WORDS.has(token) ? GENERIC_WEIGHT : DISTINCTIVE_WEIGHT;
}

/** Words shorter than this never match fuzzily: one slip in a three-letter word is a different word. */
const MIN_FUZZY_WORD = 4;
/** …and the longer of the two must have at least this many letters. */
const MIN_FUZZY_LONGER_WORD = 5;

/**
 * Similarity of two words, 0..1. Only small slips count: equal words, or one edit (insert, delete,
 * substitute, swap of neighbours) between words of four letters or more (the longer one five or more)
 * that share their first two letters. "THOMPSON"/"Thomson", "MISCROSOFT"/"Microsoft" and "KUSO"/"Kusio"
 * agree; "EVIGILANT"/"Vigilant" (different start) and "DELL"/"Dels" (both short) do not.
 */
export function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < MIN_FUZZY_WORD || b.length < MIN_FUZZY_WORD) return 0;
  if (Math.max(a.length, b.length) < MIN_FUZZY_LONGER_WORD) return 0;
  if (a[0] !== b[0] || a[1] !== b[1]) return 0;
  if (Math.abs(a.length - b.length) > 1) return 0;
  return withinOneEdit(a, b) ? 0.9 : 0;
}

function withinOneEdit(a: string, b: string): boolean {
  if (a.length === b.length) {
    let first = -1;
    let diffs = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        if (diffs === 0) first = i;
        diffs++;
        if (diffs > 2) return false;
      }
    }
    if (diffs <= 1) return true;
    // Two differences are one edit only when they are a swap of neighbours ("teh" / "the").
    return a[first] === b[first + 1] && a[first + 1] === b[first] && a.slice(first + 2) === b.slice(first + 2);
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}

/**
 * Keys under which a word is indexed and looked up for fuzzy candidates: the word itself and, for words of
 * five letters or more, the word with each one letter deleted. Two words within one edit of each other
 * (insert, delete, substitute, swap of neighbours) always share a key, so a misspelt brand ("COVON") still
 * finds its company ("Covoyn") without comparing against every name.
 */
export function candidateKeys(word: string): string[] {
  if (word.length < MIN_FUZZY_WORD) return [word];
  const keys = [word];
  if (word.length >= MIN_FUZZY_LONGER_WORD) {
    for (let i = 0; i < word.length; i++) {
      const key = word.slice(0, i) + word.slice(i + 1);
      if (!keys.includes(key)) keys.push(key);
    }
  }
  return keys;
}

/** A word that may stay unmatched: generic, or only ever in parentheses in its name. */
function isOptional(token: string, qualifiers: ReadonlySet<string> | undefined): boolean {
  return GENERIC_WORDS.has(token) || (qualifiers !== undefined && qualifiers.has(token));
}

/**
 * Weighted Dice similarity of two token sets, or 0 when a distinctive word on either side has no partner
 * or when no distinctive word matched at all. `qualifiersA` are words of `a` that only appeared in
 * parentheses ("Microsoft (Azure)", "Snap (Va. based company …)"): like generic words they may stay
 * unmatched, so such a name reaches the review queue instead of looking like a new company.
 */
export function nameSimilarity(a: readonly string[], b: readonly string[], qualifiersA?: ReadonlySet<string>): number {
  let total = 0;
  for (const t of a) total += isOptional(t, qualifiersA) ? GENERIC_WEIGHT : DISTINCTIVE_WEIGHT;
  for (const t of b) total += weight(t);
  if (total === 0) return 0;

  const usedB = new Array<boolean>(b.length).fill(false);
  let matched = 0;
  let distinctiveMatched = false;
  for (const ta of a) {
    let best = 0;
    let bestIndex = -1;
    for (let j = 0; j < b.length; j++) {
      if (usedB[j]) continue;
      const s = wordSimilarity(ta, b[j]!);
      if (s > best) {
        best = s;
        bestIndex = j;
        if (s === 1) break;
      }
    }
    if (bestIndex < 0) {
      if (!isOptional(ta, qualifiersA)) return 0;
      continue;
    }
    usedB[bestIndex] = true;
    const w = Math.max(weight(ta), weight(b[bestIndex]!));
    matched += 2 * w * best;
    if (w === DISTINCTIVE_WEIGHT) distinctiveMatched = true;
  }
  for (let j = 0; j < b.length; j++) if (!usedB[j] && !GENERIC_WORDS.has(b[j]!)) return 0;
  if (!distinctiveMatched) return 0;
  return Math.min(1, matched / total);
}

/** Below this similarity a fuzzy candidate is not worth a reviewer's time. */
export const FUZZY_MIN_SIMILARITY = 0.5;
export const FUZZY_MIN_CONFIDENCE = 0.7;
export const FUZZY_MAX_CONFIDENCE = 0.89;

/** Map a similarity in [FUZZY_MIN_SIMILARITY, 1] onto the review band 0.70–0.89. */
export function fuzzyConfidence(similarity: number): number | undefined {
  if (similarity < FUZZY_MIN_SIMILARITY) return undefined;
  const span = (similarity - FUZZY_MIN_SIMILARITY) / (1 - FUZZY_MIN_SIMILARITY);
  const confidence = FUZZY_MIN_CONFIDENCE + span * (FUZZY_MAX_CONFIDENCE - FUZZY_MIN_CONFIDENCE);
  return Math.round(Math.min(FUZZY_MAX_CONFIDENCE, confidence) * 100) / 100;
}
