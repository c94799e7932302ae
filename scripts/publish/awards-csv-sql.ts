/**
 * awards.csv written by the engine from the rows staged for awards.parquet (scripts/store/parquet-rows.ts):
 * the rows are appended once and both files are COPYs of them. At a million awards the JavaScript writer
 * (csv-stringify behind csvChunks) took 7 s and most of the run's garbage; the engine takes a fraction.
 *
 * The text is what csvChunks (scripts/publish/csv.ts) writes for the same cells, and a test holds the two
 * to it: every cell goes through the same rule as safeCell (control characters dropped; a cell that
 * starts like a formula, and is not a plain number, prefixed with an apostrophe), empty cells are written
 * as nothing (NULL, which the engine leaves unquoted), and a cell is quoted when it holds a comma, quote,
 * line break or '#', with quotes doubled.
 */
import { sqlString } from '../store/engine.ts';
import { CSV_COPY_OPTIONS } from '../store/partition-sql.ts';

/** The header and, per column, the staged column it comes from and how it is written. */
export const AWARDS_CSV_COLUMNS: ReadonlyArray<readonly [header: string, staged: string, as: 'text' | 'amount' | 'confidence' | 'boolean']> = [
  ['company_id', 'company_id', 'text'],
  ['relation', 'relation', 'text'],
  ['confidence', 'confidence', 'confidence'],
  ['match_method', 'match_method', 'text'],
  ['award_key', 'award_key', 'text'],
  ['piid', 'piid', 'text'],
  ['parent_piid', 'parent_piid', 'text'],
  ['kind', 'kind', 'text'],
  ['recipient_name', 'recipient_name', 'text'],
  ['recipient_uei', 'recipient_uei', 'text'],
  ['recipient_duns', 'recipient_duns', 'text'],
  ['obligated', 'obligated', 'amount'],
  ['potential', 'potential', 'amount'],
  ['start', 'start_date', 'text'],
  ['end', 'end_date', 'text'],
  ['last_date_to_order', 'last_date_to_order', 'text'],
  ['active', 'active', 'boolean'],
  ['naics', 'naics', 'text'],
  ['psc', 'psc', 'text'],
  ['description', 'description', 'text'],
  ['source', 'source', 'text'],
  ['url', 'url', 'text'],
];

/** safeCell's control characters: C0 but tab and line breaks (quoted instead), DEL and C1. */
const CONTROL = String.raw`[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]`;

/** A text cell as safeCell writes it, given the cell already cleaned of control characters. */
function safeText(cleaned: string): string {
  return (
    `CASE WHEN ${cleaned} IS NULL OR ${cleaned} = '' THEN NULL ` +
    `WHEN left(${cleaned}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) AND NOT regexp_full_match(${cleaned}, ${sqlString(String.raw`-?\d+(?:\.\d+)?`)}) THEN '''' || ${cleaned} ` +
    `ELSE ${cleaned} END`
  );
}

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** COPY of the registry's rows of `table` (staged as PUBLISHED_AWARD_COLUMNS, in file order) to `file` as awards.csv. */
export function awardsCsvCopySql(table: string, file: string): string {
  // Control characters are dropped once, in a subquery, so the outer CASE reads each cleaned cell.
  const cleaned = AWARDS_CSV_COLUMNS.filter(([, , as]) => as === 'text')
    .map(([, staged]) => `regexp_replace(${staged}, ${sqlString(CONTROL)}, '', 'g') AS ${staged}`)
    .join(', ');
  const cells = AWARDS_CSV_COLUMNS.map(([header, staged, as]) => {
    const cell =
      as === 'text'
        ? safeText(staged)
        : as === 'boolean'
          ? `CAST(${staged} AS VARCHAR)`
          : // toFixed(2) of the same double: the two round alike except on exact halves, which amounts of whole
            // cents and confidences never are, and on -0, which toFixed writes as 0.00.
            `CASE WHEN ${staged} = 0 THEN '0.00' ELSE printf('%.2f', ${staged}) END`;
    return `${cell} AS ${quoted(header)}`;
  }).join(', ');
  const others = AWARDS_CSV_COLUMNS.filter(([, , as]) => as !== 'text').map(([, staged]) => staged).join(', ');
  return (
    `COPY (SELECT ${cells} FROM (SELECT ${cleaned}, ${others} FROM ${table} WHERE company_kind = 'registry')) ` +
    `TO ${sqlString(file)} (${CSV_COPY_OPTIONS})`
  );
}
