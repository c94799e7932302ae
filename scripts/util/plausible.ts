/**
 * Dates that can be true. `Date.parse('2026-02-31')` is a valid March date to JavaScript, so a YYYY-MM-DD
 * string is checked by round trip; and a far-future end date ("9999-12-31") is a placeholder, not an
 * award running for eight thousand years.
 */

/** The latest date a source may give: later ones are placeholders or typos, refused as row issues. */
export const MAX_PLAUSIBLE_DATE = '2100-12-31';
/** USAspending and FPDS hold nothing before federal procurement records began to be kept electronically. */
export const MIN_PLAUSIBLE_DATE = '1900-01-01';

export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
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
