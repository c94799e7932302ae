/**
 * Legal-form designators. Procurement records spell the same entity "Palantir Technologies Inc.",
 * "PALANTIR TECHNOLOGIES INCORPORATED" and "Palantir Technologies, Inc"; the designator says nothing about
 * which company it is, so it is canonicalised and then removed from the name's matching key.
 *
 * Variants are written as they look after tokenization (see normalize.ts): lower case, punctuation gone,
 * dotted acronyms already joined ("L.L.C." → "llc", "S.A." → "sa"). Spaced spellings ("L L C") are listed
 * too because "L. L. C." with spaces survives as separate letters.
 */

export const LEGAL_FORMS: Readonly<Record<string, readonly string[]>> = {
  inc: ['inc', 'incorporated', 'incorporation', 'incorp'],
  corp: ['corp', 'corporation', 'corpn', 'corporated'],
  llc: ['llc', 'l l c', 'limited liability company', 'limited liability co', 'lc', 'l c', 'ltd liability co', 'ltd liability company'],
  lp: ['lp', 'l p', 'limited partnership', 'ltd partnership'],
  llp: ['llp', 'l l p', 'limited liability partnership'],
  lllp: ['lllp', 'limited liability limited partnership'],
  ltd: ['ltd', 'limited'],
  plc: ['plc', 'p l c', 'public limited company', 'public ltd co', 'public limited co'],
  pllc: ['pllc', 'professional limited liability company'],
  pc: ['pc', 'p c', 'professional corporation'],
  co: ['co', 'company', 'cos', 'companies'],
  gmbh: ['gmbh', 'mbh', 'gesellschaft mit beschrankter haftung'],
  ag: ['ag', 'aktiengesellschaft'],
  kg: ['kg', 'kgaa'],
  sa: ['sa', 's a', 'sociedad anonima', 'societe anonyme', 'sa de cv', 'sab de cv'],
  nv: ['nv', 'n v', 'naamloze vennootschap'],
  bv: ['bv', 'b v', 'besloten vennootschap'],
  spa: ['spa', 's p a'],
  srl: ['srl', 's r l'],
  sarl: ['sarl'],
  sas: ['sas'],
  se: ['se', 'societas europaea'],
  ab: ['ab', 'aktiebolag'],
  as: ['as', 'asa'],
  oy: ['oy', 'oyj'],
  kk: ['kk', 'kabushiki kaisha'],
  pty: ['pty', 'proprietary'],
  pte: ['pte'],
  ulc: ['ulc', 'unlimited liability company'],
  na: ['na', 'n a', 'national association'],
};

interface FormEntry {
  canonical: string;
  tokens: readonly string[];
}

/** Longest variants first so "limited liability company" wins over "company". */
const ENTRIES: readonly FormEntry[] = Object.entries(LEGAL_FORMS)
  .flatMap(([canonical, variants]) => variants.map((v) => ({ canonical, tokens: v.split(' ') })))
  .sort((a, b) => b.tokens.length - a.tokens.length);

/** Every word of a legal form, for recognising one cut off by a 30-character truncation. */
const FORM_WORDS: readonly string[] = [...new Set(ENTRIES.flatMap((e) => e.tokens))];

/** Variants grouped by their last word: one hash lookup per stripping step instead of a table scan. */
const BY_LAST_WORD = new Map<string, FormEntry[]>();
for (const entry of ENTRIES) {
  const last = entry.tokens[entry.tokens.length - 1]!;
  const list = BY_LAST_WORD.get(last) ?? [];
  list.push(entry);
  BY_LAST_WORD.set(last, list);
}

/** If `tokens` ends with a legal form, its canonical name and token count; the first token is never one. */
export function trailingLegalForm(tokens: readonly string[]): { canonical: string; length: number } | undefined {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return undefined;
  const candidates = BY_LAST_WORD.get(last);
  if (!candidates) return undefined;
  for (const entry of candidates) {
    const n = entry.tokens.length;
    // Keep at least one token: a company called "Limited" is still called something.
    if (tokens.length <= n) continue;
    let same = true;
    for (let i = 0; i < n - 1; i++) {
      if (tokens[tokens.length - n + i] !== entry.tokens[i]) {
        same = false;
        break;
      }
    }
    if (same) return { canonical: entry.canonical, length: n };
  }
  return undefined;
}

/** Canonical form for a whole designator ("L.L.C." → "llc"), or undefined when it is not one. */
export function canonicalLegalForm(tokens: readonly string[]): string | undefined {
  const key = tokens.join(' ');
  for (const entry of ENTRIES) if (entry.tokens.join(' ') === key) return entry.canonical;
  return undefined;
}

/**
 * True when `token` may be a legal-form word (or a trailing "THE") cut short by truncation: "incorpo",
 * "corporat", "l" (of "LLC"), "i" (of "INC"), "th". Any length counts, since the cut can leave one letter;
 * callers only act on it when what remains is exactly a registry name.
 */
export function isCutLegalFormWord(token: string): boolean {
  if (token.length === 0) return false;
  if ('the'.length > token.length && 'the'.startsWith(token)) return true;
  return FORM_WORDS.some((word) => word.length > token.length && word.startsWith(token));
}
