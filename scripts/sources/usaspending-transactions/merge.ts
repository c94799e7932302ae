/**
 * How a fetch or import lands in the snapshot. A listing (agency × fiscal year × group) that comes with
 * its coverage replaces that listing as a whole, so a transaction the API no longer lists goes too, with
 * two exceptions that keep what is stored: a complete listing is never replaced by an incomplete or a
 * shorter one, and an incomplete one never by a shorter incomplete one. Transactions that arrive without
 * coverage (a single page imported with --from) are added by key; awards (from /api/v2/awards/{id}/) are
 * upserted by award key.
 */
import { recordKey, type CoverageRecord, type SourceRecord } from '../../records.ts';
import { stableStringify } from '../../util/stable-json.ts';
import type { MergeResult } from '../types.ts';
import { writeCheckpoint } from './fetch.ts';
import { groupOfAwardKey } from './parse.ts';

export function listingId(record: { awardingAgencyCode: string; fiscalYear: number }, group: string): string {
  return `${record.awardingAgencyCode}/${record.fiscalYear}/${group}`;
}

function listingOf(record: SourceRecord): string | undefined {
  if (record.recordType === 'coverage') return listingId(record, record.group);
  if (record.recordType === 'transaction') return listingId(record, groupOfAwardKey(record.awardKey));
  return undefined;
}

/** Why a fresh listing may not replace the stored one, or undefined when it may. */
export function refusal(stored: CoverageRecord | undefined, fresh: CoverageRecord): string | undefined {
  if (!stored) return undefined;
  const what = `${fresh.rows} row(s)${fresh.complete ? '' : `, incomplete${fresh.expected !== undefined ? ` (${fresh.expected} expected)` : ''}`}`;
  if (stored.complete) {
    if (fresh.complete && fresh.rows >= stored.rows) return undefined;
    return `came back with ${what} where the stored complete listing has ${stored.rows}; keeping the complete one`;
  }
  if (fresh.complete || fresh.rows >= stored.rows) return undefined;
  return `came back with ${what} where the stored (incomplete) listing has ${stored.rows}; keeping the longer one`;
}

export function mergeTransactionSnapshot(previous: SourceRecord[], fresh: SourceRecord[], log: (m: string) => void): MergeResult {
  const storedCoverage = new Map<string, CoverageRecord>();
  for (const r of previous) if (r.recordType === 'coverage') storedCoverage.set(listingOf(r)!, r);
  const replaced = new Set<string>();
  const refused = new Set<string>();
  for (const r of fresh) {
    if (r.recordType !== 'coverage') continue;
    const id = listingOf(r)!;
    const why = refusal(storedCoverage.get(id), r);
    if (why) {
      refused.add(id);
      log(`usaspending-transactions: ${id} ${why}`);
    } else replaced.add(id);
  }

  const result = new Map<string, SourceRecord>();
  for (const r of previous) {
    const id = listingOf(r);
    if (id !== undefined && replaced.has(id)) continue;
    result.set(recordKey(r), r);
  }
  for (const r of fresh) {
    const id = listingOf(r);
    if (id !== undefined && refused.has(id)) continue;
    result.set(recordKey(r), r);
  }

  const before = new Map(previous.map((r) => [recordKey(r), stableStringify(r)]));
  let added = 0;
  let updated = 0;
  for (const [key, r] of result) {
    const old = before.get(key);
    if (old === undefined) added += 1;
    else if (old !== stableStringify(r)) updated += 1;
  }
  const removed = [...before.keys()].filter((k) => !result.has(k)).length;
  const records = [...result.values()];
  const complete = records.flatMap((r) => (r.recordType === 'coverage' && r.complete ? [listingOf(r)!] : []));
  return { records, added, updated, removed, checkpoint: writeCheckpoint(complete) };
}
