/**
 * `icewatch audit --input FILE`: read a real recipient list in any of the layouts the project has
 * recorded, and audit the matcher over it (scripts/match/audit.ts). Layouts, told apart by the header:
 *
 * - the 2018 ICE parent-recipient aggregate (`recipient_parent_name`, `top_words_from_serv_desc`, …;
 *   ../shared/matching/ice-parent-recipients-2018-yinleon.csv): one row per parent; its date is the
 *   first contract start, its "description" the top service words;
 * - the dashboard's transaction CSVs (`Agency,Award ID,Recipient Name,…,Generated Award ID`;
 *   ../shared/fixtures/usaspending/transactions): ICE rows only, one per transaction, dated by the
 *   action date (read here directly, not through a source);
 * - the header-less FY2013–FY2017 export and USAspending custom downloads: through their sources'
 *   parsers, one row per award, dated by the award start;
 * - the dev-cases CSV or JSONL that `match` reads.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { audit, renderAudit, type AuditReport, type AuditRow } from '../match/audit.ts';
import type { Registry } from '../registry/schema.ts';
import { usaspendingAwardUrl } from '../records.ts';
import { isHistoryCsv, parseHistoryCsv } from '../sources/usaspending/history.ts';
import { parseDownloadInputs } from '../sources/usaspending-download/parse.ts';
import type { ParseResult } from '../sources/types.ts';
import { UsageError } from '../util/errors.ts';
import { forLog } from '../util/sanitize.ts';
import { readMatchInput } from './match-command.ts';

export type AuditLayout = 'parent-aggregate' | 'transactions' | 'history' | 'download' | 'cases';

async function firstLine(file: string): Promise<string> {
  const stream = createReadStream(file, { encoding: 'utf8', start: 0, end: 64 * 1024 });
  let text = '';
  for await (const chunk of stream) {
    text += chunk as string;
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      stream.destroy();
      return text.slice(0, nl);
    }
  }
  return text;
}

export async function detectLayout(file: string): Promise<AuditLayout> {
  if (file.endsWith('.jsonl') || file.endsWith('.ndjson')) return 'cases';
  const head = (await firstLine(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  })).replace(/^\uFEFF/, '');
  const columns = head.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  if (columns.includes('recipient_parent_name') && columns.includes('top_words_from_serv_desc')) return 'parent-aggregate';
  if (columns.includes('Recipient Name') && columns.includes('Agency') && columns.includes('Generated Award ID')) return 'transactions';
  if (columns.includes('prime_award_unique_key') || columns.includes('contract_award_unique_key')) return 'download';
  if (columns.includes('recipient_name') && columns.includes('expected_company')) return 'cases';
  if (await isHistoryCsv(file)) return 'history';
  throw new UsageError(
    `${file}: not a layout the audit knows (expected the 2018 parent-recipient CSV, the ICE transactions CSV, the FY2013–FY2017 export, a USAspending download CSV, or dev-cases CSV/JSONL)`,
  );
}

type Row = Record<string, string>;

function csvRows(text: string, file: string): Row[] {
  try {
    return parse(text, { bom: true, columns: true, skip_empty_lines: true, relax_column_count: true }) as Row[];
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

const day = (value: string | undefined): string | undefined => {
  const d = value?.trim().slice(0, 10);
  return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : undefined;
};

function parentAggregateRows(text: string, file: string): AuditRow[] {
  return csvRows(text, file).flatMap((r, i) => {
    const name = r['recipient_parent_name']?.trim();
    if (!name) return [];
    const date = day(r['first_contract_start_date']);
    const description = r['top_words_from_serv_desc']?.trim();
    return [{ input: { name, ...(date ? { date } : {}), ...(description ? { description } : {}) }, ref: `${basename(file)} row ${i + 2}` }];
  });
}

/** ICE rows of the dashboard's transaction files; CBP rows are another agency and are skipped. */
function transactionRows(text: string, file: string): AuditRow[] {
  return csvRows(text, file).flatMap((r) => {
    if (r['Agency']?.trim() !== 'ICE') return [];
    const name = r['Recipient Name']?.trim();
    if (!name) return [];
    const date = day(r['Action Date']);
    const description = r['Transaction Description']?.trim();
    const key = r['Generated Award ID']?.trim();
    const ref = `${r['Award ID']?.trim() ?? '?'} mod ${r['Modification']?.trim() ?? '?'}`;
    return [
      {
        input: { name, ...(date ? { date } : {}), ...(description ? { description } : {}) },
        ref,
        ...(key ? { url: usaspendingAwardUrl(key) } : {}),
      },
    ];
  });
}

function awardRows(result: ParseResult): AuditRow[] {
  const rows: AuditRow[] = [];
  for (const record of result.records) {
    if (record.recordType !== 'award') continue;
    const r = record.recipient;
    rows.push({
      input: {
        name: r.name,
        ...(r.uei ? { uei: r.uei } : {}),
        ...(r.duns ? { duns: r.duns } : {}),
        ...(r.parentName ? { parentName: r.parentName } : {}),
        ...(r.parentUei ? { parentUei: r.parentUei } : {}),
        ...(r.parentDuns ? { parentDuns: r.parentDuns } : {}),
        ...(record.description ? { description: record.description } : {}),
        ...(record.start ? { date: record.start } : {}),
      },
      ref: record.awardKey,
      url: record.url,
    });
  }
  return rows;
}

export async function readAuditRows(file: string): Promise<{ layout: AuditLayout; rows: AuditRow[] }> {
  const layout = await detectLayout(file);
  const raw = { path: file, origin: file, retrievedAt: new Date(0).toISOString() };
  switch (layout) {
    case 'parent-aggregate':
      return { layout, rows: parentAggregateRows(await readFile(file, 'utf8'), file) };
    case 'transactions':
      return { layout, rows: transactionRows(await readFile(file, 'utf8'), file) };
    case 'history':
      return { layout, rows: awardRows(await parseHistoryCsv([raw])) };
    case 'download':
      return { layout, rows: awardRows(await parseDownloadInputs([raw])) };
    case 'cases':
      return { layout, rows: (await readMatchInput(file)).map((c) => ({ input: c.input, ref: `line ${c.line}` })) };
  }
}

/** Audit several files as one universe (e.g. all fiscal years). */
export async function runAudit(registry: Registry, files: readonly string[]): Promise<{ report: AuditReport; text: string }> {
  const rows: AuditRow[] = [];
  const layouts: string[] = [];
  for (const file of files) {
    const read = await readAuditRows(file);
    layouts.push(`${basename(file)} (${read.layout}, ${read.rows.length} rows)`);
    for (const row of read.rows) rows.push(row);
  }
  const report = audit(registry.companies, rows);
  return { report, text: renderAudit(report, layouts.join(', '), forLog) };
}
