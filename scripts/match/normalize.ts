/**
 * Name normalization for matching. The same function is applied to registry aliases and to names from
 * records, so what matters most is that both sides fold the same way; each rule exists because real
 * procurement records spell one entity several ways (see readme.md for the rules and their examples).
 */
import { foldConfusables } from './confusables.ts';
import { isCutLegalFormWord, trailingLegalForm } from './legal-forms.ts';

export interface NameVariant {
  /** Normalized tokens in their original order, legal forms and "the" removed. */
  tokens: string[];
  /** `tokens` joined by single spaces: the form the 30-character prefix rule compares. */
  text: string;
  /** Sorted, de-duplicated tokens joined by spaces: the exact-match key. */
  key: string;
  /** Canonical legal forms that were removed, outermost last ("co", "inc" for "X Co Inc"). */
  legalForms: string[];
  /** Words that appear only inside parentheses ("azure" in "Microsoft (Azure)"); fuzzy matching may leave them out. */
  qualifiers: string[];
}

export interface NormalizedName {
  /** The first variant is the name itself; the others come from DBA / FKA / AKA parts. */
  variants: NameVariant[];
}

// "Doing business as", "formerly known as", "also known as", "trading as", in their usual spellings.
const ALTERNATE_NAME_MARKER =
  /(?:^|[\s,;(\[])(?:d\s*\/\s*b\s*\/\s*a|d\.\s?b\.\s?a\.?|dba|doing business as|f\s*\/\s*k\s*\/\s*a|f\.\s?k\.\s?a\.?|fka|formerly known as|formerly|a\s*\/\s*k\s*\/\s*a|a\.\s?k\.\s?a\.?|aka|also known as|t\s*\/\s*a|trading as)(?=$|[\s:.,)\]])/g;

const MARKS = /\p{M}+/gu;
const APOSTROPHES = /['\u2018\u2019\u02BC\u0060\u00B4]/g;
// Single letters separated by dots ("l.l.c.", "b.i.", "u.s.a"): join them so "L.L.C." and "LLC" agree.
const DOTTED_ACRONYM = /(?<![\p{L}\p{N}])(?:\p{L}\.){1,}\p{L}(?:\.)?(?![\p{L}\p{N}])/gu;
const TRAILING_CODE = /\(\s*\d+\s*\)\s*$/;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/** Words dropped everywhere: "&" becomes "and", and "and" carries no identity ("Booz, Allen & Hamilton"). */
const STOPWORDS = new Set(['and']);

const NON_ASCII = /[^\x00-\x7F]/;
const HAS_WORD = /[\p{L}\p{N}]/u;

/** NFKD, combining marks removed, lower case. ASCII text is already NFKD and mark-free, so it skips both. */
function fold(input: string): string {
  return NON_ASCII.test(input) ? foldConfusables(input).normalize('NFKD').replace(MARKS, '').toLowerCase() : input.toLowerCase();
}

/** Split folded text into words (the rest of tokenize). */
function words(folded: string): string[] {
  let text = folded;
  if (text.includes('&')) text = text.replace(/&/g, ' and ');
  text = text.replace(APOSTROPHES, '');
  if (text.includes('.')) text = text.replace(DOTTED_ACRONYM, (m) => m.replace(/\./g, ''));
  const out: string[] = [];
  for (const token of text.split(NON_WORD)) {
    if (token.length === 0 || STOPWORDS.has(token)) continue;
    out.push(token);
  }
  return out;
}

/** Unicode-fold and split into words; no legal-form or "the" handling (used for descriptions and terms). */
export function tokenize(input: string): string[] {
  return words(fold(input));
}

// Cheap test before the marker regex: almost no name carries a DBA/FKA/AKA marker.
const MARKER_HINT = /d\s*[/.]?\s*b|f\s*[/.]?\s*k|a\s*[/.]?\s*k|formerly|doing business|known as|t\s*\/\s*a|trading as/;

function splitFolded(lower: string): string[] {
  if (!MARKER_HINT.test(lower)) return HAS_WORD.test(lower) ? [trimSeparators(lower)] : [];
  const parts: string[] = [];
  let last = 0;
  for (const m of lower.matchAll(ALTERNATE_NAME_MARKER)) {
    const start = m.index;
    const before = lower.slice(last, start);
    if (!HAS_WORD.test(before)) continue;
    const after = lower.slice(start + m[0].length);
    if (!HAS_WORD.test(after)) continue;
    parts.push(before);
    last = start + m[0].length;
  }
  parts.push(lower.slice(last));
  return parts.map(trimSeparators).filter((p) => HAS_WORD.test(p));
}

// Only separators are trimmed: a trailing "(3626)" code must survive for nameTokens to recognise it.
function trimSeparators(part: string): string {
  return part.replace(/^[\s,;:.-]+|[\s,;:-]+$/g, '');
}

/**
 * Split "ACME INC DBA ACME SOFTWARE" or "Computer Projects of Illinois (AKA OpenFox)" into the names it
 * carries (folded to lower case). A marker at the very start or end (a company really called "DBA
 * Systems") is not a split.
 */
export function splitAlternateNames(name: string): string[] {
  return splitFolded(fold(name));
}

const PARENTHESIZED = /\(([^()]*)\)?/g;

/** Tokens of one name with trailing codes, "the" and legal forms removed. */
function nameTokens(part: string): { tokens: string[]; legalForms: string[]; qualifiers: string[] } {
  const cleaned = part.includes('(') ? part.replace(TRAILING_CODE, '') : part;
  const tokens = words(cleaned);
  let qualifiers: string[] = [];
  if (cleaned.includes('(')) {
    const outside = new Set(words(cleaned.replace(PARENTHESIZED, ' ')));
    qualifiers = [...new Set(words([...cleaned.matchAll(PARENTHESIZED)].map((m) => m[1] ?? '').join(' ')))].filter(
      (t) => !outside.has(t),
    );
  }
  const legalForms: string[] = [];
  if (tokens.length > 1 && tokens[0] === 'the') tokens.shift();
  stripTrailing(tokens, legalForms);
  return { tokens, legalForms, qualifiers };
}

/**
 * Strip from the end until stable (in place): "GEO GROUP INC., THE" loses "the" and then "inc";
 * "Smith & Co Inc" loses "inc" then "co". Removed canonical forms are prepended to `legalForms`.
 */
function stripTrailing(tokens: string[], legalForms: string[]): void {
  for (;;) {
    if (tokens.length > 1 && tokens[tokens.length - 1] === 'the') {
      tokens.pop();
      continue;
    }
    const form = trailingLegalForm(tokens);
    if (form) {
      tokens.splice(tokens.length - form.length, form.length);
      legalForms.unshift(form.canonical);
      continue;
    }
    break;
  }
}

/** Sorted distinct tokens joined by spaces (names have a handful of tokens: a sorted copy beats a Set). */
function sortedKey(tokens: readonly string[]): string {
  const sorted = tokens.length > 1 ? [...tokens].sort() : tokens;
  let key = '';
  let previous: string | undefined;
  for (const t of sorted) {
    if (t === previous) continue;
    key = key === '' ? t : `${key} ${t}`;
    previous = t;
  }
  return key;
}

function variantOf(tokens: string[], legalForms: string[], qualifiers: string[]): NameVariant {
  const text = tokens.join(' ');
  const key = sortedKey(tokens);
  return { tokens, text, key, legalForms, qualifiers };
}

export function normalizeName(name: string): NormalizedName {
  const variants: NameVariant[] = [];
  const seen = new Set<string>();
  for (const part of splitFolded(fold(name))) {
    const { tokens, legalForms, qualifiers } = nameTokens(part);
    if (tokens.length === 0) continue;
    const variant = variantOf(tokens, legalForms, qualifiers);
    if (seen.has(variant.key)) continue;
    seen.add(variant.key);
    variants.push(variant);
  }
  return { variants };
}

/** The exact-match key of a name's main variant ("" when the name has no letters or digits). */
export function nameKey(name: string): string {
  return normalizeName(name).variants[0]?.key ?? '';
}

/** The ordered normalized form of a name's main variant, e.g. for grouping or slugs. */
export function normalizedText(name: string): string {
  return normalizeName(name).variants[0]?.text ?? '';
}

/**
 * FPDS and older USAspending data cut recipient names at 30 characters ("INTERNATIONAL BUSINESS MACHINE").
 * A name of exactly that length (29 when the cut fell on a space that was then trimmed) may be a cut.
 */
export const TRUNCATED_NAME_LENGTH = 30;

export function mayBeTruncated(rawName: string): boolean {
  const trimmed = rawName.trim();
  return trimmed.length === TRUNCATED_NAME_LENGTH || trimmed.length === TRUNCATED_NAME_LENGTH - 1;
}

export interface TruncationReading {
  /**
   * When the last word may be a legal form (or "THE") cut short ("… TECHNOLOGIES C", "… INC., T"):
   * the exact-match key of the name without it, legal forms stripped again.
   */
  completedKey?: string;
  completedText?: string;
  /** The ordered text a registry name must start with when the cut fell inside the name itself. */
  prefix: string;
}

/** How a possibly cut name may be completed: either the cut ate a legal form, or it ate part of the name. */
export function truncationReading(variant: NameVariant): TruncationReading {
  const tokens = variant.tokens;
  const last = tokens[tokens.length - 1];
  if (tokens.length > 1 && last !== undefined && isCutLegalFormWord(last)) {
    const rest = tokens.slice(0, -1);
    stripTrailing(rest, []);
    return { completedKey: sortedKey(rest), completedText: rest.join(' '), prefix: variant.text };
  }
  return { prefix: variant.text };
}

const NINE_DIGITS = /^\d{9}$/;

/** DUNS numbers lose leading zeros in spreadsheets; the canonical form is 9 digits. */
export function normalizeDuns(value: string): string | undefined {
  if (NINE_DIGITS.test(value)) return value;
  const digits = value.trim().replace(/[\s-]/g, '');
  if (!/^\d{1,9}$/.test(digits)) return undefined;
  return digits.padStart(9, '0');
}

/** UEI (SAM): 12 characters, letters and digits; case-insensitive in practice. */
export function normalizeUei(value: string): string | undefined {
  const v = value.trim().toUpperCase();
  return /^[A-Z0-9]{12}$/.test(v) ? v : undefined;
}

/** CAGE: 5 characters, letters and digits. */
export function normalizeCage(value: string): string | undefined {
  const v = value.trim().toUpperCase();
  return /^[A-Z0-9]{5}$/.test(v) ? v : undefined;
}
