import { describe, expect, it } from 'vitest';
import { appendAll, appendTo } from '../../scripts/util/group.ts';

describe('appendTo / appendAll', () => {
  it('groups in arrival order', () => {
    const map = new Map<string, number[]>();
    for (const [k, v] of [['a', 1], ['b', 2], ['a', 3]] as const) appendTo(map, k, v);
    expect([...map]).toEqual([['a', [1, 3]], ['b', [2]]]);
  });

  it('never lets two keys share the caller\'s list', () => {
    const map = new Map<string, number[]>();
    const shared = [1, 2];
    appendAll(map, 'x', shared);
    appendAll(map, 'y', shared);
    appendAll(map, 'x', [3]);
    expect(map.get('x')).toEqual([1, 2, 3]);
    expect(map.get('y')).toEqual([1, 2]);
    expect(shared).toEqual([1, 2]);
  });
});
