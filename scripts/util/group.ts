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
