import { compareText } from './text-key.ts';

/**
 * Appending to a map of lists in place. (`map.set(k, [...(map.get(k) ?? []), v])` copies the list on every
 * call: quadratic, and minutes at a million rows.)
 */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Appends every value; the map never holds `values` itself, so later appends cannot reach the caller's list. */
export function appendAll<K, V>(map: Map<K, V[]>, key: K, values: readonly V[]): void {
  const list = map.get(key);
  if (!list) map.set(key, [...values]);
  else for (const v of values) list.push(v);
}

/**
 * One item per key, in key order: a stable sort on the key, then each run of one key settled in input
 * order (`replaces(candidate, current)` decides; the earlier stays when it says no). No map of every key
 * is built, and input already in sorted runs costs the sort little.
 */
export function bestByKey<T>(items: readonly T[], keyOf: (item: T) => string, replaces: (candidate: T, current: T) => boolean): T[] {
  const sorted = items.slice().sort((a, b) => compareText(keyOf(a), keyOf(b)));
  const out: T[] = [];
  let lastKey: string | undefined;
  for (const item of sorted) {
    const key = keyOf(item);
    if (out.length > 0 && key === lastKey) {
      if (replaces(item, out[out.length - 1]!)) out[out.length - 1] = item;
      continue;
    }
    out.push(item);
    lastKey = key;
  }
  return out;
}
