/**
 * obligations-by-fiscal-year.csv: one row per company (registry, then candidates) and fiscal year, with
 * its largest award as evidence. A year whose listing was incomplete says so in two columns, so a
 * spreadsheet filter cannot drop the warning.
 */
import type { CompanySummary } from '../plan/company-summary.ts';
import type { CompanyObligations } from '../plan/obligations.ts';
import type { Candidate } from '../plan/types.ts';
import type { Registry } from '../registry/schema.ts';
import { toCsv } from './csv.ts';
import { formatAmount } from './format.ts';

export const OBLIGATIONS_CSV_HEADER = [
  'kind',
  'company_id',
  'name',
  'status',
  'fiscal_year',
  'obligated',
  'transactions',
  'complete',
  'obligated_is_lower_bound',
  'last_action_date',
  'largest_award_key',
  'largest_award_obligated',
  'largest_award_url',
];

export function obligationsCsv(registry: Registry, summaries: CompanySummary[], candidates: Candidate[]): string {
  const rows: Array<Array<string | number | boolean | undefined>> = [];
  const emit = (kind: string, id: string, name: string, status: string, o: CompanyObligations) => {
    const top = o.largestAwards[0];
    for (const y of o.byFiscalYear) {
      rows.push([
        kind,
        id,
        name,
        status,
        y.fiscalYear,
        formatAmount(y.obligated),
        y.transactions,
        y.complete,
        !y.complete,
        o.lastActionDate,
        top?.awardKey,
        formatAmount(top?.obligated),
        top?.url,
      ]);
    }
  };
  const byId = new Map(summaries.map((s) => [s.id, s]));
  for (const company of registry.companies.slice().sort((a, b) => a.id.localeCompare(b.id))) {
    const s = byId.get(company.id);
    if (s?.obligations) emit('registry', company.id, company.name, s.status, s.obligations);
  }
  for (const c of candidates.slice().sort((a, b) => a.companyId.localeCompare(b.companyId))) {
    if (c.obligations) emit('candidate', c.companyId, c.name, 'candidate', c.obligations);
  }
  return toCsv(OBLIGATIONS_CSV_HEADER, rows);
}
