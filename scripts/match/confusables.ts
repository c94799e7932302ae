/**
 * Look-alike and invisible characters in names. A recipient spelled `PАLANTIR` (Cyrillic А), `PALAN\u00adTIR`
 * (soft hyphen) or `PALANTIR\u3164TECHNOLOGIES` (Hangul filler) reads as Palantir to a maintainer; it must
 * also match as Palantir, or it opens an "add" proposal whose title looks like the real company.
 *
 * Invisible characters go by Unicode's Default_Ignorable_Code_Point property (soft hyphen, zero-width
 * characters, fillers, tag characters, variation selectors); fillers that render as a blank become a space.
 * Look-alikes are folded with Unicode's confusables data (UTS #39, through the `unhomoglyph` package), and
 * only where a name mixes scripts: a non-Latin letter inside Latin text is folded to the ASCII letter it
 * imitates. A name wholly in another script is left as it is (folding it would invent a Latin name).
 */
import unhomoglyph from 'unhomoglyph';

/** Default-ignorable characters that render as a blank, so they separate words like a space. */
const BLANK_FILLERS = /[\u115F\u1160\u3164\uFFA0]/g;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const LATIN_LETTER = /\p{Script=Latin}/u;
const NON_LATIN_LETTER = /[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u;
const ASCII_WORD = /^[a-z0-9]+$/;

/** Removes invisible characters; blank fillers become spaces. */
export function withoutInvisible(text: string): string {
  if (!/[^\x00-\x7F]/.test(text)) return text;
  return text.replace(BLANK_FILLERS, ' ').replace(IGNORABLE, '');
}

/** The ASCII letters a single non-Latin character imitates, lower case, if the confusables data has them. */
function imitated(char: string): string | undefined {
  for (const candidate of [char.toLowerCase(), char]) {
    const skeleton = unhomoglyph(candidate).toLowerCase();
    if (skeleton !== candidate.toLowerCase() && ASCII_WORD.test(skeleton)) return skeleton;
  }
  return undefined;
}

/**
 * Folds look-alike letters in a mixed-script name to the Latin letters they imitate (lower case), after
 * removing invisible characters. Text without non-ASCII characters is returned unchanged.
 */
export function foldConfusables(text: string): string {
  const visible = withoutInvisible(text);
  if (!/[^\x00-\x7F]/.test(visible) || !LATIN_LETTER.test(visible) || !NON_LATIN_LETTER.test(visible)) return visible;
  let out = '';
  for (const char of visible) {
    out += NON_LATIN_LETTER.test(char) ? (imitated(char) ?? char) : char;
  }
  return out;
}
