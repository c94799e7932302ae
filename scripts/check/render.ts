/**
 * A check result as a terminal table, CSV or JSON. The site renders the same rows as an HTML table and
 * offers the same CSV and JSON for download, so a person gets identical files from either.
 */
import { toCsv } from '../publish/csv.ts';
import { stableStringify } from '../util/stable-json.ts';
import { STATUS_LABEL, type CheckResult, type CheckRow } from './core.ts';

export type CheckFormat = 'table' | 'csv' | 'json';

/** What a row shows as its status: the status label, or "possible match — check" (never a verdict). */
export function statusText(row: CheckRow): string {
  if (row.outcome === 'possible') return 'possible match — check';
  const label = STATUS_LABEL[row.status ?? 'no-record'];
  if (row.decidedBy?.via === 'parent') return `${label} (via parent ${row.decidedBy.companyName})`;
  if (row.decidedBy?.via === 'reseller-channel') return `${label} (reseller channel)`;
  return label;
}

export function companyText(row: CheckRow): string {
  if (row.outcome === 'possible') return row.candidates.map((c) => `${c.companyName}?`).join(', ');
  if (!row.companyName) return '—';
  return row.relation === 'itself' ? row.companyName : `${row.companyName} (${row.relation})`;
}

export function confidenceText(row: CheckRow): string {
  return row.confidence === null ? '' : row.confidence.toFixed(2);
}

export function renderJson(result: CheckResult): string {
  return `${stableStringify(result, 2)}\n`;
}

export const CSV_HEADER = ['line', 'name', 'outcome', 'company_id', 'company', 'relation', 'status', 'decided_by', 'via', 'confidence', 'method', 'attention', 'note', 'evidence_urls', 'candidates'];

export function renderCsv(result: CheckResult): string {
  return toCsv(
    CSV_HEADER,
    result.rows.map((r) => [
      r.line,
      r.input,
      r.outcome,
      r.companyId,
      r.companyName,
      r.relation,
      r.outcome === 'possible' ? 'possible-match' : r.status,
      r.decidedBy?.companyId,
      r.decidedBy?.via,
      confidenceText(r),
      r.method,
      r.attention,
      r.note,
      r.evidence.map((e) => e.url).join(' '),
      r.candidates.map((c) => `${c.companyId}:${c.confidence.toFixed(2)}`).join(';'),
    ]),
  );
}

const WIDTH = { name: 34, company: 30, status: 44 } as const;

function cell(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text + ' '.repeat(width - chars.length);
}

/** Plain text for a terminal: one line per name, then the evidence of the rows that need attention. */
export function renderTable(result: CheckResult): string {
  const lines = [`${cell('name', WIDTH.name)}  ${cell('registry company', WIDTH.company)}  ${cell('status', WIDTH.status)}  conf  !`];
  for (const r of result.rows) {
    lines.push(
      `${cell(r.input, WIDTH.name)}  ${cell(companyText(r), WIDTH.company)}  ${cell(statusText(r), WIDTH.status)}  ${cell(confidenceText(r), 4)}  ${r.attention ? '!' : ''}`.trimEnd(),
    );
  }
  const flagged = result.rows.filter((r) => r.attention || r.outcome === 'match');
  if (flagged.length > 0) {
    lines.push('', 'Evidence:');
    for (const r of flagged) {
      lines.push(`- line ${r.line} "${r.input}": ${r.note}`);
      for (const e of r.evidence) lines.push(`    ${e.label}: ${e.url}`);
    }
  }
  lines.push('', `"no record" means no ICE record was found in these sources (data as of ${result.dataAsOf}); it is not a clearance.`, result.summaryLine);
  return `${lines.join('\n')}\n`;
}

export function renderCheck(result: CheckResult, format: CheckFormat): string {
  return format === 'json' ? renderJson(result) : format === 'csv' ? renderCsv(result) : renderTable(result);
}
