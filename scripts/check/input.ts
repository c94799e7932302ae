/**
 * What people paste or upload: one name per line, or a CSV with a name column (and optional website and
 * UEI columns). The same parser runs in the CLI and the browser, so both check exactly the same entries.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { CheckEntry } from './core.ts';

export const MAX_NAME_LENGTH = 300;
export const MAX_ENTRIES = 50_000;

export class CheckInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckInputError';
  }
}

const NAME_COLUMNS = ['name', 'company', 'company name', 'organization', 'organisation', 'sponsor', 'partner', 'recipient_name', 'recipient name', 'recipient_parent_name', 'vendor'];
const WEBSITE_COLUMNS = ['website', 'url', 'domain', 'web site', 'homepage'];
const UEI_COLUMNS = ['uei', 'recipient_uei', 'sam uei'];

const clean = (text: string) =>
  // Control and bidi-override characters never belong in a name; they would only disguise it.
  text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, ' ').replace(/\s+/g, ' ').trim();

function headerIndex(header: string[], names: string[]): number {
  return header.findIndex((h) => names.includes(clean(h).toLowerCase()));
}

/** Is this text a CSV with a recognised name column? (A plain list of names may contain commas too.) */
export function looksLikeCsv(text: string, fileName?: string): boolean {
  if (fileName && /\.csv$/i.test(fileName)) return true;
  const first = text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
  if (!first.includes(',')) return false;
  const cells = first.split(',').map((c) => clean(c.replace(/^"|"$/g, '')).toLowerCase());
  return cells.some((c) => NAME_COLUMNS.includes(c));
}

function entry(name: string, line: number, website?: string, uei?: string): CheckEntry {
  if (name.length > MAX_NAME_LENGTH) throw new CheckInputError(`line ${line}: a name longer than ${MAX_NAME_LENGTH} characters (is this the right file?)`);
  const out: CheckEntry = { name, line };
  const site = website ? clean(website) : '';
  if (site) out.website = site;
  const id = uei ? clean(uei).toUpperCase() : '';
  if (id) out.uei = id;
  return out;
}

function limit(entries: CheckEntry[]): CheckEntry[] {
  if (entries.length > MAX_ENTRIES) throw new CheckInputError(`${entries.length} names: at most ${MAX_ENTRIES} can be checked at once; split the list`);
  return entries;
}

export function parseNameList(text: string): CheckEntry[] {
  const out: CheckEntry[] = [];
  text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .forEach((raw, i) => {
      const name = clean(raw);
      if (name && !name.startsWith('#')) out.push(entry(name, i + 1));
    });
  return limit(out);
}

export function parseNameCsv(text: string): CheckEntry[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (error) {
    const where = error instanceof CsvError && 'lines' in error ? `line ${(error as CsvError & { lines: number }).lines}: ` : '';
    throw new CheckInputError(`${where}not readable as CSV: ${(error as Error).message}`);
  }
  const [head, ...rows] = records;
  if (!head) return [];
  const nameAt = headerIndex(head.record, NAME_COLUMNS);
  if (nameAt < 0) {
    throw new CheckInputError(`line 1: no name column; expected a header with one of: ${NAME_COLUMNS.join(', ')} (optional: website, uei)`);
  }
  const siteAt = headerIndex(head.record, WEBSITE_COLUMNS);
  const ueiAt = headerIndex(head.record, UEI_COLUMNS);
  const out: CheckEntry[] = [];
  for (const { record, info } of rows) {
    const name = clean(record[nameAt] ?? '');
    if (!name) continue;
    out.push(entry(name, info.lines, siteAt >= 0 ? record[siteAt] : undefined, ueiAt >= 0 ? record[ueiAt] : undefined));
  }
  return limit(out);
}

export function parseCheckInput(text: string, fileName?: string): CheckEntry[] {
  return looksLikeCsv(text, fileName) ? parseNameCsv(text) : parseNameList(text);
}
