/**
 * One string per distinct value of a column, for the records a parse or a store read builds. Every cell
 * arrives from the engine or a CSV as its own string; a million awards held "U.S. Immigration and Customs
 * Enforcement" a million times over.
 */
export class StringPool {
  // One map per column: the agency and date columns' maps stay small enough to sit in cache, whatever
  // the recipient columns' hold.
  private readonly columns = new Map<string, Map<string, string>>();

  share(column: string, value: string): string {
    let values = this.columns.get(column);
    if (!values) this.columns.set(column, (values = new Map()));
    const held = values.get(value);
    if (held !== undefined) return held;
    values.set(value, value);
    return value;
  }
}
