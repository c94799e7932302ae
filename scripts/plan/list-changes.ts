/**
 * Watchdog list changes: for each source and list, the names added and removed between two snapshots.
 * Pure functions. A removed name is only a fact about the list — a page reworded, a list dropped, an
 * entry moved to another list — never on its own evidence that a company dropped ICE, so every change
 * with removals is flagged for review.
 */
import type { MentionRecord } from '../records.ts';
import type { ListChange } from './types.ts';
import { compareText, looseKey } from '../util/text-key.ts';

/**
 * The name as compared between versions: Unicode-folded, case-folded, "&" read as "and", punctuation
 * and spacing ignored ("Servicenow" = "ServiceNow", "AT&T" = "AT and T"). Legal forms are kept: a list
 * that changes "Palantir" to "Palantir USG" changed what it says.
 */
export function listNameKey(name: string): string {
  return looseKey(name);
}

export interface DiffScope {
  /**
   * Only these sources are compared. Pass the sources whose fetch succeeded: a failed source is not an
   * empty one, and must never read as "every name removed".
   */
  sources?: Iterable<string>;
}

/** Display names per normalized key, per source+list. The first spelling in sort order wins. */
function index(records: MentionRecord[], sources: Set<string> | undefined): Map<string, { source: string; list: string; names: Map<string, string> }> {
  const out = new Map<string, { source: string; list: string; names: Map<string, string> }>();
  for (const record of records) {
    if (record.recordType !== 'mention') continue;
    if (sources && !sources.has(record.source)) continue;
    const groupKey = `${record.source}\u0000${record.list}`;
    let group = out.get(groupKey);
    if (!group) {
      group = { source: record.source, list: record.list, names: new Map() };
      out.set(groupKey, group);
    }
    const key = listNameKey(record.name);
    if (key === '') continue;
    const current = group.names.get(key);
    if (current === undefined || compareText(record.name, current) < 0) group.names.set(key, record.name);
  }
  return out;
}

function sortNames(names: string[]): string[] {
  return names.sort((a, b) => compareText(listNameKey(a), listNameKey(b)) || compareText(a, b));
}

/**
 * Per source and list, the names added and removed from `previous` to `next`. Lists with no change are
 * left out; a list present in only one side is all-added or all-removed. Sorted by source, list, name.
 */
export function diffLists(previous: MentionRecord[], next: MentionRecord[], scope: DiffScope = {}): ListChange[] {
  const sources = scope.sources === undefined ? undefined : new Set(scope.sources);
  const before = index(previous, sources);
  const after = index(next, sources);
  const changes: ListChange[] = [];
  for (const groupKey of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(groupKey);
    const now = after.get(groupKey);
    const group = (old ?? now)!;
    const added = [...(now?.names ?? new Map<string, string>()).entries()].filter(([key]) => !old?.names.has(key)).map(([, name]) => name);
    const removed = [...(old?.names ?? new Map<string, string>()).entries()].filter(([key]) => !now?.names.has(key)).map(([, name]) => name);
    if (added.length === 0 && removed.length === 0) continue;
    changes.push({
      source: group.source,
      list: group.list,
      added: sortNames(added),
      removed: sortNames(removed),
      needsReview: removed.length > 0,
    });
  }
  return changes;
}

export interface ListVersion {
  /** What identifies the version to a reader: the date it was seen, a commit, a file. */
  label: string;
  records: MentionRecord[];
}

export interface ListVersionStep {
  /** The previous version's label; undefined for the first version (compared with `initial`). */
  from?: string;
  to: string;
  changes: ListChange[];
}

/**
 * Applies versions in the order given, reporting what changed at each step: the first against
 * `initial` (nothing, by default), then each against the one before it.
 */
export function diffListVersions(versions: ListVersion[], initial: MentionRecord[] = [], scope: DiffScope = {}): ListVersionStep[] {
  const steps: ListVersionStep[] = [];
  let previous: ListVersion | undefined;
  for (const version of versions) {
    steps.push({
      ...(previous ? { from: previous.label } : {}),
      to: version.label,
      changes: diffLists(previous?.records ?? initial, version.records, scope),
    });
    previous = version;
  }
  return steps;
}
