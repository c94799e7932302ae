/**
 * data/published/v1/awards.parquet: every ICE award matched to a registry company (directly, through a
 * unit, or as a reseller's order) or to a candidate the run found, with the match fields, for researchers
 * (pandas, DuckDB, R, Spark read it as is). awards.csv is its registry rows as text, the candidates' are
 * only here; typed (dates are DATE, amounts DOUBLE), zstd, sorted (registry rows, then candidates', each
 * by company, award and match), written by one engine thread: identical input, identical bytes.
 */
import { join } from 'node:path';
import type { AttributedAward } from '../plan/attribute.ts';
import type { AwardEvidence, Candidate } from '../plan/types.ts';
import { fiscalYearOf } from '../store/partition-files.ts';
import { copyToParquetSql, withStagedRows, type ParquetCell, type ParquetColumns } from '../store/parquet-rows.ts';
import { mapLazily } from '../util/lazy.ts';
import { compareText } from '../util/text-key.ts';
import { awardsCsvCopySql } from './awards-csv-sql.ts';

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

/** The file's row order after company: award, then what tells two matches of one award apart. */
function compareRows(x: SortKey, y: SortKey): number {
  return (
    compareText(x.awardKey, y.awardKey) ||
    compareText(x.relation, y.relation) ||
    compareText(x.source, y.source) ||
    compareText(x.method, y.method) ||
    x.confidence - y.confidence ||
    compareText(x.recipientName, y.recipientName) ||
    compareText(x.url, y.url)
  );
}

interface SortKey {
  awardKey: string;
  relation: string;
  source: string;
  method: string;
  confidence: number;
  recipientName: string;
  url: string;
}

function registryKey(a: AttributedAward): SortKey {
  const r = a.award;
  return { awardKey: r.awardKey, relation: a.match.relation, source: r.source, method: a.match.method, confidence: a.match.confidence, recipientName: r.recipient.name, url: r.url };
}

/**
 * Rows for the registry's matched awards (as awards.csv has them) and every open candidate's awards, in
 * the file's order: registry rows, then candidates', each by company id, award and match. Sorted here, one
 * company at a time, so the engine writes them as they come instead of sorting a copy of every row (which
 * at a million awards spilled to disk and took longer than the rest of the file).
 */
export function* publishedAwardRows(
  registryAwards: Iterable<[companyId: string, awards: readonly AttributedAward[]]>,
  candidates: readonly Candidate[],
  activeOf: (a: AttributedAward) => boolean,
): Generator<PublishedAwardRow> {
  // A company can be in both the direct and the reseller map: its lists are one company's rows.
  const byCompany = new Map<string, AttributedAward[]>();
  for (const [companyId, list] of registryAwards) {
    const held = byCompany.get(companyId);
    if (held) held.push(...list);
    else byCompany.set(companyId, [...list]);
  }
  // One row at a time into the engine: at a million awards the rows (and their cells) never sit in memory together.
  for (const companyId of [...byCompany.keys()].sort(compareText)) {
    const list = byCompany.get(companyId)!;
    const keyed = list.map((a) => ({ a, key: registryKey(a) })).sort((x, y) => compareRows(x.key, y.key));
    byCompany.delete(companyId);
    for (const { a } of keyed) {
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
  const byId = [...candidates].sort((x, y) => compareText(x.companyId, y.companyId));
  for (const c of byId) {
    const { relation, confidence, method } = c.match;
    const keyed = c.awards
      .map((award) => ({ award, key: { awardKey: award.awardKey, relation, source: award.source, method, confidence, recipientName: award.recipientName, url: award.url } }))
      .sort((x, y) => compareRows(x.key, y.key));
    for (const { award } of keyed) yield { companyId: c.companyId, companyKind: 'candidate', relation, confidence, method, award };
  }
}

/** A row's cells in PUBLISHED_AWARD_COLUMNS order. */
export function publishedAwardCells(row: PublishedAwardRow): ParquetCell[] {
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

/**
 * awards.parquet and awards.csv, written by the engine into `dir` from one staging of the rows (which
 * must come in publishedAwardRows' order); returns their paths.
 */
export async function writePublishedAwardTables(rows: Iterable<PublishedAwardRow>, dir: string): Promise<{ parquet: string; csv: string }> {
  const files = { parquet: join(dir, 'awards.parquet'), csv: join(dir, 'awards.csv') };
  await withStagedRows(PUBLISHED_AWARD_COLUMNS, mapLazily(rows, publishedAwardCells), async (engine, { staged, typed }) => {
    await engine.run(copyToParquetSql(`SELECT * FROM ${typed}`, files.parquet));
    await engine.run(awardsCsvCopySql(staged, files.csv));
  });
  return files;
}
