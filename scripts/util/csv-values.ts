/**
 * Strict value parsers for CSV sources. A CSV that passed through a spreadsheet comes back with
 * dates turned into `3/28/2025` or `43921`, amounts into `1.23E+06` or `#VALUE!`, and identifiers
 * stripped of leading zeros. These parsers accept exactly the documented forms and reject the rest
 * with a reason; they never guess what a mangled value used to be.
 *
 * Every parser treats an empty (or all-blank) cell as "no value" (`{ ok: true, value: undefined }`);
 * whether a column may be empty is the caller's rule.
 */
import { z } from 'zod';
import { forLog } from './sanitize.ts';
import type { StringPool } from './string-pool.ts';

export type ValueResult<T> = { ok: true; value: T | undefined } | { ok: false; message: string };

/** A rejected cell, for callers that prefer throwing; they turn it into a RowIssue or SourceFormatError. */
export class CsvValueError extends Error {
  override name = 'CsvValueError';
  constructor(
    readonly column: string,
    readonly value: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(`${line === undefined ? '' : `line ${line}, `}column ${column}: ${reason}`);
  }
}

/** The value of a result, or a CsvValueError naming the column (and line, when known). */
export function unwrapValue<T>(result: ValueResult<T>, column: string, raw: string, line?: number): T | undefined {
  if (result.ok) return result.value;
  throw new CsvValueError(column, raw, result.message, line);
}

const ok = <T>(value: T | undefined): ValueResult<T> => ({ ok: true, value });
const fail = <T>(message: string): ValueResult<T> => ({ ok: false, message });
const show = (raw: string): string => JSON.stringify(forLog(raw, 40));

// ---------------------------------------------------------------------------------------------
// Spreadsheet fingerprints: recognised only to explain a rejection, never to recover a value.

const SCIENTIFIC = /^[-+]?\d+(?:\.\d+)?[eE][-+]?\d+$/;
const SPREADSHEET_ERROR = /^(?:#(?:VALUE!|REF!|DIV\/0!|N\/A|NAME\?|NUM!|NULL!|SPILL!|CALC!|FIELD!|GETTING_DATA)|#{2,})$/i;
// Excel day numbers from 1982 to 2173: a 5-digit integer in a date column is one of these.
const SERIAL_DATE = /^\d{5}(?:\.\d+)?$/;
const SLASH_DATE = /^\d{1,2}\/\d{1,2}\/\d{2,4}(?:\s.*)?$/;

function spreadsheetReason(text: string): string | undefined {
  if (SPREADSHEET_ERROR.test(text)) return `${show(text)} is a spreadsheet error value, not data`;
  if (SCIENTIFIC.test(text)) return `${show(text)} is in scientific notation: a spreadsheet rounded it, the exact value is lost`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Dates

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The calendar check both date formats share; returns an error message or undefined. */
function checkCalendar(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12) return `month ${month} is out of range`;
  const max = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  if (day < 1 || day > max) return `day ${day} is out of range for ${year}-${String(month).padStart(2, '0')}`;
  return undefined;
}

function checkClock(hour: number, minute: number, second = 0): string | undefined {
  if (hour > 23 || minute > 59 || second > 59) return 'time of day is out of range';
  return undefined;
}

function isoFrom(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// USAspending writes timestamps as `2019-06-11 00:00:00+00`; ISO 8601 proper uses `T` and `Z`/`+00:00`.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export interface IsoDateOptions {
  /** Accept a time (and offset) after the date; only the date part is returned. */
  allowTime?: boolean;
}

/** `YYYY-MM-DD` (optionally followed by a time), returned as `YYYY-MM-DD`. */
export function parseIsoDate(raw: string, options: IsoDateOptions = {}): ValueResult<string> {
  const text = raw.trim();
  if (text === '') return ok(undefined);
  const match = (options.allowTime ? ISO_DATE_TIME : ISO_DATE).exec(text);
  if (!match) {
    if (SLASH_DATE.test(text)) {
      return fail(`${show(text)} is a slash date where YYYY-MM-DD is expected: the file was likely re-saved by a spreadsheet`);
    }
    if (SERIAL_DATE.test(text)) return fail(`${show(text)} looks like a spreadsheet serial date, not YYYY-MM-DD`);
    if (!options.allowTime && ISO_DATE_TIME.test(text)) return fail(`${show(text)} has a time where a plain YYYY-MM-DD date is expected`);
    return fail(spreadsheetReason(text) ?? `${show(text)} is not a YYYY-MM-DD date`);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = checkCalendar(year, month, day);
  if (calendar) return fail(`${show(text)}: ${calendar}`);
  if (match[4] !== undefined) {
    const clock = checkClock(Number(match[4]), Number(match[5]), match[6] === undefined ? 0 : Number(match[6]));
    if (clock) return fail(`${show(text)}: ${clock}`);
  }
  return ok(isoFrom(year, month, day));
}

const HISTORY_DAY = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const HISTORY_DAY_TIME = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/;

/**
 * The legacy ICE history export's dates: `DD/MM/YYYY` or `DD/MM/YY HH:MM` (day first, as the
 * export was produced). Two-digit years are 20YY: the export covers FY2013–FY2017, and any earlier
 * period-of-performance date in it would be a four-digit-year row. Returned as `YYYY-MM-DD`.
 */
export function parseHistoryDate(raw: string): ValueResult<string> {
  const text = raw.trim();
  if (text === '') return ok(undefined);
  let year: number;
  let month: number;
  let day: number;
  const long = HISTORY_DAY.exec(text);
  const short = long ? null : HISTORY_DAY_TIME.exec(text);
  if (long) {
    [day, month, year] = [Number(long[1]), Number(long[2]), Number(long[3])];
  } else if (short) {
    [day, month, year] = [Number(short[1]), Number(short[2]), 2000 + Number(short[3])];
    const clock = checkClock(Number(short[4]), Number(short[5]));
    if (clock) return fail(`${show(text)}: ${clock}`);
  } else {
    if (SERIAL_DATE.test(text)) return fail(`${show(text)} looks like a spreadsheet serial date, not DD/MM/YYYY`);
    if (ISO_DATE_TIME.test(text)) return fail(`${show(text)} is an ISO date where DD/MM/YYYY or DD/MM/YY HH:MM is expected`);
    return fail(spreadsheetReason(text) ?? `${show(text)} is not a DD/MM/YYYY or DD/MM/YY HH:MM date`);
  }
  const calendar = checkCalendar(year, month, day);
  if (calendar) return fail(`${show(text)}: ${calendar} (the export writes day first: DD/MM)`);
  return ok(isoFrom(year, month, day));
}

// ---------------------------------------------------------------------------------------------
// Amounts

const PLAIN_AMOUNT = /^-?\d+(?:\.\d+)?$/;
// `$1,234.56`, `-$1,234`, `$-1,234`, `1,234`: only with correct three-digit grouping.
const FORMATTED_AMOUNT = /^(-?)\$?(-?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/;

export interface AmountOptions {
  /** Accept a leading `$` and thousands separators (a report that formats money on purpose). */
  allowCurrency?: boolean;
}

/** A dollar amount written as `-1234.56`. */
export function parseAmount(raw: string, options: AmountOptions = {}): ValueResult<number> {
  const text = raw.trim();
  if (text === '') return ok(undefined);
  if (PLAIN_AMOUNT.test(text)) return finite(text, Number(text));
  const spreadsheet = spreadsheetReason(text);
  if (spreadsheet) return fail(spreadsheet);
  const formatted = FORMATTED_AMOUNT.exec(text);
  if (formatted && (text.includes('$') || text.includes(','))) {
    if (!options.allowCurrency) {
      return fail(`${show(text)} has a currency symbol or thousands separator: expected a plain number like -1234.56`);
    }
    if (formatted[1] && formatted[2]) return fail(`${show(text)} has two minus signs`);
    const digits = `${formatted[1] || formatted[2] ? '-' : ''}${(formatted[3] ?? '').replace(/,/g, '')}${formatted[4] ?? ''}`;
    return finite(text, Number(digits));
  }
  return fail(`${show(text)} is not an amount like -1234.56`);
}

function finite(text: string, value: number): ValueResult<number> {
  if (!Number.isFinite(value)) return fail(`${show(text)} is out of range`);
  // -0 would make equal snapshots hash differently.
  return ok(value === 0 ? 0 : value);
}

// ---------------------------------------------------------------------------------------------
// Booleans and identifiers

/** USAspending (PostgreSQL) booleans: `t` / `f`. */
export function parseBoolean(raw: string): ValueResult<boolean> {
  const text = raw.trim();
  if (text === '') return ok(undefined);
  if (text === 't') return ok(true);
  if (text === 'f') return ok(false);
  return fail(`${show(text)} is not a boolean (expected t or f)`);
}

/** A DUNS number, left-padded to 9 digits (spreadsheets drop the leading zeros). */
export function parseDuns(raw: string): ValueResult<string> {
  const text = raw.trim();
  if (text === '') return ok(undefined);
  if (/^\d{1,9}$/.test(text)) return ok(text.padStart(9, '0'));
  const spreadsheet = spreadsheetReason(text);
  if (spreadsheet) return fail(spreadsheet);
  if (/^\d+$/.test(text)) return fail(`${show(text)} has more than 9 digits: not a DUNS number`);
  return fail(`${show(text)} is not a DUNS number (digits only)`);
}

/** A SAM.gov Unique Entity ID: 12 letters and digits. */
export function parseUei(raw: string): ValueResult<string> {
  const text = raw.trim();
  if (text === '') return ok(undefined);
  const upper = text.toUpperCase();
  if (/^[A-Z0-9]{12}$/.test(upper)) return ok(upper);
  const spreadsheet = spreadsheetReason(text);
  if (spreadsheet) return fail(spreadsheet);
  return fail(`${show(text)} is not a 12-character UEI`);
}

/** A code made of digits only, e.g. NAICS; `width` rejects codes that lost leading zeros. */
export function parseDigitCode(raw: string, width: { min: number; max: number }): ValueResult<string> {
  const text = raw.trim();
  if (text === '') return ok(undefined);
  if (new RegExp(`^\\d{${width.min},${width.max}}$`).test(text)) return ok(text);
  const spreadsheet = spreadsheetReason(text);
  if (spreadsheet) return fail(spreadsheet);
  return fail(`${show(text)} is not a ${width.min === width.max ? width.min : `${width.min}–${width.max}`}-digit code`);
}

// ---------------------------------------------------------------------------------------------
// zod adapters: a row schema whose fields use these parsers reports rejections as zod issues whose
// path is the column name, which the CSV readers turn into RowIssues with line and column.

/** A zod string field checked by `parse`; empty cells become undefined. */
export function csvField<T>(parse: (raw: string) => ValueResult<T>) {
  return z.string().transform((raw, ctx): T | undefined => {
    const result = parse(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message, input: raw });
    return z.NEVER;
  });
}

/** Like csvField, but an empty cell is an issue too. */
export function csvRequired<T>(parse: (raw: string) => ValueResult<T>, what = 'a value') {
  return z.string().transform((raw, ctx): T => {
    const result = parse(raw);
    if (result.ok && result.value !== undefined) return result.value;
    ctx.addIssue({ code: 'custom', message: result.ok ? `is empty, ${what} is required` : result.message, input: raw });
    return z.NEVER;
  });
}

/** USAspending's award_or_idv_flag column: "AWARD" or "IDV", in any case (an empty cell is not a flag either). */
export function parseAwardOrIdvFlag(raw: string): ValueResult<'AWARD' | 'IDV'> {
  const flag = raw.trim().toUpperCase();
  if (flag === 'AWARD' || flag === 'IDV') return ok(flag);
  return fail(`${JSON.stringify(forLog(raw, 20))} is neither AWARD nor IDV`);
}

export const awardOrIdvFlag = csvRequired(parseAwardOrIdvFlag, 'the award or IDV flag');

// ---------------------------------------------------------------------------------------------
// Cell rules: one definition per column gives both the zod field (which names every rejected cell) and a
// plain decoder for the rows that are clean, which is nearly all of them. A 1M-row download spent most of
// its parse in zod's machinery for rows that had nothing to report.

/** How one column is read: its parser, and, for a column that must not be empty, what it holds. */
export interface CellRule<T = unknown, Required extends boolean = boolean> {
  readonly parse: (raw: string) => ValueResult<T>;
  readonly required: Required extends true ? string : undefined;
  /** Values repeat across rows (agency names, dates, recipients): rows share one string per value. */
  readonly shared?: boolean;
}

/** A column's value once read: a required column always has one. */
export type CellValue<C> = C extends CellRule<infer T, true> ? T : C extends CellRule<infer T, false> ? T | undefined : never;

export function optionalCell<T>(parse: (raw: string) => ValueResult<T>, options: { shared?: boolean } = {}): CellRule<T, false> {
  return { parse, required: undefined, ...options };
}

export function requiredCell<T>(parse: (raw: string) => ValueResult<T>, what: string, options: { shared?: boolean } = {}): CellRule<T, true> {
  return { parse, required: what, ...options };
}

/** The zod shape of a row of cells (csvField / csvRequired per column), for the rows that have issues. */
export function cellsShape<R extends Record<string, CellRule>>(rules: R): Record<keyof R, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [column, rule] of Object.entries(rules)) shape[column] = rule.required === undefined ? csvField(rule.parse) : csvRequired(rule.parse, rule.required);
  return shape as Record<keyof R, z.ZodType>;
}

/**
 * Every column's value, when every cell is valid; undefined as soon as one is not (the row then goes
 * through the zod schema, which reports each issue). The same parsers decide either way. `cells` are in
 * the order of `rules`' keys (`entries` is Object.entries(rules), computed once by the caller), as the
 * engine hands a row over, so no object of named cells is built for a clean row.
 */
export function decodeCells<R extends Record<string, CellRule>>(
  entries: ReadonlyArray<readonly [keyof R & string, CellRule]>,
  cells: readonly string[],
  pool?: StringPool,
): { [K in keyof R]: CellValue<R[K]> } | undefined {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < entries.length; i++) {
    const [column, rule] = entries[i]!;
    const raw = cells[i] ?? '';
    const result = pool && rule.shared ? pool.read(column, raw, rule.parse) : rule.parse(raw);
    if (!result.ok || (result.value === undefined && rule.required !== undefined)) return undefined;
    out[column] = result.value;
  }
  return out as { [K in keyof R]: CellValue<R[K]> };
}
