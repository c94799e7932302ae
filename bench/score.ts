/**
 * Precision and recall on the labelled rows. A row expects a set of (company, relation) pairs (empty when
 * the recipient is no registry company); a prediction is one pair. Counting is per pair, so a right company
 * with the wrong relation is one miss and one false alarm, and a reseller award that should give both the
 * reseller (direct) and the brand (via-reseller) needs both.
 *
 * The fuse.js baseline has no notion of relation, so both matchers are also scored by company alone
 * (`company` level): the expected and predicted sets are reduced to company ids.
 */
import type { ExpectedPair, RowKind } from './generate.ts';

export interface Score {
  rows: number;
  expected: number;
  predicted: number;
  correct: number;
  /** correct / predicted; null when nothing was predicted. */
  precision: number | null;
  /** correct / expected; null when nothing was expected. */
  recall: number | null;
}

export interface ScoredRow {
  kind: RowKind;
  expected: readonly ExpectedPair[];
  predicted: readonly ExpectedPair[];
}

export type Level = 'pair' | 'company';

function keysOf(pairs: readonly ExpectedPair[], level: Level): Set<string> {
  return new Set(pairs.map((p) => (level === 'pair' ? `${p.companyId}\u0000${p.relation}` : p.companyId)));
}

export function score(rows: readonly ScoredRow[], level: Level): Score {
  let expected = 0;
  let predicted = 0;
  let correct = 0;
  for (const row of rows) {
    const want = keysOf(row.expected, level);
    const got = keysOf(row.predicted, level);
    expected += want.size;
    predicted += got.size;
    for (const key of got) if (want.has(key)) correct++;
  }
  return {
    rows: rows.length,
    expected,
    predicted,
    correct,
    precision: predicted === 0 ? null : correct / predicted,
    recall: expected === 0 ? null : correct / expected,
  };
}

/** Pair-level score per row kind, to show which spelling patterns cost recall or precision. */
export function scoreByKind(rows: readonly ScoredRow[], level: Level): Partial<Record<RowKind, Score>> {
  const groups = new Map<RowKind, ScoredRow[]>();
  for (const row of rows) {
    const list = groups.get(row.kind);
    if (list) list.push(row);
    else groups.set(row.kind, [row]);
  }
  const out: Partial<Record<RowKind, Score>> = {};
  for (const [kind, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) out[kind] = score(list, level);
  return out;
}

/**
 * Pair-level score per relation (direct, subsidiary, via-reseller): expected pairs of the relation
 * against predicted pairs of the relation, so a wrong relation costs both sides, as in `match --evaluate`.
 */
export function scoreByRelation(rows: readonly ScoredRow[]): Record<string, Score> {
  const out: Record<string, Score> = {};
  for (const relation of ['direct', 'subsidiary', 'via-reseller'] as const) {
    const only = (pairs: readonly ExpectedPair[]) => pairs.filter((p) => p.relation === relation);
    out[relation] = score(rows.map((r) => ({ ...r, expected: only(r.expected), predicted: only(r.predicted) })), 'pair');
  }
  return out;
}

export function f1(s: Score): number | null {
  if (s.precision === null || s.recall === null || s.precision + s.recall === 0) return null;
  return (2 * s.precision * s.recall) / (s.precision + s.recall);
}

/**
 * Score of a stratified sample scaled to the whole: each kind's counts are multiplied by
 * (rows of that kind in the whole) / (rows of that kind sampled). Used where a slow matcher can only
 * be run on a few rows of each kind, so that rare kinds (near misses) are not left out of the sample and
 * common ones (unknown recipients) still weigh what they weigh in the data.
 */
export function weightedScore(rows: readonly ScoredRow[], totals: Readonly<Partial<Record<RowKind, number>>>, level: Level): Score {
  const sampled = new Map<RowKind, number>();
  for (const row of rows) sampled.set(row.kind, (sampled.get(row.kind) ?? 0) + 1);
  let expected = 0;
  let predicted = 0;
  let correct = 0;
  let represented = 0;
  for (const [kind, s] of scoreEntries(rows, level)) {
    const weight = (totals[kind] ?? 0) / (sampled.get(kind) ?? 1);
    expected += s.expected * weight;
    predicted += s.predicted * weight;
    correct += s.correct * weight;
    represented += s.rows * weight;
  }
  return {
    rows: Math.round(represented),
    expected,
    predicted,
    correct,
    precision: predicted === 0 ? null : correct / predicted,
    recall: expected === 0 ? null : correct / expected,
  };
}

function scoreEntries(rows: readonly ScoredRow[], level: Level): Array<[RowKind, Score]> {
  return Object.entries(scoreByKind(rows, level)) as Array<[RowKind, Score]>;
}
