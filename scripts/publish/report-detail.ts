/**
 * reports/<date>.detail.parquet: every row behind a run report's bounded sections, so the Markdown and the
 * JSON stay readable at full-history scale while nothing is lost. One table, one row per fact, a
 * `section` column saying which part of the report it belongs to:
 *   new-award              an award new this run for a registry company
 *   new-candidate-award    an award of a candidate new this run
 *   new-candidate-mention  a watchdog mention of a candidate new this run
 *   review                 a possible match below the proposal threshold (one row per possible company)
 *   list-added, list-removed  a name a watchdog list added or removed
 * Award rows carry the award id, amounts and dates; their link, recipient and description are in
 * data/published/v1/awards.parquet (joined on company_id and award_key), which holds every matched
 * award, so they are not copied here. Review rows are not published elsewhere and carry their link.
 */
import type { AwardEvidence, Plan } from '../plan/types.ts';
import { rowsToParquet, type ParquetCell, type ParquetColumns } from '../store/parquet-rows.ts';

export const REPORT_DETAIL_COLUMNS = [
  ['section', 'VARCHAR'],
  ['company_id', 'VARCHAR'],
  ['name', 'VARCHAR'],
  ['relation', 'VARCHAR'],
  ['confidence', 'DOUBLE'],
  ['match_method', 'VARCHAR'],
  ['award_key', 'VARCHAR'],
  ['source', 'VARCHAR'],
  ['list', 'VARCHAR'],
  ['obligated', 'DOUBLE'],
  ['start_date', 'DATE'],
  ['end_date', 'DATE'],
  ['last_date_to_order', 'DATE'],
  ['active', 'BOOLEAN'],
  ['url', 'VARCHAR'],
  ['note', 'VARCHAR'],
] as const satisfies ParquetColumns;

export type DetailSection = 'new-award' | 'new-candidate-award' | 'new-candidate-mention' | 'review' | 'list-added' | 'list-removed';
type ColumnName = (typeof REPORT_DETAIL_COLUMNS)[number][0];
type DetailRow = { section: DetailSection } & Partial<Record<Exclude<ColumnName, 'section'>, ParquetCell>>;

/** Every column, so the order is total and the bytes cannot depend on how the engine breaks ties. */
const ORDER_BY = REPORT_DETAIL_COLUMNS.map(([name]) => name).join(', ');

export function reportDetailFile(asOf: string): string {
  return `${asOf}.detail.parquet`;
}

function awardCells(a: AwardEvidence): Partial<DetailRow> {
  return {
    award_key: a.awardKey,
    source: a.source,
    obligated: a.obligated,
    start_date: a.start,
    end_date: a.end,
    last_date_to_order: a.lastDateToOrder,
    active: a.active,
  };
}

/** The detail rows of a plan, in no particular order (the file is sorted on write). */
export function* reportDetailRows(plan: Plan): Generator<DetailRow> {
  for (const n of plan.newAwards) {
    yield { section: 'new-award', company_id: n.companyId, relation: n.relation, confidence: n.confidence, ...awardCells(n.award) };
  }
  for (const c of plan.candidates) {
    if (!c.isNew) continue;
    const match = { company_id: c.companyId, name: c.name, relation: c.match.relation, confidence: c.confidence, match_method: c.match.method };
    for (const a of c.awards) yield { section: 'new-candidate-award', ...match, ...awardCells(a) };
    for (const m of c.mentions) {
      yield { section: 'new-candidate-mention', ...match, name: m.name, source: m.source, list: m.list, url: m.evidenceUrl ?? m.url, note: m.note };
    }
  }
  for (const r of plan.reviewQueue) {
    const base: DetailRow = { section: 'review', name: r.name, source: r.source, award_key: r.awardKey, list: r.list, url: r.url, note: r.note };
    if (r.matches.length === 0) yield base;
    for (const m of r.matches) yield { ...base, company_id: m.companyId, relation: m.relation, confidence: m.confidence, match_method: m.method };
  }
  for (const l of plan.listChanges) {
    for (const name of l.added) yield { section: 'list-added', name, source: l.source, list: l.list };
    for (const name of l.removed) yield { section: 'list-removed', name, source: l.source, list: l.list };
  }
}

/** Rows per section (sections with none are left out). */
export function reportDetailCounts(plan: Plan): Partial<Record<DetailSection, number>> {
  const counts: Partial<Record<DetailSection, number>> = {};
  for (const row of reportDetailRows(plan)) counts[row.section] = (counts[row.section] ?? 0) + 1;
  return counts;
}

/** The detail file's bytes, or undefined when the plan has no detail row (no empty file is written). */
export async function reportDetailParquet(plan: Plan): Promise<Uint8Array | undefined> {
  const rows: ParquetCell[][] = [];
  for (const row of reportDetailRows(plan)) rows.push(REPORT_DETAIL_COLUMNS.map(([name]) => (row as Record<string, ParquetCell>)[name]));
  if (rows.length === 0) return undefined;
  return rowsToParquet(REPORT_DETAIL_COLUMNS, rows, ORDER_BY);
}
