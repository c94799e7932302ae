import { describe, expect, it } from 'vitest';
import { stableJsonChunks } from '../../scripts/util/json-chunks.ts';
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
});
