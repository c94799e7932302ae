/**
 * data/published/v1/awards.parquet: every ICE award matched to a registry company (directly, through a
 * unit, or as a reseller's order) or to a candidate the run found, with the match fields, for researchers
 * (pandas, DuckDB, R, Spark read it as is). The same rows as awards.csv plus the candidates', typed (dates
 * are DATE, amounts DOUBLE), zstd, sorted, written by one engine thread: identical input, identical bytes.
 */
import type { AttributedAward } from '../plan/attribute.ts';
import type { AwardEvidence, Candidate } from '../plan/types.ts';
import { fiscalYearOf } from '../store/partition-files.ts';
import { rowsToParquet, type ParquetCell, type ParquetColumns } from '../store/parquet-rows.ts';
import { mapLazily } from '../util/lazy.ts';


/** The published columns, in order (documented in the README's "Query the data"). */
export const PUBLISHED_AWARD_COLUMNS: ParquetColumns = [
  ['company_id', 'VARCHAR'],
  ['company_kind', 'VARCHAR'],
  ['relation', 'VARCHAR'],
  ['confidence', 'DOUBLE'],
  ['match_method', 'VARCHAR'],
  ['award_key', 'VARCHAR'],
  ['piid', 'VARCHAR'],
  ['parent_piid', 'VARCHAR'],
  ['kind', 'VARCHAR'],
  ['recipient_name', 'VARCHAR'],
  ['recipient_uei', 'VARCHAR'],
  ['recipient_duns', 'VARCHAR'],
  ['obligated', 'DOUBLE'],
  ['potential', 'DOUBLE'],
  ['start_date', 'DATE'],
  ['end_date', 'DATE'],
  ['last_date_to_order', 'DATE'],
  ['fiscal_year', 'INTEGER'],
  ['active', 'BOOLEAN'],
  ['naics', 'VARCHAR'],
  ['psc', 'VARCHAR'],
  ['description', 'VARCHAR'],
  ['source', 'VARCHAR'],
  ['url', 'VARCHAR'],
];

export interface PublishedAwardRow {
  companyId: string;
  companyKind: 'registry' | 'candidate';
  relation: string;
  confidence: number;
  method: string;
  award: AwardEvidence & { parentPiid?: string };
}

/** Rows for the registry's matched awards (as awards.csv has them) and every open candidate's awards. */
export function* publishedAwardRows(
  registryAwards: Iterable<[companyId: string, awards: readonly AttributedAward[]]>,
  candidates: readonly Candidate[],
  activeOf: (a: AttributedAward) => boolean,
): Generator<PublishedAwardRow> {
  // One row at a time into the engine: at a million awards the rows (and their cells) never sit in memory together.
  for (const [companyId, list] of registryAwards) {
    for (const a of list) {
      const r = a.award;
      yield {
        companyId,
        companyKind: 'registry',
        relation: a.match.relation,
        confidence: a.match.confidence,
        method: a.match.method,
        award: {
          awardKey: r.awardKey,
          piid: r.piid,
          ...(r.parentPiid ? { parentPiid: r.parentPiid } : {}),
          kind: r.kind,
          source: r.source,
          recipientName: r.recipient.name,
          ...(r.recipient.uei ? { recipientUei: r.recipient.uei } : {}),
          ...(r.recipient.duns ? { recipientDuns: r.recipient.duns } : {}),
          ...(r.amounts.obligated === undefined ? {} : { obligated: r.amounts.obligated }),
          ...(r.amounts.potential === undefined ? {} : { potential: r.amounts.potential }),
          ...(r.start ? { start: r.start } : {}),
          ...(r.end ? { end: r.end } : {}),
          ...(r.lastDateToOrder ? { lastDateToOrder: r.lastDateToOrder } : {}),
          ...(r.naics ? { naics: r.naics } : {}),
          ...(r.psc ? { psc: r.psc } : {}),
          ...(r.description ? { description: r.description } : {}),
          active: activeOf(a),
          url: r.url,
        },
      };
    }
  }
  for (const c of candidates) {
    for (const award of c.awards) {
      yield { companyId: c.companyId, companyKind: 'candidate', relation: c.match.relation, confidence: c.match.confidence, method: c.match.method, award };
    }
  }
}

function cells(row: PublishedAwardRow): ParquetCell[] {
  const a = row.award;
  return [
    row.companyId,
    row.companyKind,
    row.relation,
    row.confidence,
    row.method,
    a.awardKey,
    a.piid,
    a.parentPiid,
    a.kind,
    a.recipientName,
    a.recipientUei,
    a.recipientDuns,
    a.obligated,
    a.potential,
    a.start,
    a.end,
    a.lastDateToOrder,
    a.start ? fiscalYearOf(a.start) : undefined,
    a.active,
    a.naics,
    a.psc,
    a.description,
    a.source,
    a.url,
  ];
}

/** The Parquet file's bytes. */
export function awardsParquet(rows: Iterable<PublishedAwardRow>): Promise<Uint8Array> {
  return rowsToParquet(
    PUBLISHED_AWARD_COLUMNS,
    mapLazily(rows, cells),
    'company_kind DESC, company_id, award_key, relation, source, match_method, confidence, recipient_name, url',
  );
}
