/**
 * `items.map(f)` one item at a time, for a writer that consumes rows as it goes (CSV batches, the engine's
 * appender): a million rows are never all mapped and held at once.
 */
export function* mapLazily<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}
