import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CsvValueError,
  csvField,
  csvRequired,
  parseAmount,
  parseBoolean,
  parseDigitCode,
  parseDuns,
  parseHistoryDate,
  parseIsoDate,
  parseUei,
  unwrapValue,
  type ValueResult,
} from '../../scripts/util/csv-values.ts';

function rejected<T>(result: ValueResult<T>): string {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.message;
}

describe('parseIsoDate', () => {
  it('accepts YYYY-MM-DD and treats blank as no value', () => {
    expect(parseIsoDate('2020-05-07')).toEqual({ ok: true, value: '2020-05-07' });
    expect(parseIsoDate('2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(parseIsoDate('')).toEqual({ ok: true, value: undefined });
    expect(parseIsoDate('   ')).toEqual({ ok: true, value: undefined });
  });

  it('accepts a time only when asked, and returns the date part', () => {
    expect(parseIsoDate('2019-06-11 00:00:00+00', { allowTime: true })).toEqual({ ok: true, value: '2019-06-11' });
    expect(parseIsoDate('2025-03-05T13:45:10.123Z', { allowTime: true })).toEqual({ ok: true, value: '2025-03-05' });
    expect(rejected(parseIsoDate('2019-06-11 00:00:00+00'))).toMatch(/has a time/);
    expect(rejected(parseIsoDate('2019-06-11 25:00:00', { allowTime: true }))).toMatch(/time of day is out of range/);
  });

  it('rejects impossible calendar dates', () => {
    expect(rejected(parseIsoDate('2023-02-29'))).toMatch(/day 29 is out of range for 2023-02/);
    expect(rejected(parseIsoDate('2023-13-01'))).toMatch(/month 13 is out of range/);
    expect(rejected(parseIsoDate('2023-04-31'))).toMatch(/day 31/);
  });

  it('rejects spreadsheet-mangled dates and says why', () => {
    expect(rejected(parseIsoDate('3/28/2025'))).toMatch(/slash date.*spreadsheet/);
    expect(rejected(parseIsoDate('43921'))).toMatch(/spreadsheet serial date/);
    expect(rejected(parseIsoDate('#VALUE!'))).toMatch(/spreadsheet error value/);
    expect(rejected(parseIsoDate('March 28, 2025'))).toMatch(/not a YYYY-MM-DD date/);
  });
});

describe('parseHistoryDate', () => {
  it('reads DD/MM/YYYY and DD/MM/YY HH:MM day first, with 2-digit years as 20YY', () => {
    expect(parseHistoryDate('12/03/2013')).toEqual({ ok: true, value: '2013-03-12' });
    expect(parseHistoryDate('14/03/13 00:00')).toEqual({ ok: true, value: '2013-03-14' });
    expect(parseHistoryDate('11/10/29 00:00')).toEqual({ ok: true, value: '2029-10-11' });
    expect(parseHistoryDate('29/02/16 23:59')).toEqual({ ok: true, value: '2016-02-29' });
    expect(parseHistoryDate('')).toEqual({ ok: true, value: undefined });
  });

  it('validates day, month and clock instead of swapping them', () => {
    expect(rejected(parseHistoryDate('03/14/2013'))).toMatch(/month 14 is out of range.*DD\/MM/);
    expect(rejected(parseHistoryDate('31/04/2015'))).toMatch(/day 31 is out of range for 2015-04/);
    expect(rejected(parseHistoryDate('29/02/17 00:00'))).toMatch(/day 29/);
    expect(rejected(parseHistoryDate('14/03/13 24:00'))).toMatch(/time of day/);
  });

  it('rejects other shapes', () => {
    expect(rejected(parseHistoryDate('41540'))).toMatch(/spreadsheet serial date/);
    expect(rejected(parseHistoryDate('2013-03-14'))).toMatch(/ISO date where DD\/MM\/YYYY/);
    expect(rejected(parseHistoryDate('1/3/2013'))).toMatch(/not a DD\/MM\/YYYY or DD\/MM\/YY HH:MM date/);
    expect(rejected(parseHistoryDate('14/03/13'))).toMatch(/not a DD\/MM\/YYYY/);
  });
});

describe('parseAmount', () => {
  it('reads plain decimal amounts', () => {
    expect(parseAmount('-1234.56')).toEqual({ ok: true, value: -1234.56 });
    expect(parseAmount('16000.00')).toEqual({ ok: true, value: 16000 });
    expect(parseAmount('645000')).toEqual({ ok: true, value: 645000 });
    expect(parseAmount('9999.9')).toEqual({ ok: true, value: 9999.9 });
    expect(parseAmount('-0.00')).toEqual({ ok: true, value: 0 });
    expect(Object.is((parseAmount('-0') as { value: number }).value, 0)).toBe(true);
    expect(parseAmount('')).toEqual({ ok: true, value: undefined });
  });

  it('rejects scientific notation, spreadsheet errors and formatting', () => {
    expect(rejected(parseAmount('1.23E+06'))).toMatch(/scientific notation/);
    expect(rejected(parseAmount('#VALUE!'))).toMatch(/spreadsheet error value/);
    expect(rejected(parseAmount('#####'))).toMatch(/spreadsheet error value/);
    expect(rejected(parseAmount('$1,234'))).toMatch(/currency symbol or thousands separator/);
    expect(rejected(parseAmount('1,234.50'))).toMatch(/currency symbol or thousands separator/);
    expect(rejected(parseAmount('12,34'))).toMatch(/not an amount/);
    expect(rejected(parseAmount('1.'))).toMatch(/not an amount/);
    expect(rejected(parseAmount('NaN'))).toMatch(/not an amount/);
  });

  it('accepts currency formatting only when explicitly allowed', () => {
    expect(parseAmount('$1,234', { allowCurrency: true })).toEqual({ ok: true, value: 1234 });
    expect(parseAmount('-$1,234.50', { allowCurrency: true })).toEqual({ ok: true, value: -1234.5 });
    expect(parseAmount('$-12', { allowCurrency: true })).toEqual({ ok: true, value: -12 });
    expect(rejected(parseAmount('$1,23,4', { allowCurrency: true }))).toMatch(/not an amount/);
    expect(rejected(parseAmount('-$-5', { allowCurrency: true }))).toMatch(/two minus signs/);
    expect(rejected(parseAmount('1.2E+3', { allowCurrency: true }))).toMatch(/scientific notation/);
  });
});

describe('parseBoolean', () => {
  it('reads t and f only', () => {
    expect(parseBoolean('t')).toEqual({ ok: true, value: true });
    expect(parseBoolean('f')).toEqual({ ok: true, value: false });
    expect(parseBoolean('')).toEqual({ ok: true, value: undefined });
    expect(rejected(parseBoolean('TRUE'))).toMatch(/expected t or f/);
    expect(rejected(parseBoolean('1'))).toMatch(/expected t or f/);
  });
});

describe('identifiers', () => {
  it('left-pads DUNS to 9 digits and rejects anything but digits', () => {
    expect(parseDuns('1903723')).toEqual({ ok: true, value: '001903723' });
    expect(parseDuns('94160959')).toEqual({ ok: true, value: '094160959' });
    expect(parseDuns('027079776')).toEqual({ ok: true, value: '027079776' });
    expect(parseDuns('')).toEqual({ ok: true, value: undefined });
    expect(rejected(parseDuns('3.62E+08'))).toMatch(/scientific notation/);
    expect(rejected(parseDuns('36213-0952'))).toMatch(/digits only/);
    expect(rejected(parseDuns('1234567890'))).toMatch(/more than 9 digits/);
  });

  it('checks UEIs and digit codes', () => {
    expect(parseUei('kabjzbbj4b54')).toEqual({ ok: true, value: 'KABJZBBJ4B54' });
    expect(rejected(parseUei('KABJZBBJ4B5'))).toMatch(/12-character UEI/);
    expect(parseDigitCode('541330', { min: 2, max: 6 })).toEqual({ ok: true, value: '541330' });
    expect(rejected(parseDigitCode('5.41E+05', { min: 2, max: 6 }))).toMatch(/scientific notation/);
    expect(rejected(parseDigitCode('54133A', { min: 2, max: 6 }))).toMatch(/2–6-digit code/);
  });
});

describe('errors and zod adapters', () => {
  it('unwrapValue throws a CsvValueError naming line and column', () => {
    expect(unwrapValue(parseAmount('12.5'), 'total_obligated_amount', '12.5', 7)).toBe(12.5);
    try {
      unwrapValue(parseIsoDate('3/28/2025'), 'period_of_performance_start_date', '3/28/2025', 7);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CsvValueError);
      const e = error as CsvValueError;
      expect(e.column).toBe('period_of_performance_start_date');
      expect(e.line).toBe(7);
      expect(e.value).toBe('3/28/2025');
      expect(e.message).toMatch(/^line 7, column period_of_performance_start_date: "3\/28\/2025" is a slash date/);
    }
  });

  it('csvField / csvRequired report rejections at the column path', () => {
    const schema = z.object({
      start: csvField((raw) => parseIsoDate(raw)),
      amount: csvRequired((raw) => parseAmount(raw), 'an amount'),
    });
    expect(schema.parse({ start: '', amount: '5' })).toEqual({ start: undefined, amount: 5 });
    const failed = schema.safeParse({ start: '43921', amount: '' });
    expect(failed.success).toBe(false);
    expect(failed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['start', '"43921" looks like a spreadsheet serial date, not YYYY-MM-DD'],
      ['amount', 'is empty, an amount is required'],
    ]);
  });
});
