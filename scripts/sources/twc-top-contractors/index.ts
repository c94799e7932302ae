/**
 * The Tech Workers Coalition post's table of top ICE contractors by FY2025 outlays. The table is found
 * by what it holds — rows of a name and a dollar amount — not by where it sits in the post.
 */
import { recordKey, type MentionRecord } from '../../records.ts';
import { SourceFormatError } from '../../util/errors.ts';
import { defineSource, type ParseResult, type RawInput, type RowIssue } from '../types.ts';
import { fetchPage, firstIssue, loadPage, readOnlyPage, runsText, type TableBlock, type TableRow } from '../watchdog/extract.ts';
import { parseDollars, TWC_LIST, TWC_POST_URL, TWC_SOURCE_ID, twcRowSchema } from './schema.ts';

export interface PageParseOptions {
  file: string;
  contentType?: string;
}

interface RowShape {
  name?: string;
  amountText?: string;
  /** Which cell held the amount. */
  amountColumn?: number;
  rank?: number;
}

const RANK_CELL = /^#?\s?(\d{1,4})\.?$/;

/** Which cell is the name, the amount and (if any) an explicit rank. */
function shapeOf(row: TableRow): RowShape {
  const texts = row.cells.map((c) => runsText(c.runs));
  const shape: RowShape = {};
  texts.forEach((text, index) => {
    if (shape.amountText === undefined && parseDollars(text) !== undefined) {
      shape.amountText = text;
      shape.amountColumn = index;
      return;
    }
    const rank = RANK_CELL.exec(text);
    if (rank && shape.rank === undefined && index < texts.length - 1) {
      shape.rank = Number(rank[1]);
      return;
    }
    if (shape.name === undefined && /\p{L}/u.test(text)) shape.name = text;
  });
  return shape;
}

function isDataRow(shape: RowShape): boolean {
  return shape.name !== undefined && shape.amountText !== undefined;
}

/** Parses one copy of the post (Markdown or HTML). */
export function parseTwcTopContractorsPage(text: string, options: PageParseOptions): ParseResult {
  const { file } = options;
  const page = loadPage(text, { contentType: options.contentType, baseUrl: TWC_POST_URL });
  const tables = page.blocks.filter((b): b is TableBlock => b.kind === 'table');
  let best: { table: TableBlock; dataRows: number } | undefined;
  for (const table of tables) {
    const dataRows = table.rows.filter((row) => isDataRow(shapeOf(row))).length;
    if (dataRows > 0 && (!best || dataRows > best.dataRows)) best = { table, dataRows };
  }
  if (!best) {
    throw new SourceFormatError(TWC_SOURCE_ID, `no table of contractors with dollar amounts found (${tables.length} table(s) on the page)`, {
      file,
      path: 'table',
    });
  }

  // The column the good rows keep their amount in: where to look when a row's amount does not parse.
  const columns = new Map<number, number>();
  for (const row of best.table.rows) {
    const column = shapeOf(row).amountColumn;
    if (column !== undefined) columns.set(column, (columns.get(column) ?? 0) + 1);
  }
  const amountColumn = [...columns.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];

  const rowIssues: RowIssue[] = [];
  const records = new Map<string, MentionRecord>();
  let ordinal = 0;
  for (const row of best.table.rows) {
    const shape = shapeOf(row);
    // A Markdown table's first row is always its head; here it holds the first contractor. A head row
    // that is not a contractor is a real column header.
    if (row.head && !isDataRow(shape)) continue;
    ordinal += 1;
    const parsed = twcRowSchema.safeParse({
      name: shape.name ?? '',
      amountText: shape.amountText ?? runsText(row.cells[amountColumn]?.runs ?? []),
      rank: shape.rank ?? ordinal,
    });
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      rowIssues.push({ file, line: row.line, field, message: `row ${ordinal}: ${message}` });
      continue;
    }
    const key = recordKey(parsed.data);
    if (records.has(key)) {
      rowIssues.push({ file, line: row.line, field: 'name', message: `row ${ordinal}: "${parsed.data.name}" is listed twice; kept the first` });
      continue;
    }
    records.set(key, parsed.data);
  }
  const sorted = [...records.values()].sort((a, b) => {
    const ka = recordKey(a);
    const kb = recordKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { records: sorted, rowIssues, lists: [TWC_LIST] };
}

async function parseInputs(inputs: RawInput[]): Promise<ParseResult> {
  const { text, input } = await readOnlyPage(inputs, TWC_SOURCE_ID, 'post');
  return parseTwcTopContractorsPage(text, { file: input.origin, contentType: input.contentType });
}

export const twcTopContractorsSource = defineSource({
  id: TWC_SOURCE_ID,
  title: 'Tech Workers Coalition: top ICE contractors by FY2025 outlays',
  homepage: TWC_POST_URL,
  kind: 'watchdog',
  hosts: ['techworkerscoalition.org', 'www.techworkerscoalition.org'],
  mode: 'replace',
  importFormats: 'the post as HTML, or its Markdown (the table of contractors and amounts)',
  async fetch(ctx) {
    const input = await fetchPage(
      ctx,
      TWC_SOURCE_ID,
      [{ url: TWC_POST_URL, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' }],
      () => true,
      'twc-post',
    );
    return { inputs: [input] };
  },
  parse: (inputs) => parseInputs(inputs),
});
