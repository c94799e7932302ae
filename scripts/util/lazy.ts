/**
 * `items.map(f)` one item at a time, for a writer that consumes rows as it goes (CSV batches, the engine's
 * appender): a million rows are never all mapped and held at once.
 */
export function* mapLazily<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

/**
 * `f` over `items` with up to `ahead` calls in flight, results yielded in the items' order: reading many
 * small files one after another is mostly waiting, all at once could run out of file descriptors. A
 * failure is rethrown in its place, never as an unhandled rejection of a call nobody awaited yet.
 */
export async function* mapAhead<T, U>(items: readonly T[], ahead: number, f: (item: T) => Promise<U>): AsyncGenerator<U> {
  type Settled = { ok: true; value: U } | { ok: false; error: unknown };
  const settle = (item: T): Promise<Settled> =>
    f(item).then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
  const inFlight: Promise<Settled>[] = items.slice(0, ahead).map(settle);
  for (let i = 0; i < items.length; i++) {
    const next = i + ahead < items.length ? items[i + ahead] : undefined;
    const settled = await inFlight[i]!;
    if (next !== undefined) inFlight.push(settle(next));
    if (!settled.ok) throw settled.error;
    yield settled.value;
  }
}
