import { describe, expect, it } from 'vitest';
import { CheckInputError, looksLikeCsv, parseCheckInput, parseNameCsv, parseNameList } from '../../scripts/check/input.ts';

describe('check input', () => {
  it('reads one name per line, skipping blanks and # comments, keeping line numbers', () => {
    expect(parseNameList('\ufeffAWS\r\n\r\n# partners\n  Twitch  \n')).toEqual([
      { name: 'AWS', line: 1 },
      { name: 'Twitch', line: 4 },
    ]);
  });

  it('removes control and bidi characters that would disguise a name', () => {
    expect(parseNameList('\u202eevil\u202c Corp\u0007')).toEqual([{ name: 'evil Corp', line: 1 }]);
  });

  it('reads a CSV by its header: name, website and UEI columns, quoted commas and newlines', () => {
    const csv = '\ufeffUEI,Company,Website\nabc123def456,"Booz Allen Hamilton, Inc.",boozallen.com\n,"Two\nLines",\n,,\n';
    expect(parseCheckInput(csv)).toEqual([
      { name: 'Booz Allen Hamilton, Inc.', line: 2, uei: 'ABC123DEF456', website: 'boozallen.com' },
      { name: 'Two Lines', line: 4 },
    ]);
  });

  it('tells a pasted list with commas from a CSV', () => {
    expect(looksLikeCsv('Booz Allen Hamilton, Inc.\nAWS')).toBe(false);
    expect(looksLikeCsv('name,website\nAWS,aws.amazon.com')).toBe(true);
    expect(looksLikeCsv('Booz Allen', 'list.csv')).toBe(true);
  });

  it('fails with the line when a CSV has no name column or a name is absurdly long', () => {
    expect(() => parseNameCsv('website,uei\na.com,X\n')).toThrow(/line 1: no name column/);
    expect(() => parseNameList(`ok\n${'x'.repeat(400)}`)).toThrow(CheckInputError);
    expect(() => parseNameList(`ok\n${'x'.repeat(400)}`)).toThrow(/line 2/);
    expect(() => parseNameCsv('name\n"unterminated\n')).toThrow(/not readable as CSV/);
  });
});
