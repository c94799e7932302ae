/**
 * An object without its undefined members, so a record serializes (and hashes) the same whichever path
 * built it. A loop rather than Object.fromEntries(Object.entries().filter()): it runs several times for
 * every row of a download and every award read from the store.
 */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}
