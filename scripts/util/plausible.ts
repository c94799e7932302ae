/**
 * Dates that can be true. `Date.parse('2026-02-31')` is a valid March date to JavaScript, so a YYYY-MM-DD
 * string is checked by round trip; and a far-future end date ("9999-12-31") is a placeholder, not an
 * award running for eight thousand years.
 */

/** The latest date a source may give: later ones are placeholders or typos, refused as row issues. */
export const MAX_PLAUSIBLE_DATE = '2100-12-31';
/** USAspending and FPDS hold nothing before federal procurement records began to be kept electronically. */
export const MIN_PLAUSIBLE_DATE = '1900-01-01';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number the digits at [from, to) of `value` spell, or -1 when one is not a digit. */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * YYYY-MM-DD naming a day of the Gregorian calendar (year 0100 or later: JavaScript's Date, which this
 * once used, reads 00YY as 19YY). Arithmetic, not a Date and a regex: it runs on every date of every
 * award a store write checks.
 */
export function isCalendarDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  const y = digits(value, 0, 4);
  const m = digits(value, 5, 7);
  const d = digits(value, 8, 10);
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

/** A real calendar date within what the sources can hold. */
export function isPlausibleDate(value: string): boolean {
  return isCalendarDate(value) && value >= MIN_PLAUSIBLE_DATE && value <= MAX_PLAUSIBLE_DATE;
}

/**
 * No single federal award reaches this many dollars: it is more than the whole annual federal budget
 * (about $7 trillion). USAspending's numeric(23,2) columns hold more, but a value past this is a typo or
 * a forged row, and beyond 1e21 JavaScript would print it in exponent notation, which the published
 * outputs never use.
 */
export const MAX_PLAUSIBLE_AMOUNT = 1e13;

export function isPlausibleAmount(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) < MAX_PLAUSIBLE_AMOUNT;
}

/** The first value of a normalized award that cannot be true, as a field name and a message. */
export function implausibleAwardValue(record: {
  amounts: Record<string, number | undefined>;
  start?: string;
  end?: string;
  lastDateToOrder?: string;
  lastModified?: string;
}): { field: string; message: string } | undefined {
  for (const [name, value] of Object.entries(record.amounts)) {
    if (value !== undefined && !isPlausibleAmount(value)) {
      const shown = Number.isFinite(value) ? BigInt(Math.trunc(value)).toString() : String(value);
      return { field: `amounts.${name}`, message: `amount ${shown.slice(0, 40)} is beyond any real award (the bound is ±${MAX_PLAUSIBLE_AMOUNT.toLocaleString('en-US')} USD)` };
    }
  }
  for (const name of ['start', 'end', 'lastDateToOrder', 'lastModified'] as const) {
    const value = record[name];
    if (value !== undefined && !isPlausibleDate(value)) {
      return { field: name, message: `date ${value} is outside ${MIN_PLAUSIBLE_DATE}..${MAX_PLAUSIBLE_DATE} (a placeholder such as 9999-12-31 would make an award active forever)` };
    }
  }
  return undefined;
}
