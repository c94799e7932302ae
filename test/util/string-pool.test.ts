import { describe, expect, it } from 'vitest';
import { StringPool } from '../../scripts/util/string-pool.ts';

describe('StringPool', () => {
  it('shares one string per value of a column', () => {
    const pool = new StringPool();
    const a = pool.share('agency', ['ICE', ''].join(''));
    expect(pool.share('agency', `IC${'E'}`)).toBe(a);
    expect(pool.share('other', 'ICE')).toBe('ICE');
  });

  it('reads a repeated cell once per distinct text, keeps no failure, and shares what equal texts read to', () => {
    const pool = new StringPool();
    const calls: string[] = [];
    const parse = (raw: string) => {
      calls.push(raw);
      return raw === 'bad' ? ({ ok: false, message: 'bad cell' } as const) : ({ ok: true, value: raw.trim() || undefined } as const);
    };
    const first = pool.read('name', 'ACME ', parse);
    expect(first).toEqual({ ok: true, value: 'ACME' });
    expect(pool.read('name', 'ACME ', parse)).toBe(first);
    expect(pool.read('name', 'bad', parse)).toEqual({ ok: false, message: 'bad cell' });
    expect(pool.read('name', 'bad', parse)).toEqual({ ok: false, message: 'bad cell' });
    // Another spelling that reads to the same value gets the same string.
    const other = pool.read('name', ' ACME', parse);
    expect(other.ok && first.ok && other.value === first.value).toBe(true);
    expect(pool.read('name', '', parse)).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual(['ACME ', 'bad', 'bad', ' ACME', '']);
  });
});
