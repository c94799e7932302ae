/**
 * The matcher a user might write instead of icewatch's: fuse.js fuzzy search over every registry name
 * (name, legal names, strong and weak aliases, subsidiary names and their aliases), taking the best hit
 * when its score is within a threshold. fuse.js scores 0 for a perfect match and 1 for none.
 *
 * The search runs once per distinct recipient name at the loosest threshold evaluated; the best hit and its
 * score then give the prediction at every tighter threshold too (a tighter threshold only drops hits), so
 * several thresholds cost one search. Results are the same as calling fuse per record; only the timing
 * is taken per search actually run.
 */
import Fuse from 'fuse.js';
import type { Company } from '../scripts/registry/schema.ts';

export interface FuseEntry {
  companyId: string;
  text: string;
}

export interface FuseHit {
  companyId: string;
  /** fuse.js score of the best hit: 0 perfect … 1 no match. */
  score: number;
}

/** The thresholds reported; fuse.js documents 0.6 as its default. */
export const FUSE_THRESHOLDS = [0.2, 0.3, 0.4] as const;

export function fuseEntries(companies: readonly Company[]): FuseEntry[] {
  const entries: FuseEntry[] = [];
  for (const c of companies) {
    const names = new Set([
      c.name,
      ...(c.aliases?.legal ?? []),
      ...(c.aliases?.strong ?? []),
      ...(c.aliases?.weak ?? []),
      ...(c.subsidiaries ?? []).flatMap((s) => [s.name, ...(s.aliases ?? [])]),
    ]);
    for (const text of names) entries.push({ companyId: c.id, text });
  }
  return entries;
}

export class FuseBaseline {
  private readonly fuse: Fuse<FuseEntry>;
  private readonly memo = new Map<string, FuseHit | null>();
  /** Searches actually run and the time they took. */
  searches = 0;
  searchMs = 0;
  readonly entries: number;

  constructor(
    companies: readonly Company[],
    readonly threshold: number = Math.max(...FUSE_THRESHOLDS),
  ) {
    const entries = fuseEntries(companies);
    this.entries = entries.length;
    this.fuse = new Fuse(entries, { keys: ['text'], includeScore: true, threshold });
  }

  /** Best hit for a recipient name, or null when nothing is within the threshold. */
  best(name: string): FuseHit | null {
    const known = this.memo.get(name);
    if (known !== undefined) return known;
    const start = performance.now();
    const [top] = this.fuse.search(name, { limit: 1 });
    this.searchMs += performance.now() - start;
    this.searches++;
    const hit = top && top.score !== undefined ? { companyId: top.item.companyId, score: top.score } : null;
    this.memo.set(name, hit);
    return hit;
  }
}
