/**
 * The one extractor for watchdog lists. Live pages are HTML and their canonical sources on GitHub are
 * Markdown; Markdown is rendered with markdown-it (html: false, so raw HTML in the source stays inert
 * text) and both end up in cheerio, where the page is reduced to a flat sequence of blocks: headings,
 * lists, tables and paragraphs. Sources then find their lists by structure — a heading and the lists or
 * tables under it — never by line positions, so one parser reads a live page and its Markdown source.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import markdownit from 'markdown-it';
import type { MarkdownIt, StateCore } from 'markdown-it';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { FetchContext, RawInput } from '../types.ts';
import { SourceFormatError, SourceUnavailableError } from '../../util/errors.ts';
import { markupToPlainText, safeUrl } from '../../util/sanitize.ts';
import { looseKey } from '../../util/text-key.ts';

const require = createRequire(import.meta.url);
let cheerioModule: typeof Cheerio | undefined;

/**
 * cheerio (with parse5 and undici behind it) is loaded on the first page parsed, synchronously so page
 * parsers stay plain functions: its ~0.15 s of module loading is most of what an offline run, which
 * parses no page, would otherwise spend before doing anything.
 */
function cheerio(): typeof Cheerio {
  cheerioModule ??= require('cheerio') as typeof Cheerio;
  return cheerioModule;
}

/** Watchdog pages are a few kilobytes; anything past this is not the page we know. */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;

export type PageFormat = 'markdown' | 'html';

/** A run of text inside a list item, table cell or paragraph; `href` when the run is a link's text. */
export interface TextRun {
  text: string;
  /** The link target as written (resolved against the page URL when relative); not yet checked. */
  href?: string;
}

export interface RichText {
  runs: TextRun[];
  /** 1-based line in the input the block starts on, where the format tells us. */
  line?: number;
}

export interface HeadingBlock {
  kind: 'heading';
  level: number;
  text: string;
  line?: number;
}

export interface ListBlock {
  kind: 'list';
  ordered: boolean;
  items: RichText[];
  line?: number;
}

export interface TableRow {
  /** true for a row of the table head (Markdown tables always have one, even when it holds data). */
  head: boolean;
  cells: RichText[];
  line?: number;
}

export interface TableBlock {
  kind: 'table';
  rows: TableRow[];
  line?: number;
}

export interface ParagraphBlock {
  kind: 'paragraph';
  content: RichText;
  line?: number;
}

export type Block = HeadingBlock | ListBlock | TableBlock | ParagraphBlock;

export interface WatchdogPage {
  format: PageFormat;
  /** Page titles, best first: front matter `title`, then <h1>s, then og:title and <title>. */
  titles: string[];
  blocks: Block[];
}

export interface LoadOptions {
  /** Content-Type of the response, when the input came over HTTP. */
  contentType?: string;
  /** URL relative links are resolved against. */
  baseUrl?: string;
}

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/** Decides whether a body is HTML or Markdown: the Content-Type first, then the first bytes. */
export function detectFormat(text: string, contentType?: string): PageFormat {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/markdown' || type === 'text/x-markdown') return 'markdown';
  const head = text.slice(0, 2048).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('---')) return 'markdown';
  if (/^<(?:!doctype\s+html|html|head|body)\b/i.test(head)) return 'html';
  // A fragment that opens with a block element and never uses Markdown block syntax at line starts.
  if (/^<(?:main|article|section|div|h[1-6]|ul|ol|table|p)\b/i.test(head) && !/^(?:#{1,6} |[-*+] |\|)/m.test(head)) return 'html';
  return 'markdown';
}

/** Loads a page from text, whatever its format, into titles and blocks. */
export function loadPage(text: string, options: LoadOptions = {}): WatchdogPage {
  const body = text.replace(/^\uFEFF/, '');
  const format = detectFormat(body, options.contentType);
  if (format === 'html') {
    const $ = cheerio().load(body, { sourceCodeLocationInfo: true });
    const titles = [
      ...$('h1')
        .toArray()
        .map((el) => textOf($(el).text())),
      textOf($('meta[property="og:title"]').attr('content') ?? ''),
      textOf($('title').first().text()),
    ];
    return { format, titles: uniqueNonEmpty(titles), blocks: collectBlocks($, $.root().toArray(), options.baseUrl, htmlLine) };
  }

  let markdown = body;
  let lineOffset = 0;
  const titles: string[] = [];
  const front = FRONT_MATTER.exec(body);
  if (front) {
    markdown = body.slice(front[0].length);
    lineOffset = front[0].split('\n').length - (front[0].endsWith('\n') ? 1 : 0);
    const title = frontMatterTitle(front[1] ?? '');
    if (title) titles.push(title);
  }
  const $ = cheerio().load(renderMarkdown(markdown, lineOffset));
  titles.push(
    ...$('h1')
      .toArray()
      .map((el) => textOf($(el).text())),
  );
  return { format, titles: uniqueNonEmpty(titles), blocks: collectBlocks($, $.root().toArray(), options.baseUrl, dataLine) };
}

/** Reads a raw input from disk, refusing a body too large to be the page. */
/**
 * Watchdog sources replace their snapshot on every fetch, so a parse takes exactly one copy of the page;
 * `what` names it in the error ("page", "post", "list").
 */
export async function readOnlyPage(inputs: RawInput[], sourceId: string, what: string): Promise<{ text: string; input: RawInput }> {
  if (inputs.length !== 1) {
    throw new SourceFormatError(sourceId, `expected one copy of the ${what}, got ${inputs.length} inputs (each fetch is the full state)`);
  }
  const input = inputs[0]!;
  return { text: await readRawPage(input, sourceId), input };
}

export async function readRawPage(input: RawInput, sourceId: string): Promise<string> {
  const buffer = await readFile(input.path).catch((error: NodeJS.ErrnoException) => {
    throw new SourceFormatError(sourceId, `cannot read ${input.origin}: ${error.code ?? error.message}`, { file: input.origin });
  });
  if (buffer.length > MAX_PAGE_BYTES) {
    throw new SourceFormatError(sourceId, `${buffer.length} bytes is far larger than the page can be (cap ${MAX_PAGE_BYTES})`, { file: input.origin });
  }
  return buffer.toString('utf8');
}

let markdownIt: MarkdownIt | undefined;

function renderMarkdown(markdown: string, lineOffset: number): string {
  if (!markdownIt) {
    // html: false keeps raw HTML in a source as visible text; linkify stays off so bare text never
    // becomes a link the author did not write.
    markdownIt = markdownit({ html: false, linkify: false, typographer: false });
    // Source lines ride along as data-line attributes so row issues can point into the file.
    markdownIt.core.ruler.push('icewatch_source_lines', (state: StateCore) => {
      const offset = (state.env as { lineOffset?: number }).lineOffset ?? 0;
      for (const token of state.tokens) {
        if (token.map && token.nesting === 1) token.attrSet('data-line', String(token.map[0] + 1 + offset));
      }
    });
  }
  return markdownIt.render(markdown, { lineOffset });
}

function frontMatterTitle(yamlText: string): string | undefined {
  try {
    const data: unknown = parseYaml(yamlText, { maxAliasCount: 10 });
    if (data && typeof data === 'object' && 'title' in data) {
      const title = (data as { title?: unknown }).title;
      if (typeof title === 'string') return textOf(title);
    }
  } catch {
    // Broken front matter just means no title from it; the landmark check reports what is missing.
  }
  return undefined;
}

type LineOf = (el: Element) => number | undefined;

function dataLine(el: Element): number | undefined {
  const value = el.attribs['data-line'];
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

function htmlLine(el: Element): number | undefined {
  return (el as Element & { sourceCodeLocation?: { startLine?: number } | null }).sourceCodeLocation?.startLine;
}

/** Site chrome and non-content: never part of a list. */
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'nav', 'footer', 'aside', 'iframe', 'svg', 'form', 'button', 'select', 'head', 'title']);

function collectBlocks($: Cheerio.CheerioAPI, roots: AnyNode[], baseUrl: string | undefined, lineOf: LineOf): Block[] {
  const blocks: Block[] = [];
  const visit = (node: AnyNode): void => {
    if (node.type === 'root') {
      for (const child of (node as unknown as { children: AnyNode[] }).children) visit(child);
      return;
    }
    if (node.type !== 'tag') return;
    const el = node as Element;
    const tag = el.tagName.toLowerCase();
    if (SKIP.has(tag)) return;
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      blocks.push({ kind: 'heading', level: Number(heading[1]), text: headingText($(el).text()), line: lineOf(el) });
      return;
    }
    if (tag === 'ul' || tag === 'ol') {
      const items = el.children
        .filter((child): child is Element => child.type === 'tag' && (child as Element).tagName.toLowerCase() === 'li')
        .map((li) => ({ runs: collectRuns(li, baseUrl), line: lineOf(li) }));
      blocks.push({ kind: 'list', ordered: tag === 'ol', items, line: lineOf(el) });
      return;
    }
    if (tag === 'table') {
      const rows: TableRow[] = $(el)
        .find('tr')
        .toArray()
        // Rows of a table nested inside a cell belong to that table, not this one.
        .filter((tr) => $(tr).closest('table').get(0) === el)
        .map((tr, index) => ({
          // A head row: in <thead>, or a first row of only <th> cells in a table without one.
          head: $(tr).parent().is('thead') || (index === 0 && $(tr).children('td').length === 0 && $(el).find('thead').length === 0),
          cells: $(tr)
            .children('td, th')
            .toArray()
            .map((cell) => ({ runs: collectRuns(cell, baseUrl), line: lineOf(cell) ?? lineOf(tr) })),
          line: lineOf(tr),
        }));
      blocks.push({ kind: 'table', rows, line: lineOf(el) });
      return;
    }
    if (tag === 'p') {
      blocks.push({ kind: 'paragraph', content: { runs: collectRuns(el, baseUrl), line: lineOf(el) }, line: lineOf(el) });
      return;
    }
    for (const child of el.children) visit(child);
  };
  for (const root of roots) visit(root);
  return blocks;
}

/** The text of an element as runs, links marked; nested lists and tables are left to their own blocks. */
function collectRuns(root: Element, baseUrl: string | undefined): TextRun[] {
  const runs: TextRun[] = [];
  const push = (text: string, href?: string): void => {
    if (text === '') return;
    const last = runs[runs.length - 1];
    if (last && last.href === undefined && href === undefined) last.text += text;
    else runs.push(href === undefined ? { text } : { text, href });
  };
  const walk = (node: AnyNode, href: string | undefined): void => {
    if (node.type === 'text') {
      push((node as unknown as { data: string }).data, href);
      return;
    }
    if (node.type !== 'tag') return;
    const el = node as Element;
    const tag = el.tagName.toLowerCase();
    if (SKIP.has(tag) || tag === 'ul' || tag === 'ol' || tag === 'table' || tag === 'img') return;
    if (tag === 'br') {
      push(' ', href);
      return;
    }
    let linkHref = href;
    if (tag === 'a' && href === undefined && el.attribs.href !== undefined) linkHref = resolveHref(el.attribs.href, baseUrl);
    // Block children (paragraphs of a loose list item) are separated by a space, as a reader sees them.
    const block = tag === 'p' || tag === 'div';
    if (block && runs.length > 0) push(' ', href);
    for (const child of el.children) walk(child, linkHref);
    if (block) push(' ', href);
  };
  for (const child of root.children) walk(child, undefined);
  return runs;
}

function resolveHref(href: string, baseUrl: string | undefined): string {
  const trimmed = href.trim();
  if (!baseUrl) return trimmed;
  try {
    return new URL(trimmed, baseUrl).toString();
  } catch {
    return trimmed;
  }
}

function textOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Heading text without the anchor glyphs site generators append ("Declined #", "Declined ¶"). */
function headingText(text: string): string {
  return textOf(text).replace(/\s*[#¶§🔗]+$/u, '');
}

function uniqueNonEmpty(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

/** Text of runs joined, whitespace folded. */
export function runsText(runs: TextRun[]): string {
  return textOf(runs.map((r) => r.text).join(''));
}

/** Compares headings and landmarks: case, punctuation and spacing do not matter. */
export function headingKey(text: string): string {
  return looseKey(text);
}

export interface Section {
  heading: HeadingBlock;
  /** Everything after the heading up to the next heading of the same or a higher level. */
  blocks: Block[];
}

/** Sections whose heading satisfies `match`, in page order, searched within `blocks`. */
export function findSections(blocks: Block[], match: (heading: HeadingBlock) => boolean): Section[] {
  const sections: Section[] = [];
  blocks.forEach((block, index) => {
    if (block.kind !== 'heading' || !match(block)) return;
    const body: Block[] = [];
    for (let i = index + 1; i < blocks.length; i++) {
      const next = blocks[i]!;
      if (next.kind === 'heading' && next.level <= block.level) break;
      body.push(next);
    }
    sections.push({ heading: block, blocks: body });
  });
  return sections;
}

/** A heading matcher on the heading's key (see headingKey). */
export function headingIs(...keys: string[]): (heading: HeadingBlock) => boolean {
  const wanted = new Set(keys.map(headingKey));
  return (heading) => wanted.has(headingKey(heading.text));
}

/**
 * The content directly under a section's heading, before its first subheading: where a list
 * heading's own list lives.
 */
export function leadBlocks(section: Section): Block[] {
  const out: Block[] = [];
  for (const block of section.blocks) {
    if (block.kind === 'heading') break;
    out.push(block);
  }
  return out;
}

// List items are read by entry.ts (name, note, aliases, links); re-exported here for the sources.
import type { LinkRef } from './entry.ts';
export { readEntry, type Entry, type LinkRef } from './entry.ts';

export interface PageCandidate {
  url: string;
  /** Sent as Accept. */
  accept: string;
}

/**
 * Fetches the first candidate that answers and looks like the page we know (`usable`), writing its body
 * to the work dir. When none looks right, the first body that arrived is returned anyway so the parser
 * reports precisely what is missing; when none answers, the first failure is thrown.
 */
export async function fetchPage(
  ctx: FetchContext,
  sourceId: string,
  candidates: PageCandidate[],
  usable: (text: string, contentType: string | undefined) => boolean,
  fileName: string,
): Promise<RawInput> {
  let firstFetched: { input: RawInput; body: Buffer } | undefined;
  let firstError: unknown;
  for (const [index, candidate] of candidates.entries()) {
    let response;
    try {
      response = await ctx.http.request({ url: candidate.url, headers: { accept: candidate.accept }, maxBytes: MAX_PAGE_BYTES, signal: ctx.signal });
    } catch (error) {
      if (!(error instanceof SourceUnavailableError)) throw error;
      ctx.log(`${sourceId}: ${candidate.url} unavailable (${error.message}); trying the next copy`);
      firstError ??= error;
      continue;
    }
    const contentType = response.headers['content-type'];
    const input: RawInput = {
      path: join(ctx.workDir, `${fileName}.${index}`),
      origin: response.url,
      retrievedAt: ctx.now.toISOString(),
      status: response.status,
      ...(contentType ? { contentType } : {}),
    };
    const text = response.body.toString('utf8');
    if (usable(text, contentType)) {
      await writeFile(input.path, response.body);
      return input;
    }
    ctx.log(`${sourceId}: ${response.url} does not have the page's landmarks; trying the next copy`);
    firstFetched ??= { input, body: response.body };
  }
  if (firstFetched) {
    await writeFile(firstFetched.input.path, firstFetched.body);
    return firstFetched.input;
  }
  throw firstError instanceof Error ? firstError : new SourceUnavailableError(sourceId, 'no URL to fetch');
}

/** http(s) links only; anything else (javascript:, data:, relative junk) is dropped. */
export function keepLinks(links: LinkRef[]): string[] {
  const out: string[] = [];
  for (const link of links) {
    const url = safeUrl(link.href);
    if (url && !out.includes(url)) out.push(url);
  }
  return out;
}

/** Names are short; a longer "name" is prose or an attack, and is cut. */
export const NAME_LIMIT = 200;
export const NOTE_LIMIT = 300;

/** Untrusted name text → plain text (no markup, controls or bidi characters), capped; empty is an error. */
export const plainNameSchema = z
  .string()
  .transform((value) => markupToPlainText(value, NAME_LIMIT))
  .pipe(z.string().regex(/[\p{L}\p{N}]/u, 'name has no letters or digits once markup is removed'));

/** Aliases the list gives ("AKA OpenFox"): each a plain name; unusable ones are dropped, never the entry. */
export const plainAliasesSchema = z
  .array(z.string())
  .optional()
  .transform((values) => {
    const out = (values ?? []).map((v) => markupToPlainText(v, NAME_LIMIT)).filter((v) => /[\p{L}\p{N}]/u.test(v));
    return out.length === 0 ? undefined : out;
  });

/** Untrusted note text → plain text, capped; empty becomes absent. */
export const plainNoteSchema = z
  .string()
  .optional()
  .transform((value) => {
    if (value === undefined) return undefined;
    const plain = markupToPlainText(value, NOTE_LIMIT);
    return plain === '' ? undefined : plain;
  });

/** Raw hrefs → http(s) links only, normalized and deduplicated, in order. */
export const safeLinksSchema = z.array(z.string()).transform((hrefs) => keepLinks(hrefs.map((href) => ({ text: '', href }))));

/** The first zod issue as a field path and message, for RowIssues and errors. */
export function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  return { field: issue?.path.join('.') || '(row)', message: issue?.message ?? 'invalid' };
}
