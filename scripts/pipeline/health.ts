import type { Config } from '../config.ts';
import type { SourceHealth } from '../plan/types.ts';
import type { SnapshotMeta } from '../snapshots/store.ts';
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
  if (outcome.result === 'fetched') return { ...base, state: 'ok' };
  if (outcome.result === 'failed') return { ...base, state: 'stale', ageDays, message: outcome.message };
  return ageDays > maxAge
    ? { ...base, state: 'stale', ageDays, message: outcome.message ?? `not refreshed for ${ageDays} days` }
    : { ...base, state: 'ok', ageDays, message: outcome.message };
}
