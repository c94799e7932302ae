import type { Config } from '../config.ts';
import type { SourceHealth } from '../plan/types.ts';
import type { SnapshotMeta } from '../snapshots/store.ts';
import { describeShortfall } from '../sources/types.ts';
import type { SourceDefinition } from '../sources/types.ts';

const DAY_MS = 86_400_000;

export interface SourceOutcome {
  /** 'fetched' this run, 'skipped' (offline / not asked), or 'failed' with a message. */
  result: 'fetched' | 'skipped' | 'failed';
  message?: string;
}

/**
 * ok: refreshed this run, or (when the run did not try) younger than the configured age.
 * stale: not refreshed, last good snapshot used. failed: nothing usable at all.
 */
export function sourceHealth(
  source: SourceDefinition,
  meta: SnapshotMeta | undefined,
  outcome: SourceOutcome,
  config: Config,
  now: Date,
): SourceHealth {
  const maxAge = config.health.staleAfterDays[source.kind];
  const base = {
    source: source.id,
    title: source.title,
    records: meta?.recordCount ?? 0,
    lastSuccess: meta?.retrievedAt,
    staleAfter: meta ? new Date(Date.parse(meta.retrievedAt) + maxAge * DAY_MS).toISOString().slice(0, 10) : undefined,
    sourceState: meta?.state,
    contentHash: meta?.contentHash,
    origin: meta?.origins.join(', '),
  };
  if (!meta) {
    return { ...base, state: 'failed', message: outcome.message ?? 'no snapshot yet' };
  }
  const ageDays = Math.max(0, Math.floor((now.getTime() - Date.parse(meta.retrievedAt)) / DAY_MS));
  // A short fetch is reported as such for as long as it is the latest one; only a complete fetch clears it.
  const partial = meta.shortfalls && meta.shortfalls.length > 0 ? `partial: ${meta.shortfalls.map(describeShortfall).join('; ')}` : undefined;
  const removed = removalNote(meta);
  if (outcome.result === 'fetched') {
    const changes = meta.lastChange && meta.lastChange.length > 0 ? { storeChanges: meta.lastChange } : {};
    return partial
      ? { ...base, ...changes, state: 'partial', message: [partial, removed].filter(Boolean).join('; ') }
      : { ...base, ...changes, state: 'ok', ...(removed ? { message: removed } : {}) };
  }
  if (outcome.result === 'failed') return { ...base, state: 'stale', ageDays, message: outcome.message };
  if (ageDays > maxAge) return { ...base, state: 'stale', ageDays, message: outcome.message ?? `not refreshed for ${ageDays} days` };
  if (partial) return { ...base, state: 'partial', ageDays, message: [partial, outcome.message].filter(Boolean).join('; ') };
  return { ...base, state: 'ok', ageDays, message: outcome.message };
}

/** "removed 2 record(s) deleted upstream: KEY (reason); …" for the report's note column. */
function removalNote(meta: SnapshotMeta): string | undefined {
  const removals = meta.removals ?? [];
  if (removals.length === 0) return undefined;
  const shown = removals.slice(0, 5).map((r) => `${r.key} (${r.reason})`);
  return `removed ${removals.length} record(s) deleted upstream: ${shown.join('; ')}${removals.length > shown.length ? ' …' : ''}`;
}
