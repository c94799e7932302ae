/**
 * One string per distinct value of a column, for the records a parse or a store read builds. Every cell
 * arrives from the engine or a CSV as its own string; a million awards held "U.S. Immigration and Customs
 * Enforcement" a million times over.
 */
export class StringPool {
  // One map per column: the agency and date columns' maps stay small enough to sit in cache, whatever
  // the recipient columns' hold.
  private readonly columns = new Map<string, Map<string, string>>();

  private readonly reads = new Map<string, Map<string, { ok: true; value: unknown }>>();

  /**
   * `parse(raw)` for a cell of a column whose values repeat, read once per distinct raw text: a million
   * rows of one agency name or one date are parsed a few thousand times, not a million. Only successes are
   * kept (a failing cell is the rare row that goes on to the schema for its message); a string value is
   * shared as `share` would. `parse` must be a function of the text alone.
   */
  read<T>(column: string, raw: string, parse: (raw: string) => { ok: true; value: T } | { ok: false; message: string }): { ok: true; value: T } | { ok: false; message: string } {
    let known = this.reads.get(column);
    if (!known) this.reads.set(column, (known = new Map()));
    const held = known.get(raw);
    if (held !== undefined) return held as { ok: true; value: T };
    const result = parse(raw);
    if (!result.ok) return result;
    const kept = { ok: true as const, value: (typeof result.value === 'string' ? this.share(column, result.value) : result.value) as T };
    known.set(raw, kept);
    return kept;
  }

  share(column: string, value: string): string {
    let values = this.columns.get(column);
    if (!values) this.columns.set(column, (values = new Map()));
    const held = values.get(value);
    if (held !== undefined) return held;
    values.set(value, value);
    return value;
  }
}
