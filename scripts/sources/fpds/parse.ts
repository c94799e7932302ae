/**
 * Raw FPDS pages → award records. Every page is read first and every entry validated; the actions of
 * all pages are folded together, so a modification on page 7 lands on the award whose base was on
 * page 2. A page that is not an ATOM feed fails the parse; a bad entry is skipped and reported.
 */
import { readFile } from 'node:fs/promises';
import type { ParseContext, ParseResult, RawInput, RowIssue } from '../types.ts';
import { FPDS_SOURCE_ID, readFeedPage } from './feed.ts';
import type { FeedEntry, FeedPage } from './feed.ts';
import { applyDeletions, foldTransactions, keysWithoutBase } from './fold.ts';
import { fpdsAwardDeletionSchema, fpdsAwardSchema, fpdsIdvDeletionSchema, fpdsIdvSchema } from './schema.ts';
import type { FpdsDeletion, FpdsTransaction } from './schema.ts';

export interface PageParse {
  transactions: FpdsTransaction[];
  /** Entries of a FEEDNAME=DELETED page. */
  deletions: FpdsDeletion[];
  rowIssues: RowIssue[];
  /** DELETED-feed entries of kinds this source does not read (nothing to remove). */
  skipped: RowIssue[];
}

const DELETED_FEED = /[?&]FEEDNAME=DELETED(?:&|$)/i;

/**
 * Whether a page is from FEEDNAME=DELETED: its URL says so (a live fetch), or its own paging links do
 * (a saved page), or a saved file is named so. The two feeds have the same entry format.
 */
export function isDeletedFeed(origin: string, links: FeedPage['links']): boolean {
  if (DELETED_FEED.test(origin)) return true;
  if (Object.values(links).some((href) => typeof href === 'string' && DELETED_FEED.test(href))) return true;
  return /(?:^|[/_.-])deleted(?:[/_.-]|$)/i.test(origin.split(/[\\/]/).pop() ?? '');
}

function describeEntry(entry: FeedEntry): string {
  return entry.title ? `entry ${entry.index} (${entry.title})` : `entry ${entry.index}`;
}

/**
 * Line of each entry's start tag, for people reading the RowIssue. CDATA and comments are blanked
 * first so text inside them cannot pass for a tag; when the count disagrees with the parsed entries
 * the lines are not trusted and left out.
 */
export function entryLines(text: string, expected: number): number[] | undefined {
  const blanked = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, (chunk) => chunk.replace(/[^\n]/g, ' '));
  const lines: number[] = [];
  const tag = /<(?:[A-Za-z_][\w.-]*:)?entry[\s>/]/g;
  let line = 1;
  let last = 0;
  for (let match = tag.exec(blanked); match; match = tag.exec(blanked)) {
    for (let i = last; i < match.index; i++) if (blanked.charCodeAt(i) === 10) line++;
    last = match.index;
    lines.push(line);
  }
  return lines.length === expected ? lines : undefined;
}

/** Validates the entries of one page's text; `file` names the page in errors and issues. */
export function parsePage(text: string, file: string, origin: string = file): PageParse {
  const page = readFeedPage(text, file);
  const deleted = isDeletedFeed(origin, page.links);
  const lines = entryLines(text, page.entries.length);
  const transactions: FpdsTransaction[] = [];
  const deletions: FpdsDeletion[] = [];
  const rowIssues: RowIssue[] = [];
  const skipped: RowIssue[] = [];
  for (const entry of page.entries) {
    const line = lines?.[entry.index];
    const where = { file, ...(line === undefined ? {} : { line }) };
    if (entry.problem || entry.content === undefined || entry.contentType === undefined) {
      const problem = entry.problem ?? { field: 'content', message: 'no FPDS content' };
      const issue = { ...where, field: `entry[${entry.index}]/${problem.field}`, message: `${describeEntry(entry)}: ${problem.message}` };
      // A deletion of something this source never reads (an Other Transaction award) removes nothing:
      // it is noted, not counted as a refused row.
      if (deleted) skipped.push(issue);
      else rowIssues.push(issue);
      continue;
    }
    if (deleted) {
      const removal = (entry.contentType === 'award' ? fpdsAwardDeletionSchema : fpdsIdvDeletionSchema).safeParse(entry.content);
      if (removal.success) {
        deletions.push(removal.data);
        continue;
      }
      const issue = removal.error.issues[0];
      rowIssues.push({
        ...where,
        field: `entry[${entry.index}]/${[entry.contentType, ...(issue?.path ?? []).map(String)].join('/')}`,
        message: `${describeEntry(entry)} of the DELETED feed skipped: ${issue?.message ?? 'invalid'}`,
      });
      continue;
    }
    const schema = entry.contentType === 'award' ? fpdsAwardSchema : fpdsIdvSchema;
    const result = schema.safeParse(entry.content);
    if (result.success) {
      transactions.push(result.data);
      continue;
    }
    const [first, ...rest] = result.error.issues;
    const path = (issue: { path: PropertyKey[] }) => [entry.contentType, ...issue.path.map(String)].join('/');
    rowIssues.push({
      ...where,
      field: `entry[${entry.index}]/${first ? path(first) : entry.contentType}`,
      message:
        `${describeEntry(entry)} skipped: ` +
        result.error.issues.map((issue) => `${path(issue)}: ${issue.message}`).join('; ') +
        (rest.length > 0 ? ` (${result.error.issues.length} problems)` : ''),
    });
  }
  return { transactions, deletions, rowIssues, skipped };
}

export async function parseFpdsInputs(inputs: RawInput[], ctx: ParseContext, source = FPDS_SOURCE_ID): Promise<ParseResult> {
  const published: FpdsTransaction[] = [];
  const deletions: FpdsDeletion[] = [];
  const rowIssues: RowIssue[] = [];
  for (const input of inputs) {
    const text = await readFile(input.path, 'utf8');
    const page = parsePage(text, input.path, input.origin);
    published.push(...page.transactions);
    deletions.push(...page.deletions);
    rowIssues.push(...page.rowIssues);
    for (const issue of page.skipped) ctx.log(`fpds: DELETED feed: ${issue.message} (nothing of it is held)`);
  }
  const { transactions, removals, notes } = applyDeletions(published, deletions);
  for (const note of notes) ctx.log(`fpds: ${note}`);
  const records = foldTransactions(transactions, source);
  // Without its base action an award's description is a modification's ("EXERCISE OPTION YEAR 2"):
  // a description already in the snapshot (from the base) is kept.
  const provisional = keysWithoutBase(transactions).map((key) => ({ key, fields: ['description'] }));
  ctx.log(
    `fpds: ${inputs.length} page(s), ${published.length} contract action(s) → ${records.length} award(s)` +
      (deletions.length > 0 ? `, ${deletions.length} deleted action(s) read` : '') +
      (removals.length > 0 ? `, ${removals.length} removed` : '') +
      (rowIssues.length > 0 ? `, ${rowIssues.length} entr${rowIssues.length === 1 ? 'y' : 'ies'} skipped` : ''),
  );
  return { records, rowIssues, ...(removals.length > 0 ? { removals } : {}), ...(provisional.length > 0 ? { provisional } : {}) };
}
