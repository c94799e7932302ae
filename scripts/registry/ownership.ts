/**
 * Ownership in time: the date ranges the registry attaches to units, parents, product terms and
 * identifiers, shared by the validator and the matcher so both read `since`/`until` the same way.
 *
 * A range is half-open, [since, until): `since` is the first day (an acquisition's closing date),
 * `until` the first day it no longer holds (the next owner's `since`). Dates are YYYY-MM-DD, which
 * compare correctly as strings.
 */
import type { Identifier } from './schema.ts';

export interface DateRange {
  since?: string;
  until?: string;
}

/** Whether `date` falls in the range. A record without a date is read as of now: only open-ended ranges hold. */
export function inRange(range: DateRange, date: string | undefined): boolean {
  if (date === undefined) return range.until === undefined;
  if (range.since !== undefined && date < range.since) return false;
  if (range.until !== undefined && date >= range.until) return false;
  return true;
}

export function isDated(range: DateRange): boolean {
  return range.since !== undefined || range.until !== undefined;
}

/** Two ranges share at least one day. Open ends reach forever. */
export function overlaps(a: DateRange, b: DateRange): boolean {
  const aStartsBeforeBEnds = a.since === undefined || b.until === undefined || a.since < b.until;
  const bStartsBeforeAEnds = b.since === undefined || a.until === undefined || b.since < a.until;
  return aStartsBeforeBEnds && bStartsBeforeAEnds;
}

/** The days in both ranges (may be empty: since ≥ until). */
export function intersect(a: DateRange, b: DateRange): DateRange {
  const since = a.since === undefined ? b.since : b.since === undefined ? a.since : a.since > b.since ? a.since : b.since;
  const until = a.until === undefined ? b.until : b.until === undefined ? a.until : a.until < b.until ? a.until : b.until;
  return { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

/** `a` lies wholly inside `b`. */
export function within(a: DateRange, b: DateRange): boolean {
  const startOk = b.since === undefined || (a.since !== undefined && a.since >= b.since);
  const endOk = b.until === undefined || (a.until !== undefined && a.until <= b.until);
  return startOk && endOk;
}

/** The day after an ISO date (validTo is inclusive, `until` is not). */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** An identifier's range, from `since`/`until` or the older inclusive `validFrom`/`validTo`. */
export function identifierRange(id: Pick<Identifier, 'since' | 'until' | 'validFrom' | 'validTo'>): DateRange {
  const since = id.since ?? id.validFrom;
  const until = id.until ?? (id.validTo === undefined ? undefined : nextDay(id.validTo));
  return { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

export function rangeOf(x: { since?: string | undefined; until?: string | undefined }): DateRange {
  return { ...(x.since === undefined ? {} : { since: x.since }), ...(x.until === undefined ? {} : { until: x.until }) };
}

export function describeRange(range: DateRange): string {
  if (range.since !== undefined && range.until !== undefined) return `from ${range.since} until ${range.until}`;
  if (range.since !== undefined) return `since ${range.since}`;
  if (range.until !== undefined) return `until ${range.until}`;
  return 'at all times';
}
