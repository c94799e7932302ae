/**
 * Markdown for what ICE pays now: the recent-obligations list (its own status, never "active"), a table
 * of obligations per fiscal year with incomplete years shown as lower bounds ("≥"), and the Mermaid
 * chart the report carries. Shared by companies.md and the run report.
 */
import type { CompanySummary } from '../plan/company-summary.ts';
import type { CompanyObligations, CoverageSummary, FiscalYearFigure } from '../plan/obligations.ts';
import type { Company, Registry } from '../registry/schema.ts';
import { escapeMarkdown, markdownLink } from '../util/sanitize.ts';
import { formatUsd, table } from './format.ts';

const MAX_ROWS = 200;
const CHART_COMPANIES = 5;

function companyName(company: Company | undefined, fallback: string): string {
  return escapeMarkdown(company?.name ?? fallback, 80);
}

/** "$1.00" for a complete year, "≥ $1.00" for a lower bound. */
export function figureCell(figure: FiscalYearFigure | undefined): string {
  if (!figure) return '';
  return `${figure.complete ? '' : '≥ '}${formatUsd(figure.obligated)}`;
}

function total(o: CompanyObligations): number {
  return o.byFiscalYear.reduce((sum, y) => sum + y.obligated, 0);
}

export function recentObligationsSection(summaries: CompanySummary[], registry: Registry, asOf: string, windowDays: number): string[] {
  const recent = summaries
    .filter((s) => s.status === 'recent-obligations' && s.obligations)
    .sort((a, b) => b.obligations!.recentObligated - a.obligations!.recentObligated || a.id.localeCompare(b.id));
  const lines = ['## Recent ICE obligations, no dated active award', ''];
  lines.push(
    `ICE obligated money to these companies within the ${windowDays} days up to ${asOf}, on awards whose end date ` +
      'is not known in the snapshots. A transaction’s action date is not an end date, so they are not listed as having an active contract.',
    '',
  );
  if (recent.length === 0) return [...lines, 'None.', ''];
  lines.push(
    table([
      ['Company', 'Obligated in the window', 'Last action', 'Largest award (evidence)'],
      ...recent.slice(0, MAX_ROWS).map((s) => {
        const o = s.obligations!;
        const top = o.largestAwards[0];
        return [
          companyName(registry.byId.get(s.id), s.name),
          formatUsd(o.recentObligated),
          o.lastActionDate ?? '',
          top ? `${markdownLink(top.awardKey, top.url, 80)} ${formatUsd(top.obligated)}` : '',
        ];
      }),
    ]),
    '',
  );
  if (recent.length > MAX_ROWS) lines.push(`…and ${recent.length - MAX_ROWS} more in obligations-by-fiscal-year.csv.`, '');
  return lines;
}

export function coverageNote(coverage: CoverageSummary[]): string {
  const short = coverage.filter((c) => !c.complete).map((c) => `FY${c.fiscalYear}`);
  return short.length === 0
    ? 'Every fiscal year shown was listed completely.'
    : `${short.join(', ')} ${short.length === 1 ? 'is' : 'are'} incomplete: ${short.length === 1 ? 'its' : 'their'} figures are lower bounds (shown “≥”).`;
}

export function obligationsSection(summaries: CompanySummary[], registry: Registry, coverage: CoverageSummary[]): string[] {
  const paid = summaries.filter((s) => s.obligations && s.obligations.byFiscalYear.length > 0);
  const lines = ['## ICE obligations by fiscal year', ''];
  if (paid.length === 0) return [...lines, 'No transactions attributed to registry companies.', ''];
  const years = coverage.map((c) => c.fiscalYear);
  const completeByYear = new Map(coverage.map((c) => [c.fiscalYear, c.complete]));
  lines.push(
    'Sums of ICE contract transactions (obligations, de-obligations negative) attributed to each company directly or through its units. ' +
      coverageNote(coverage),
    '',
  );
  paid.sort((a, b) => total(b.obligations!) - total(a.obligations!) || a.id.localeCompare(b.id));
  lines.push(
    table([
      ['Company', ...years.map((y) => `FY${y}${completeByYear.get(y) ? '' : ' (incomplete)'}`), 'Last action', 'Largest award'],
      ...paid.slice(0, MAX_ROWS).map((s) => {
        const o = s.obligations!;
        const top = o.largestAwards[0];
        return [
          companyName(registry.byId.get(s.id), s.name),
          ...years.map((y) => figureCell(o.byFiscalYear.find((f) => f.fiscalYear === y))),
          o.lastActionDate ?? '',
          top ? markdownLink(top.piid, top.url, 60) : '',
        ];
      }),
    ]),
    '',
  );
  if (paid.length > MAX_ROWS) lines.push(`…and ${paid.length - MAX_ROWS} more in obligations-by-fiscal-year.csv.`, '');
  return lines;
}

/**
 * A Mermaid xychart-beta (GitHub renders it) of the top companies' obligations per fiscal year. The chart
 * has no legend, so the lines are numbered in the table below it; incomplete years are marked on the axis.
 */
export function obligationsChart(
  companies: Array<{ companyId: string; name: string } & CompanyObligations>,
  coverage: CoverageSummary[],
): string[] {
  const years = coverage.map((c) => c.fiscalYear);
  const top = companies
    .filter((c) => c.byFiscalYear.length > 0)
    .sort((a, b) => total(b) - total(a) || a.companyId.localeCompare(b.companyId))
    .slice(0, CHART_COMPANIES);
  if (top.length === 0 || years.length === 0) return [];
  const complete = new Map(coverage.map((c) => [c.fiscalYear, c.complete]));
  const axis = years.map((y) => `"FY${y}${complete.get(y) ? '' : ' ≥'}"`).join(', ');
  const millions = (c: CompanyObligations, y: number) => ((c.byFiscalYear.find((f) => f.fiscalYear === y)?.obligated ?? 0) / 1e6).toFixed(2);
  return [
    '```mermaid',
    'xychart-beta',
    '  title "ICE obligations to the top registry companies (USD millions)"',
    `  x-axis [${axis}]`,
    '  y-axis "USD millions"',
    ...top.map((c) => `  line [${years.map((y) => millions(c, y)).join(', ')}]`),
    '```',
    '',
    `Lines in order: ${top.map((c, i) => `${i + 1}. ${escapeMarkdown(c.name, 60)}`).join('; ')}. “≥” on the axis marks an incomplete year (a lower bound).`,
    '',
    table([
      ['#', 'Company', ...years.map((y) => `FY${y}${complete.get(y) ? '' : ' (incomplete)'}`)],
      ...top.map((c, i) => [String(i + 1), escapeMarkdown(c.name, 60), ...years.map((y) => figureCell(c.byFiscalYear.find((f) => f.fiscalYear === y)))]),
    ]),
    '',
  ];
}
