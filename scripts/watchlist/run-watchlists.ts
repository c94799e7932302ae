/**
 * The run's watch-list step, after the plan: read each list's history, plan its events, feed and issue
 * comment, then write the feeds and histories together (atomic; unchanged files are not touched).
 */
import { readFile } from 'node:fs/promises';
import { createMatcher } from '../match/matcher.ts';
import type { Plan } from '../plan/types.ts';
import type { Registry } from '../registry/schema.ts';
import { IcewatchError, RegistryError } from '../util/errors.ts';
import { writeFilesAtomic } from '../util/atomic-fs.ts';
import { loadWatchlists, type Watchlist } from './load.ts';
import { parseWatchlistState, planWatchlist, watchlistStatePath, type WatchlistOutcome } from './outputs.ts';

/** Watch lists that fail validation stop the run before anything is fetched, as a broken registry does. */
export async function loadValidWatchlists(dataDir: string, log: (m: string) => void = () => {}): Promise<Watchlist[]> {
  const { watchlists, problems } = await loadWatchlists(dataDir);
  for (const w of problems.filter((p) => p.severity === 'warning')) log(`warning: ${w.file}:${w.line}: ${w.message}`);
  if (problems.some((p) => p.severity === 'error')) throw new RegistryError(problems);
  return watchlists;
}

export async function planWatchlists(dataDir: string, registry: Registry, plan: Plan, watchlists: readonly Watchlist[]): Promise<WatchlistOutcome[]> {
  const matcher = createMatcher(registry.companies);
  const outcomes: WatchlistOutcome[] = [];
  for (const watchlist of watchlists) {
    const path = watchlistStatePath(dataDir, watchlist.id);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new IcewatchError(`${path}: cannot read the watch list's history (${error.code ?? error.message})`);
    });
    const previous = parseWatchlistState(text);
    // A damaged history would silently re-announce old events and drop them from the feed: stop instead.
    if (text !== undefined && !previous) {
      throw new IcewatchError(`${path}: not a watch-list history this version reads; restore it from git (git checkout -- ${path}) or delete it to start the list's feed afresh`);
    }
    outcomes.push(planWatchlist(watchlist, { registry, plan, dataDir, previous, matcher }));
  }
  return outcomes;
}

export async function writeWatchlistOutputs(outcomes: readonly WatchlistOutcome[]): Promise<string[]> {
  return writeFilesAtomic(outcomes.flatMap((o) => o.files));
}
