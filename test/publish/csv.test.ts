/** toCsv writes in batches; the result must be one csv-stringify document, whatever the row count. */
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { csvChunks, toCsv } from '../../scripts/publish/csv.ts';

describe('toCsv', () => {
  it('gives the bytes of a single csv-stringify call across batch boundaries', () => {
    const rows = Array.from({ length: 25_003 }, (_, i) => [`row ${i}`, i % 7 === 0 ? 'has, comma' : i % 11 === 0 ? 'has "quote"' : i % 13 === 0 ? 'two\nlines' : 'plain', i, i % 2 === 0, -i / 4]);
    const expected = stringify([['name', 'text', 'n', 'even', 'amount'], ...rows.map((r) => r.map(String))], { record_delimiter: '\n', quoted_match: /[",\n\r]/ });
    expect(toCsv(['name', 'text', 'n', 'even', 'amount'], rows)).toBe(expected);
    expect(toCsv(['only'], [])).toBe('only\n');
    // Written to disk a batch at a time: the header, then 10,000 rows a chunk.
    const chunks = [...csvChunks(['name', 'text', 'n', 'even', 'amount'], rows)];
    expect(chunks).toHaveLength(4);
    expect(chunks.join('')).toBe(expected);
  });

  it('neutralises formula cells and drops control characters, but keeps negative numbers', () => {
    expect(toCsv(['a', 'b', 'c', 'd'], [['=cmd|calc', '-12.5', 'x\u0007y', undefined]])).toBe("a,b,c,d\n'=cmd|calc,-12.5,xy,\n");
  });
});
