/**
 * One watchdog list item, read as a person would: the company name, then whatever the author wrote
 * around it. Lists are written by hand, so an item may be "Name (a note)", "Name (AKA Other)",
 * "Name, Inc. (note …)[Source](url)", "Name — provides X to ICE", or end in a broken "[". The name is the
 * company only; a parenthetical or prose becomes the note, an "AKA …" an alias, and links the evidence.
 * A note never stays inside a name: the matcher would then look for "Palantir provides FALCON".
 */
import { stripMarkup } from '../../util/sanitize.ts';
import type { TextRun } from './extract.ts';

export interface LinkRef {
  /** Link text, whitespace folded. */
  text: string;
  href: string;
}

/** A list entry: a name, an optional note, aliases the author gave, and its links. */
export interface Entry {
  /** The name as written (still untrusted: sources pass it through markupToPlainText). */
  name: string;
  /** A trailing "( … )" and/or prose after the name, e.g. "AKA OpenFox", "provides FALCON to ICE". */
  note?: string;
  /** Other names the author gave: "(AKA OpenFox)", "(formerly TASER International)". */
  aliases?: string[];
  /** Links on the name or given as references after it ("Jamf [1], [2]", "[Source](…)"), in order. */
  links: LinkRef[];
  /** Links inside the note; they describe the note, not the entry. */
  noteLinks: LinkRef[];
}

/** Longer than any name plus note; see readEntry. */
const RUN_CAP = 4096;

/** Footnote-style link texts: "1", "[2]"; and the words people use for a citation link. */
const REFERENCE_LINK = /^(?:\[?\d{1,3}\]?|\[?(?:source|sources|src|link|here|ref|reference|citation|article|report|more|details|news|read more)\]?)$/i;

/** Where prose starts after a name: a spaced dash, a colon, or ", which/who/that". Never inside brackets. */
const PROSE_START = /\s+[—–-]{1,2}\s+|:\s+|,\s+(?=(?:which|who|that|whose)\s)/gu;

/** A note that is another name for the company. */
const ALIAS_NOTE = /^(?:aka|a\.k\.a\.?|also known as|also|formerly(?: known as)?|f\/k\/a|fka|d\/b\/a|dba|doing business as|now|previously)\s*:?\s+(.+)$/i;

function fold(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Index of the first prose separator outside parentheses and brackets, or -1. */
function proseStart(text: string): { at: number; length: number } | undefined {
  let depth = 0;
  const depthAt: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    depthAt.push(depth);
    if ((c === ')' || c === ']') && depth > 0) depth--;
  }
  for (const m of text.matchAll(PROSE_START)) {
    if (m.index > 0 && depthAt[m.index] === 0 && text.slice(0, m.index).trim() !== '') return { at: m.index, length: m[0].length };
  }
  return undefined;
}

/** "OpenFox", "TASER International and Axon" → the names an alias note gives. */
function aliasesOf(note: string): string[] {
  const m = ALIAS_NOTE.exec(note.trim());
  if (!m) return [];
  return (m[1] ?? '')
    .split(/\s*(?:;|\bor\b|\/)\s*/i)
    .map((a) => a.replace(/[\s,;.]+$/u, '').trim())
    .filter((a) => /[\p{L}\p{N}]/u.test(a));
}

/**
 * Splits a list item into name, note, aliases and links. Reference links after the name ("[1]",
 * "[Source](…)") are links, not name text; a trailing parenthesis is a note (one inside the name, as in
 * "Getty Images (US) Inc", is left alone); prose after a dash or colon is a note; a trailing unclosed "["
 * (a link the author never finished) is dropped.
 */
export function readEntry(runs: TextRun[]): Entry {
  const links: LinkRef[] = [];
  let text = '';
  const positioned: Array<LinkRef & { start: number }> = [];
  for (const run of runs) {
    // Markup left as literal text (a refused `[x](javascript:…)`, an escaped tag) must not hide a note
    // or leak into the name. Runs are capped first: nothing useful is longer, and a megabyte of input
    // then costs no more than a few kilobytes.
    const capped = run.text.length > RUN_CAP ? run.text.slice(0, RUN_CAP) : run.text;
    const runText = (run.href === undefined ? stripMarkup(capped) : capped).replace(/\s+/g, ' ');
    if (run.href !== undefined && REFERENCE_LINK.test(runText.trim()) && text.trim() !== '') {
      links.push({ text: runText.trim(), href: run.href });
      continue;
    }
    if (run.href !== undefined) positioned.push({ text: fold(runText), href: run.href, start: text.length });
    text += runText;
  }
  // A link the author never closed: "Acme (note) [" or "Acme [Source".
  text = text.replace(/\s*\[[^\]]*$/u, '');

  let body = text;
  const notes: string[] = [];
  let noteStart = Number.POSITIVE_INFINITY;
  const prose = proseStart(text);
  if (prose) {
    body = text.slice(0, prose.at);
    noteStart = prose.at;
  }
  const trailing = /\(([^()]*)\)[\s,;.]*$/.exec(body);
  if (trailing && body.slice(0, trailing.index).trim() !== '') {
    notes.push(fold(trailing[1] ?? ''));
    noteStart = Math.min(noteStart, trailing.index);
    body = body.slice(0, trailing.index);
  }
  if (prose) notes.push(fold(text.slice(prose.at + prose.length)).replace(/^[\s,;:—–-]+|[\s,;]+$/gu, ''));
  const name = fold(body).replace(/[\s,;:—–-]+$/u, '');
  const note = notes.filter((n) => n !== '').join('; ');
  const aliases = notes.flatMap(aliasesOf).filter((a, i, all) => all.indexOf(a) === i && a.toLowerCase() !== name.toLowerCase());
  const nameLinks = positioned.filter((l) => l.start < noteStart).map(({ text: t, href }) => ({ text: t, href }));
  const noteLinks = positioned.filter((l) => l.start >= noteStart).map(({ text: t, href }) => ({ text: t, href }));
  return {
    name,
    ...(note ? { note } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
    links: [...nameLinks, ...links],
    noteLinks,
  };
}
