/**
 * The fault suite's ledger: every case records whether it survived (its assertions held) and whether
 * data was lost (a "nothing lost" comparison failed). The suite prints one summary table at the end.
 * All cases live in one test file (faults.test.ts), so one module-level array sees them all.
 */
import { expect, it } from 'vitest';
import { diffTrees, type TreeState } from './fs-state.ts';

export interface CaseResult {
  area: string;
  name: string;
  survived: boolean;
  dataLost: boolean;
  /** The documented behaviour a case asserts instead of an error, when the input is legitimately accepted. */
  accepted?: string;
}

export const results: CaseResult[] = [];

export interface CaseContext {
  /** Asserts two file trees are byte-identical; a difference is recorded as data lost. */
  nothingLost(label: string, before: TreeState, after: TreeState): void;
  /** Asserts a condition that, when false, means data was lost (e.g. a previous record is missing). */
  keeps(label: string, ok: boolean, detail?: string): void;
  /** Marks the case as a documented acceptance rather than a refusal. */
  accepted(why: string): void;
}

/**
 * One fault case: a vitest test whose outcome also goes into the ledger. `concurrent` cases that
 * follow each other run together (for cases that mostly wait on a timer).
 */
export function faultCase(area: string, name: string, body: (c: CaseContext) => Promise<void>, timeout?: number, options: { concurrent?: boolean } = {}): void {
  (options.concurrent ? it.concurrent : it)(
    name,
    async () => {
      const entry: CaseResult = { area, name, survived: false, dataLost: false };
      results.push(entry);
      const context: CaseContext = {
        nothingLost(label, before, after) {
          const diff = diffTrees(before, after);
          const changed = diff.added.length + diff.removed.length + diff.changed.length > 0;
          if (changed) entry.dataLost = true;
          expect(diff, `${label}: files changed`).toEqual({ added: [], removed: [], changed: [] });
        },
        keeps(label, ok, detail) {
          if (!ok) entry.dataLost = true;
          expect(ok, `${label}${detail ? `: ${detail}` : ''}`).toBe(true);
        },
        accepted(why) {
          entry.accepted = why;
        },
      };
      await body(context);
      entry.survived = true;
    },
    timeout,
  );
}

/** The summary table (Markdown, so it reads the same in a terminal and in a CI log). */
export function summaryTable(rows: readonly CaseResult[]): string {
  const areas = [...new Set(rows.map((r) => r.area))];
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const count = (list: readonly CaseResult[]) => [
    list.length,
    list.filter((r) => r.survived).length,
    list.filter((r) => r.accepted).length,
    list.filter((r) => r.dataLost).length,
  ];
  const out = [
    'Fault and bad-input suite',
    '',
    line(['area', 'cases tried', 'survived', 'of which documented acceptance', 'data lost']),
    line(['---', '---:', '---:', '---:', '---:']),
    ...areas.map((area) => line([area, ...count(rows.filter((r) => r.area === area))])),
    line(['**total**', ...count(rows).map((n) => `**${n}**`)]),
  ];
  const failed = rows.filter((r) => !r.survived || r.dataLost);
  if (failed.length > 0) {
    out.push('', 'Not survived:', ...failed.map((r) => `- ${r.area}: ${r.name}${r.dataLost ? ' (DATA LOST)' : ''}`));
  }
  const accepted = rows.filter((r) => r.accepted);
  if (accepted.length > 0) {
    out.push('', 'Documented acceptances:', ...accepted.map((r) => `- ${r.name}: ${r.accepted}`));
  }
  return out.join('\n');
}
