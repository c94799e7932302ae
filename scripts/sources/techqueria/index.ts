/**
 * Techqueria's "No Tech For ICE" policy page: the companies it declined, its past partners and (for a
 * while in early 2020) companies that never reached out. The page dropped its lists in late 2020 while
 * keeping its title and sections; that is reported as the state `lists-removed`, not as a failure.
 */
import { recordKey, type MentionRecord } from '../../records.ts';
import { SourceFormatError } from '../../util/errors.ts';
import { defineSource, type ParseResult, type RawInput, type RowIssue } from '../types.ts';
import {
  fetchPage,
  findSections,
  firstIssue,
  headingIs,
  headingKey,
  leadBlocks,
  loadPage,
  readEntry,
  readOnlyPage,
  type Block,
  type HeadingBlock,
  type ListBlock,
  type WatchdogPage,
} from '../watchdog/extract.ts';
import {
  TECHQUERIA_CLOSING_SECTION,
  TECHQUERIA_LIST_HEADINGS,
  TECHQUERIA_LISTS,
  TECHQUERIA_LISTS_SECTION,
  TECHQUERIA_PAGE_URL,
  TECHQUERIA_SOURCE_ID,
  TECHQUERIA_SOURCE_URL,
  TECHQUERIA_TITLE,
  techqueriaEntrySchema,
  type TechqueriaList,
} from './schema.ts';
import { compareText } from '../../util/text-key.ts';

export const LISTS_REMOVED = 'lists-removed';

export interface PageParseOptions {
  /** Where the text came from, for errors and row issues. */
  file: string;
  contentType?: string;
}

function hasTitle(page: WatchdogPage): boolean {
  const wanted = headingKey(TECHQUERIA_TITLE);
  return page.titles.some((title) => headingKey(title).includes(wanted));
}

/** Parses one copy of the page (Markdown source or live HTML). Pure: text in, records out. */
export function parseTechqueriaPage(text: string, options: PageParseOptions): ParseResult {
  const { file } = options;
  const page = loadPage(text, { contentType: options.contentType, baseUrl: TECHQUERIA_PAGE_URL });

  if (!hasTitle(page)) {
    const seen = page.titles.length ? page.titles.map((t) => JSON.stringify(t.slice(0, 80))).join(', ') : 'none';
    throw new SourceFormatError(TECHQUERIA_SOURCE_ID, `page title "${TECHQUERIA_TITLE}" not found (titles seen: ${seen}); this is not the policy page we know`, {
      file,
      path: 'title',
    });
  }
  const listsSection = findSections(page.blocks, headingIs(TECHQUERIA_LISTS_SECTION))[0];
  const closingSection = findSections(page.blocks, headingIs(TECHQUERIA_CLOSING_SECTION))[0];
  if (!listsSection && !closingSection) {
    throw new SourceFormatError(
      TECHQUERIA_SOURCE_ID,
      `neither the "${TECHQUERIA_LISTS_SECTION}" nor the "${TECHQUERIA_CLOSING_SECTION}" section heading was found; the page structure changed`,
      { file, path: `section "${TECHQUERIA_LISTS_SECTION}"` },
    );
  }

  // The lists live under "Companies Supporting ICE"; should they move elsewhere on the page they are
  // still found, so that a reshuffle is never mistaken for their removal.
  let listHeadings = listHeadingsIn(listsSection?.blocks ?? []);
  if (listHeadings.length === 0) listHeadings = listHeadingsIn(page.blocks);

  const rowIssues: RowIssue[] = [];
  const records = new Map<string, MentionRecord>();
  const listsFound = new Set<TechqueriaList>();

  for (const { heading, list } of listHeadings) {
    const section = findSections(page.blocks, (h) => h === heading)[0]!;
    const listBlocks = leadBlocks(section).filter((b): b is ListBlock => b.kind === 'list');
    if (listBlocks.length === 0) {
      throw new SourceFormatError(TECHQUERIA_SOURCE_ID, `the "${heading.text}" heading has no list under it`, {
        file,
        line: heading.line,
        path: `section "${heading.text}"`,
      });
    }
    listsFound.add(list);
    for (const item of listBlocks.flatMap((b) => b.items)) {
      const entry = readEntry(item.runs);
      const parsed = techqueriaEntrySchema.safeParse({
        list,
        name: entry.name,
        note: entry.note,
        aliases: entry.aliases,
        links: entry.links.map((l) => l.href),
      });
      if (!parsed.success) {
        const { field, message } = firstIssue(parsed.error);
        rowIssues.push({ file, line: item.line, field, message: `${heading.text}: ${message}` });
        continue;
      }
      const key = recordKey(parsed.data);
      if (records.has(key)) {
        rowIssues.push({ file, line: item.line, field: 'name', message: `${heading.text}: "${parsed.data.name}" is listed twice; kept the first` });
        continue;
      }
      records.set(key, parsed.data);
    }
  }

  // Linked lists in the lists section that no known heading claims: a new list, or headings that lost
  // their markup. With no known list at all that is a broken page, not a page without lists.
  const strays = strayLinkedLists(listsSection?.blocks ?? [], listHeadings.map((h) => h.heading));
  if (listHeadings.length === 0 && strays.length > 0) {
    const first = strays[0]!;
    throw new SourceFormatError(
      TECHQUERIA_SOURCE_ID,
      `the "${TECHQUERIA_LISTS_SECTION}" section has lists of linked names but no Declined / Past Partners / Never Reached Out heading`,
      { file, line: first.line, path: `section "${TECHQUERIA_LISTS_SECTION}"` },
    );
  }
  for (const stray of strays) {
    rowIssues.push({ file, line: stray.line, field: 'list', message: `a list ${stray.under ? `under "${stray.under}" ` : ''}is not one this source knows; skipped` });
  }

  const sorted = [...records.values()].sort((a, b) => compareText(recordKey(a), recordKey(b)));
  const lists = TECHQUERIA_LISTS.filter((l) => listsFound.has(l));
  if (lists.length === 0) return { records: [], rowIssues, state: LISTS_REMOVED, lists: [] };
  return { records: sorted, rowIssues, lists, ...(strays.length > 0 ? { unrecognisedLists: strays.length } : {}) };
}

function listHeadingsIn(blocks: Block[]): Array<{ heading: HeadingBlock; list: TechqueriaList }> {
  const out: Array<{ heading: HeadingBlock; list: TechqueriaList }> = [];
  for (const block of blocks) {
    if (block.kind !== 'heading') continue;
    const list = TECHQUERIA_LIST_HEADINGS[headingKey(block.text)];
    if (list) out.push({ heading: block, list });
  }
  return out;
}

/**
 * Lists with links in the lists section that are not under a known list heading (nor under "Call to
 * Action", whose list links to Mijente).
 */
function strayLinkedLists(blocks: Block[], known: HeadingBlock[]): Array<{ line?: number; under?: string }> {
  const out: Array<{ line?: number; under?: string }> = [];
  let current: HeadingBlock | undefined;
  for (const block of blocks) {
    if (block.kind === 'heading') {
      current = block;
      continue;
    }
    if (block.kind !== 'list' || !block.items.some((i) => i.runs.some((r) => r.href !== undefined))) continue;
    if (current && (known.includes(current) || headingIs(TECHQUERIA_CLOSING_SECTION)(current))) continue;
    out.push({ line: block.line, ...(current ? { under: current.text } : {}) });
  }
  return out;
}

async function parseInputs(inputs: RawInput[]): Promise<ParseResult> {
  const { text, input } = await readOnlyPage(inputs, TECHQUERIA_SOURCE_ID, 'page');
  return parseTechqueriaPage(text, { file: input.origin, contentType: input.contentType });
}

export const techqueriaSource = defineSource({
  id: TECHQUERIA_SOURCE_ID,
  title: 'Techqueria: No Tech For ICE',
  homepage: TECHQUERIA_PAGE_URL,
  kind: 'watchdog',
  hosts: ['techqueria.org', 'www.techqueria.org', 'raw.githubusercontent.com'],
  mode: 'replace',
  importFormats: 'the page as HTML, or its Markdown source (content/about/no-tech-for-ice.md in techqueria/website)',
  async fetch(ctx) {
    // The live page is what readers see; its Markdown source on GitHub is the fallback when the site is
    // down or no longer carries the page's landmarks.
    const input = await fetchPage(
      ctx,
      TECHQUERIA_SOURCE_ID,
      [
        { url: TECHQUERIA_PAGE_URL, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' },
        { url: TECHQUERIA_SOURCE_URL, accept: 'text/markdown,text/plain;q=0.9,*/*;q=0.5' },
      ],
      (text, contentType) => {
        try {
          parseTechqueriaPage(text, { file: 'probe', contentType });
          return true;
        } catch (error) {
          if (error instanceof SourceFormatError) return false;
          throw error;
        }
      },
      'techqueria-page',
    );
    return { inputs: [input] };
  },
  parse: (inputs) => parseInputs(inputs),
});
