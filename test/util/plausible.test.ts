/** isCalendarDate is arithmetic now; JavaScript's own calendar (Date.UTC round trip) is the reference it is held to. */
import { describe, expect, it } from 'vitest';
import { isCalendarDate, isPlausibleDate } from '../../scripts/util/plausible.ts';

function byDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

describe('isCalendarDate', () => {
  it('agrees with the Date round trip on every day of several years and on malformed text', () => {
    const samples = ['', '2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29', '2100-02-29', '0099-01-01', '0100-01-01', '0000-00-00', '2024-13-01', '2024-00-10', '2024-04-31',
      '2024-4-30', '2024-04-3', ' 2024-04-30', '2024-04-30 ', '2024/04/30', '２０２４-04-30', '2024-04-3a', '20240430', '9999-12-31', '2024-04-30T00:00'];
    for (const year of ['0100', '1899', '1900', '1996', '2000', '2023', '2024', '2100', '2400', '9999']) {
      for (let m = 0; m <= 13; m++) for (let d = 0; d <= 32; d++) samples.push(`${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    }
    let valid = 0;
    for (const s of samples) {
      expect([s, isCalendarDate(s)]).toEqual([s, byDate(s)]);
      if (byDate(s)) valid++;
    }
    expect(valid).toBeGreaterThan(3000);
  });

  it('keeps plausible dates within 1900–2100', () => {
    expect(isPlausibleDate('1899-12-31')).toBe(false);
    expect(isPlausibleDate('1900-01-01')).toBe(true);
    expect(isPlausibleDate('2100-12-31')).toBe(true);
    expect(isPlausibleDate('2101-01-01')).toBe(false);
    expect(isPlausibleDate('9999-12-31')).toBe(false);
  });
});
