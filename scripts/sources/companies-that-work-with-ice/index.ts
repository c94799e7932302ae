/**
 * companies-that-work-with-ice.com (Andy Bell, 2019): the list Techqueria's page sends readers to first.
 * Its Markdown source on GitHub is the canonical copy; the live page (an Eleventy build of it) is the
 * fallback. Each entry is a name, sometimes a bracketed note and sometimes usaspending.gov award links.
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
  loadPage,
  readEntry,
  readOnlyPage,
  type ListBlock,
} from '../watchdog/extract.ts';
import {
  CTWWI_LIST,
  CTWWI_PAGE_URL,
  CTWWI_SECTION,
  CTWWI_SOURCE_ID,
  CTWWI_SOURCE_URL,
  CTWWI_TITLE,
  ctwwiEntrySchema,
  usaspendingAwardRef,
} from './schema.ts';

export interface PageParseOptions {
  file: string;
  contentType?: string;
  log?: (message: string) => void;
}

/** Parses one copy of the list (Markdown source or live HTML). */
export function parseCompaniesThatWorkWithIcePage(text: string, options: PageParseOptions): ParseResult {
  const { file } = options;
  const log = options.log ?? (() => {});
  const page = loadPage(text, { contentType: options.contentType, baseUrl: CTWWI_PAGE_URL });

  const wanted = headingKey(CTWWI_TITLE);
  if (!page.titles.some((t) => headingKey(t).includes(wanted))) {
    throw new SourceFormatError(CTWWI_SOURCE_ID, `page title "${CTWWI_TITLE}" not found; this is not the list we know`, { file, path: 'title' });
  }
  const section = findSections(page.blocks, headingIs(CTWWI_SECTION))[0];
  if (!section) {
    throw new SourceFormatError(CTWWI_SOURCE_ID, `the "${CTWWI_SECTION}" section heading was not found`, { file, path: `section "${CTWWI_SECTION}"` });
  }
  const lists = section.blocks.filter((b): b is ListBlock => b.kind === 'list');
  if (lists.length === 0) {
    throw new SourceFormatError(CTWWI_SOURCE_ID, `the "${CTWWI_SECTION}" section has no list under it`, {
      file,
      line: section.heading.line,
      path: `section "${CTWWI_SECTION}"`,
    });
  }

  const rowIssues: RowIssue[] = [];
  const records = new Map<string, MentionRecord>();
  for (const item of lists.flatMap((l) => l.items)) {
    const entry = readEntry(item.runs);
    const hrefs = entry.links.map((l) => l.href);
    const parsed = ctwwiEntrySchema.safeParse({ name: entry.name, note: entry.note, aliases: entry.aliases, links: hrefs });
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      rowIssues.push({ file, line: item.line, field, message });
      continue;
    }
    for (const href of hrefs) {
      const ref = usaspendingAwardRef(href);
      if (ref?.malformed) log(`${CTWWI_SOURCE_ID}: ${parsed.data.name}: malformed usaspending.gov link ${href} read as award ${ref.id}`);
    }
    const key = recordKey(parsed.data);
    if (records.has(key)) {
      rowIssues.push({ file, line: item.line, field: 'name', message: `"${parsed.data.name}" is listed twice; kept the first` });
      continue;
    }
    records.set(key, parsed.data);
  }
  if (records.size === 0) {
    throw new SourceFormatError(CTWWI_SOURCE_ID, `the "${CTWWI_SECTION}" list has no usable entries`, { file, path: `section "${CTWWI_SECTION}"` });
  }
  const sorted = [...records.values()].sort((a, b) => {
    const ka = recordKey(a);
    const kb = recordKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { records: sorted, rowIssues, lists: [CTWWI_LIST] };
}

async function parseInputs(inputs: RawInput[], log: (message: string) => void): Promise<ParseResult> {
  const { text, input } = await readOnlyPage(inputs, CTWWI_SOURCE_ID, 'list');
  return parseCompaniesThatWorkWithIcePage(text, { file: input.origin, contentType: input.contentType, log });
}

export const companiesThatWorkWithIceSource = defineSource({
  id: CTWWI_SOURCE_ID,
  title: 'Companies that work with ICE',
  homepage: CTWWI_PAGE_URL,
  kind: 'watchdog',
  hosts: ['raw.githubusercontent.com', 'companies-that-work-with-ice.com', 'www.companies-that-work-with-ice.com'],
  mode: 'replace',
  importFormats: 'src/index.md of the list (Markdown), or the live page (HTML)',
  async fetch(ctx) {
    const input = await fetchPage(
      ctx,
      CTWWI_SOURCE_ID,
      [
        { url: CTWWI_SOURCE_URL, accept: 'text/markdown,text/plain;q=0.9,*/*;q=0.5' },
        { url: CTWWI_PAGE_URL, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' },
      ],
      (text, contentType) => {
        try {
          parseCompaniesThatWorkWithIcePage(text, { file: 'probe', contentType });
          return true;
        } catch (error) {
          if (error instanceof SourceFormatError) return false;
          throw error;
        }
      },
      'companies-that-work-with-ice',
    );
    return { inputs: [input] };
  },
  parse: (inputs, ctx) => parseInputs(inputs, ctx.log),
});
