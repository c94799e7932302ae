/** JavaScript's own string order (UTF-16 code units): total, and the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A loose comparison key for short human text (list names, headings): Unicode- and case-folded, "&" read
 * as "and", punctuation and spacing ignored ("ServiceNow" = "Servicenow", "AT&T" = "AT and T").
 */
export function looseKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
