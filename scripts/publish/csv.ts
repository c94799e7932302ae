import { stringify } from 'csv-stringify/sync';

/**
 * CSV for researchers who open it in a spreadsheet: a cell that starts like a formula is prefixed with
 * an apostrophe so it is shown, not evaluated (text comes from outside sources).
 */
export function toCsv(header: string[], rows: Array<Array<string | number | boolean | undefined | null>>): string {
  const safe = rows.map((row) =>
    row.map((cell) => {
      if (cell === undefined || cell === null) return '';
      if (typeof cell !== 'string') return String(cell);
      // Whatever slipped past validation, no control character reaches a spreadsheet (tab and newlines are
      // quoted by the writer).
      cell = cell.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '');
      // A plain number (a negative obligation is common) is not a formula and must stay a number.
      if (/^-?\d+(?:\.\d+)?$/.test(cell)) return cell;
      return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
    }),
  );
  return stringify([header, ...safe], { record_delimiter: '\n', quoted_match: /[",\n\r]/ });
}
