import { describe, expect, it } from 'vitest';
import { compactStableJsonChunks, stableJsonChunks } from '../../scripts/util/json-chunks.ts';
import { stableStringify } from '../../scripts/util/stable-json.ts';

describe('stableJsonChunks', () => {
  it('produces exactly the bytes of stableStringify(value, 2)', () => {
    const value = {
      z: [1, 'two', null, { b: true, a: [], c: {} }, [[]]],
      a: { nested: { deeper: ['x', 1.5, -0.25] }, skipped: undefined },
      text: 'quote " backslash \\ newline \n bidi \u202e',
      empty: [],
      none: {},
      date: '2026-11-27',
    };
    expect([...stableJsonChunks(value)].join('')).toBe(stableStringify(value, 2));
    expect([...stableJsonChunks([])].join('')).toBe('[]');
    expect([...stableJsonChunks('x')].join('')).toBe('"x"');
  });

  it('never builds one string for the whole document', () => {
    const big = { rows: Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}` })) };
    const chunks = [...stableJsonChunks(big)];
    expect(chunks.length).toBeGreaterThan(10_000);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(100);
    expect(chunks.join('')).toBe(stableStringify(big, 2));
  });

  it('compactStableJsonChunks gives the one-line bytes of stableStringify(value) at every split depth', () => {
    const value = {
      z: [1, 'two', null, undefined, { b: true, a: [], c: {} }, [[]]],
      a: { nested: { deeper: ['x', 1.5, -0.25] }, skipped: undefined, fn: () => 1 },
      text: 'quote " backslash \\ newline \n bidi \u202e',
      when: new Date(Date.UTC(2026, 11, 4)),
      empty: [],
      none: {},
    };
    for (const depth of [0, 1, 2, 3, 4, 10]) {
      expect([...compactStableJsonChunks(value, depth)].join('')).toBe(stableStringify(value));
    }
    for (const scalar of ['x', 0, null, true]) expect([...compactStableJsonChunks(scalar)].join('')).toBe(JSON.stringify(scalar));
    // Split as asked: a company's award list is one piece per award at depth 3, never one string.
    const index = { awards: { acme: Array.from({ length: 1000 }, (_, i) => [`k${i}`, null, 1.5]) }, asOf: '2026-12-04' };
    const pieces = [...compactStableJsonChunks(index, 3)];
    expect(pieces.length).toBeGreaterThan(1000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(30);
    expect(pieces.join('')).toBe(stableStringify(index));
  });
});
