/**
 * Precision and recall of the matcher on a labelled set shaped like ../shared/matching/dev-cases.csv:
 * recipient_name, recipient_uei, recipient_duns, parent_name, parent_uei, description,
 * expected_company, expected_relation (`none` when no registry company may match), source.
 * Optional columns recipient_cage, parent_duns and date are used when present.
 *
 * Scoring, per row: the matcher's matches at or above `threshold` (default 0.9, what may drive a proposal)
 * are its predictions. The expected (company, relation) is found when a prediction has both; a prediction
 * that is not the expected pair is a false alarm (a right company with the wrong relation is one miss and
 * one false alarm). One exception, so that a reseller award can be labelled by the brand it carries: a
 * `direct`/`subsidiary` prediction for a registry *reseller* that the row does not label (Four Points
 * being Four Points, Dell Federal Systems being Dell on an Azure resale) is listed as `unscored`, not
 * counted either way. A wrong reseller match is still visible there.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { Company } from '../registry/schema.ts';
import { PROPOSAL_THRESHOLD, type Match, type MatchInput, type Matcher, type Relation } from './types.ts';

export const RELATIONS: readonly Relation[] = ['direct', 'subsidiary', 'via-reseller'];

export interface ExpectedMatch {
  companyId: string;
  relation: Relation;
}

export interface MatchCase {
  /** 1-based line of the row in its file (its last line when a quoted field spans lines). */
  line: number;
  input: MatchInput;
  /** Undefined for `none`: no registry company may be matched. */
  expected?: ExpectedMatch;
  /** The `source` column: where the row comes from. */
  note?: string;
}

export class MatchCaseError extends Error {
  override name = 'MatchCaseError';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

const REQUIRED_COLUMNS = ['recipient_name', 'expected_company', 'expected_relation'] as const;

const INPUT_COLUMNS: ReadonlyArray<[keyof MatchInput, string]> = [
  ['uei', 'recipient_uei'],
  ['duns', 'recipient_duns'],
  ['cage', 'recipient_cage'],
  ['parentName', 'parent_name'],
  ['parentUei', 'parent_uei'],
  ['parentDuns', 'parent_duns'],
  ['description', 'description'],
  ['date', 'date'],
];

/** Parse a labelled CSV (RFC 4180, header row) into cases; a bad label is an error naming its line. */
export function parseMatchCases(csv: string, file = 'input.csv'): MatchCase[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(csv, { bom: true, info: true, skip_empty_lines: true }) as unknown as typeof rows;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error['lines'] === 'number' ? error['lines'] : 0;
      throw new MatchCaseError(file, line, error.message);
    }
    throw error;
  }
  const header = rows[0]?.record.map((h) => h.trim());
  if (!header) return [];
  for (const column of REQUIRED_COLUMNS) {
    if (!header.includes(column)) throw new MatchCaseError(file, 1, `missing column "${column}"`);
  }
  const at = (record: string[], column: string): string | undefined => {
    const i = header.indexOf(column);
    const value = i < 0 ? undefined : record[i]?.trim();
    return value ? value : undefined;
  };

  const cases: MatchCase[] = [];
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines;
    const name = at(record, 'recipient_name');
    if (!name) throw new MatchCaseError(file, line, 'recipient_name is empty');
    const input: MatchInput = { name };
    for (const [field, column] of INPUT_COLUMNS) {
      const value = at(record, column);
      if (value !== undefined) input[field] = value;
    }
    const company = at(record, 'expected_company');
    const relation = at(record, 'expected_relation') ?? 'none';
    let expected: ExpectedMatch | undefined;
    if (relation === 'none') {
      if (company) throw new MatchCaseError(file, line, `expected_relation is "none" but expected_company is "${company}"`);
    } else {
      if (!(RELATIONS as readonly string[]).includes(relation)) {
        throw new MatchCaseError(file, line, `expected_relation "${relation}" is not one of ${[...RELATIONS, 'none'].join(', ')}`);
      }
      if (!company) throw new MatchCaseError(file, line, `expected_relation is "${relation}" but expected_company is empty`);
      expected = { companyId: company, relation: relation as Relation };
    }
    const note = at(record, 'source');
    cases.push({ line, input, ...(expected ? { expected } : {}), ...(note ? { note } : {}) });
  }
  return cases;
}

export interface Score {
  /** Expected pairs. */
  expected: number;
  /** Predictions counted (unscored ones excluded). */
  predicted: number;
  /** Predictions that were the expected pair. */
  correct: number;
  /** correct / predicted; null when nothing was predicted. */
  precision: number | null;
  /** correct / expected; null when nothing was expected. */
  recall: number | null;
}

export interface CaseOutcome {
  line: number;
  name: string;
  expected?: ExpectedMatch;
  match?: Match;
  note?: string;
}

export interface Evaluation {
  threshold: number;
  cases: number;
  overall: Score;
  byRelation: Record<Relation, Score>;
  /** Expected pairs the matcher did not predict (with the best match it had for that company, if any). */
  misses: CaseOutcome[];
  /** Predictions that were not expected. */
  falseAlarms: CaseOutcome[];
  /** Unlabelled direct/subsidiary predictions for registry resellers (see the module comment). */
  unscored: CaseOutcome[];
  /** Matches below the threshold (the review queue), for information. */
  review: CaseOutcome[];
  /** Each row with every match the matcher returned. */
  rows: Array<{ line: number; input: MatchInput; expected?: ExpectedMatch; matches: Match[] }>;
}

export interface EvaluateOptions {
  threshold?: number;
  /** Registry ids whose roles include `reseller` (see resellerIds()). */
  resellerIds?: ReadonlySet<string>;
}

/** The ids of registry companies that act as resellers. */
export function resellerIds(companies: readonly Company[]): Set<string> {
  return new Set(companies.filter((c) => c.roles.includes('reseller')).map((c) => c.id));
}

function score(expected: number, predicted: number, correct: number): Score {
  return {
    expected,
    predicted,
    correct,
    precision: predicted === 0 ? null : correct / predicted,
    recall: expected === 0 ? null : correct / expected,
  };
}

export function evaluate(cases: readonly MatchCase[], matcher: Matcher, options: EvaluateOptions = {}): Evaluation {
  const threshold = options.threshold ?? PROPOSAL_THRESHOLD;
  const resellers = options.resellerIds ?? new Set<string>();
  const counts = Object.fromEntries(RELATIONS.map((r) => [r, { expected: 0, predicted: 0, correct: 0 }])) as Record<
    Relation,
    { expected: number; predicted: number; correct: number }
  >;
  const misses: CaseOutcome[] = [];
  const falseAlarms: CaseOutcome[] = [];
  const unscored: CaseOutcome[] = [];
  const review: CaseOutcome[] = [];
  const rows: Evaluation['rows'] = [];

  for (const c of cases) {
    const matches = matcher.match(c.input);
    rows.push({ line: c.line, input: c.input, ...(c.expected ? { expected: c.expected } : {}), matches });
    const base = { line: c.line, name: c.input.name, ...(c.expected ? { expected: c.expected } : {}), ...(c.note ? { note: c.note } : {}) };
    const predictions = matches.filter((m) => m.confidence >= threshold);
    for (const m of matches) if (m.confidence < threshold) review.push({ ...base, match: m });

    const isExpected = (m: Match) => c.expected !== undefined && m.companyId === c.expected.companyId && m.relation === c.expected.relation;
    if (c.expected) {
      counts[c.expected.relation].expected++;
      if (!predictions.some(isExpected)) {
        const nearest = matches.find((m) => m.companyId === c.expected!.companyId);
        misses.push({ ...base, ...(nearest ? { match: nearest } : {}) });
      }
    }
    for (const m of predictions) {
      if (isExpected(m)) {
        counts[m.relation].predicted++;
        counts[m.relation].correct++;
      } else if (m.relation !== 'via-reseller' && resellers.has(m.companyId) && m.companyId !== c.expected?.companyId) {
        unscored.push({ ...base, match: m });
      } else {
        counts[m.relation].predicted++;
        falseAlarms.push({ ...base, match: m });
      }
    }
  }

  const byRelation = Object.fromEntries(
    RELATIONS.map((r) => [r, score(counts[r].expected, counts[r].predicted, counts[r].correct)]),
  ) as Record<Relation, Score>;
  const total = RELATIONS.reduce(
    (acc, r) => ({
      expected: acc.expected + counts[r].expected,
      predicted: acc.predicted + counts[r].predicted,
      correct: acc.correct + counts[r].correct,
    }),
    { expected: 0, predicted: 0, correct: 0 },
  );
  return {
    threshold,
    cases: cases.length,
    overall: score(total.expected, total.predicted, total.correct),
    byRelation,
    misses,
    falseAlarms,
    unscored,
    review,
    rows,
  };
}
