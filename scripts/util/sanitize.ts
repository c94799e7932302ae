/**
 * Text from the outside world (source names, descriptions, notes) is untrusted. It is reduced to
 * plain text when it enters the pipeline, and escaped again wherever it is rendered.
 */

// C0/C1 controls (tab/newline are folded to spaces separately), bidi embeddings/overrides/isolates,
// marks, zero-width characters and BOM: all invisible ways to make rendered text lie.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\uFFF9-\uFFFB]/g;

export const DEFAULT_TEXT_LIMIT = 300;

/** Printable ASCII words with single spaces between them: what toPlainText returns unchanged. */
const ALREADY_PLAIN = /^[!-~]+(?: [!-~]+)*$/;

/** Plain text: no controls or bidi characters, whitespace folded, capped at `limit` characters. */
export function toPlainText(input: string, limit = DEFAULT_TEXT_LIMIT): string {
  // Nearly every cell of a procurement file is already plain: one test instead of two replaces and a trim.
  if (input.length <= limit && ALREADY_PLAIN.test(input)) return input;
  // Cap before the regexes too, so a megabyte of input costs no more than its first few kilobytes.
  const head = input.length > limit * 4 + 64 ? input.slice(0, limit * 4 + 64) : input;
  const cleaned = head.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return truncate(cleaned, limit);
}

export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // Don't cut a surrogate pair in half.
  let cut = limit - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/** Keep a link only when it is an absolute http(s) URL; returns its normalized form. */
export function safeUrl(input: string | undefined | null): string | undefined {
  if (!input) return undefined;
  const trimmed = input.trim();
  if (trimmed.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  return url.toString();
}

/**
 * Escape plain text for inline Markdown on GitHub: no HTML, no link or emphasis syntax, no table
 * breaks, no @mentions or #references that would ping people or cross-link issues (GitHub also
 * links `GH-123` to issue 123).
 */
export function escapeMarkdown(input: string, limit = DEFAULT_TEXT_LIMIT): string {
  const text = toPlainText(input, limit);
  return text
    .replace(/[\\`*_{}[\]()<>#+!|~]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/@(?=[\p{L}\p{N}_-])/gu, '@&#8203;')
    .replace(/\\#(?=\d)/g, '#&#8203;')
    .replace(/\b(GH)-(?=\d)/gi, '$1-&#8203;')
    .replace(AUTOLINK_SCHEME, '$1&#8203;')
    .replace(AUTOLINK_WWW, '$1&#8203;.')
    .replace(/^([-=]{3,})/, '\\$1')
    .replace(/^(\d+)\. /, '$1\\. ');
}

/**
 * GitHub turns plain `https://…`, `http://…`, `ftp://…`, `www.…` and `mailto:`/`xmpp:` text into live links
 * (and a GitHub issue URL into a cross-reference on that issue). A zero-width space after the scheme or
 * `www` breaks the autolink while the text reads the same.
 */
const AUTOLINK_SCHEME = /\b(https?|ftp|mailto|xmpp)(?=:)/gi;
const AUTOLINK_WWW = /\b(www)\./gi;

/** Plain text that a renderer shows as is (a pull request title): no live link can come out of it. */
export function withoutAutolinks(text: string): string {
  return text
    .replace(AUTOLINK_SCHEME, '$1\u200b')
    .replace(AUTOLINK_WWW, '$1\u200b.');
}

/** A Markdown link whose text is escaped and whose target is an http(s) URL, else plain text. */
export function markdownLink(text: string, url: string | undefined, limit = DEFAULT_TEXT_LIMIT): string {
  const label = escapeMarkdown(text, limit);
  const href = safeUrl(url);
  if (!href) return label;
  // `|` would end a table cell even inside a link destination; the others end or confuse the destination.
  return `[${label}](${href.replace(/[()\s<>|`\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
}

/** For log lines: one line, no controls, capped. Secrets are never passed here in the first place. */
export function forLog(input: string, limit = 200): string {
  return toPlainText(input, limit);
}

/**
 * Markup that survived extraction as literal text: HTML tags (with the contents of script/style blocks),
 * comments, Markdown links and images (their label is kept), and `<scheme:…>` autolinks. Used on text
 * that came out of a rendered page, where markdown-it (html: false) leaves a refused `[x](javascript:…)`
 * link or an escaped `<script>` as plain characters.
 */
export function stripMarkup(input: string): string {
  return input
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<\/?[A-Za-z][^<>]*>/g, ' ')
    .replace(/!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\)/g, '$1')
    .replace(/!?\[([^\]\n]*)\]\[[^\]\n]*\]/g, '$1');
}

/** Plain text from text that may still carry markup (see stripMarkup); capped like toPlainText. */
export function markupToPlainText(input: string, limit = DEFAULT_TEXT_LIMIT): string {
  // Same reasoning as toPlainText: a megabyte of input costs no more than its first few kilobytes.
  const head = input.length > limit * 8 + 1024 ? input.slice(0, limit * 8 + 1024) : input;
  return toPlainText(stripMarkup(head), limit);
}
