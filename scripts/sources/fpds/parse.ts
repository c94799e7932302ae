/**
 * Raw FPDS pages → award records. Every page is read first and every entry validated; the actions of
 * all pages are folded together, so a modification on page 7 lands on the award whose base was on
 * page 2. A page that is not an ATOM feed fails the parse; a bad entry is skipped and reported.
 */
import { readFile } from 'node:fs/promises';
import type { ParseContext, ParseResult, RawInput, RowIssue } from '../types.ts';
import { FPDS_SOURCE_ID, readFeedPage } from './feed.ts';
import type { FeedEntry } from './feed.ts';
import { foldTransactions } from './fold.ts';
import { fpdsAwardSchema, fpdsIdvSchema } from './schema.ts';
import type { FpdsTransaction } from './schema.ts';

export interface PageParse {
  transactions: FpdsTransaction[];
  rowIssues: RowIssue[];
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
export function parsePage(text: string, file: string): PageParse {
  const page = readFeedPage(text, file);
  const lines = entryLines(text, page.entries.length);
  const transactions: FpdsTransaction[] = [];
  const rowIssues: RowIssue[] = [];
  for (const entry of page.entries) {
    const line = lines?.[entry.index];
    const where = { file, ...(line === undefined ? {} : { line }) };
    if (entry.problem || entry.content === undefined || entry.contentType === undefined) {
      const problem = entry.problem ?? { field: 'content', message: 'no FPDS content' };
      rowIssues.push({ ...where, field: `entry[${entry.index}]/${problem.field}`, message: `${describeEntry(entry)}: ${problem.message}` });
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
  return { transactions, rowIssues };
}

export async function parseFpdsInputs(inputs: RawInput[], ctx: ParseContext, source = FPDS_SOURCE_ID): Promise<ParseResult> {
  const transactions: FpdsTransaction[] = [];
  const rowIssues: RowIssue[] = [];
  for (const input of inputs) {
    const text = await readFile(input.path, 'utf8');
    const page = parsePage(text, input.path);
    transactions.push(...page.transactions);
    rowIssues.push(...page.rowIssues);
  }
  const records = foldTransactions(transactions, source);
  ctx.log(
    `fpds: ${inputs.length} page(s), ${transactions.length} contract action(s) → ${records.length} award(s)` +
      (rowIssues.length > 0 ? `, ${rowIssues.length} entr${rowIssues.length === 1 ? 'y' : 'ies'} skipped` : ''),
  );
  return { records, rowIssues };
}
