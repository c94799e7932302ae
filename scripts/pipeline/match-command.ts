/** `icewatch match`: read labelled or unlabelled rows, match them, print JSON lines or an evaluation. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { evaluate, parseMatchCases, resellerIds, RELATIONS, type Evaluation, type MatchCase } from '../match/evaluate.ts';
import { withoutInvisible } from '../match/confusables.ts';
import { createMatcher } from '../match/matcher.ts';
import type { Registry } from '../registry/schema.ts';
import { UsageError } from '../util/errors.ts';
import { forLog } from '../util/sanitize.ts';

const jsonlRowSchema = z.object({
  name: z.string().min(1).optional(),
  recipient_name: z.string().min(1).optional(),
  uei: z.string().optional(),
  duns: z.string().optional(),
  cage: z.string().optional(),
  parentName: z.string().optional(),
  parentUei: z.string().optional(),
  parentDuns: z.string().optional(),
  description: z.string().optional(),
  /** YYYY-MM-DD the record is about (award start, transaction action date): ownership dates are checked against it. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').optional(),
  expected_company: z.string().optional(),
  expected_relation: z.enum(['direct', 'subsidiary', 'via-reseller', 'none']).optional(),
});

/** CSV with the dev-cases columns, or JSONL: one object per line with the MatchInput fields. */
export async function readMatchInput(file: string): Promise<MatchCase[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  if (!file.endsWith('.jsonl') && !file.endsWith('.ndjson')) {
    try {
      return parseMatchCases(text, file).map((c) => ({ ...c, input: { ...c.input, name: withoutInvisible(c.input.name) } }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const cases: MatchCase[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let parsed: z.infer<typeof jsonlRowSchema>;
    try {
      parsed = jsonlRowSchema.parse(JSON.parse(line));
    } catch (error) {
      throw new UsageError(`${file}:${index + 1}: expected a JSON object with a name: ${forLog((error as Error).message)}`);
    }
    // Invisible and tag characters carry nothing a reader sees; they go before matching and printing.
    const raw = parsed.name ?? parsed.recipient_name;
    const name = raw === undefined ? undefined : withoutInvisible(raw);
    if (!name) throw new UsageError(`${file}:${index + 1}: "name" is required`);
    const expected =
      parsed.expected_company && parsed.expected_relation && parsed.expected_relation !== 'none'
        ? { companyId: parsed.expected_company, relation: parsed.expected_relation }
        : undefined;
    cases.push({
      line: index + 1,
      input: {
        name,
        uei: parsed.uei,
        duns: parsed.duns,
        cage: parsed.cage,
        parentName: parsed.parentName,
        parentUei: parsed.parentUei,
        parentDuns: parsed.parentDuns,
        description: parsed.description,
        date: parsed.date,
      },
      ...(expected ? { expected } : {}),
    });
  });
  return cases;
}

export function runMatch(registry: Registry, cases: MatchCase[]): string[] {
  const matcher = createMatcher(registry.companies);
  return cases.map((c) => {
    const { matches, notes } = matcher.matchDetailed!(c.input);
    // Notes say why a registry name did not count on this date ("acquired by X on DATE").
    return JSON.stringify({ line: c.line, name: c.input.name, matches, ...(notes.length > 0 ? { notes: notes.map((n) => n.text) } : {}) });
  });
}

export function runEvaluation(registry: Registry, cases: MatchCase[]): { text: string; perfect: boolean; evaluation: Evaluation } {
  const evaluation = evaluate(cases, createMatcher(registry.companies), { resellerIds: resellerIds(registry.companies) });
  const pct = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
  const lines = [`cases: ${evaluation.cases}, threshold ${evaluation.threshold}`, 'relation       expected  predicted  correct  precision  recall'];
  for (const r of RELATIONS) {
    const s = evaluation.byRelation[r];
    lines.push(`${r.padEnd(14)} ${String(s.expected).padStart(8)} ${String(s.predicted).padStart(10)} ${String(s.correct).padStart(8)} ${pct(s.precision).padStart(10)} ${pct(s.recall).padStart(7)}`);
  }
  const o = evaluation.overall;
  lines.push(`${'overall'.padEnd(14)} ${String(o.expected).padStart(8)} ${String(o.predicted).padStart(10)} ${String(o.correct).padStart(8)} ${pct(o.precision).padStart(10)} ${pct(o.recall).padStart(7)}`);
  const describe = (x: Evaluation['misses'][number]): string =>
    `  line ${x.line}: ${forLog(x.name, 80)}: expected ${x.expected ? `${x.expected.companyId}/${x.expected.relation}` : 'none'}` +
    (x.match ? `, got ${x.match.companyId}/${x.match.relation} ${x.match.confidence.toFixed(2)} (${forLog(x.match.reason, 120)})` : ', got nothing');
  lines.push(`misses: ${evaluation.misses.length}`, ...evaluation.misses.map(describe));
  lines.push(`false alarms: ${evaluation.falseAlarms.length}`, ...evaluation.falseAlarms.map(describe));
  if (evaluation.unscored.length > 0) {
    lines.push(`not scored (a reseller matched as itself): ${evaluation.unscored.length}`);
  }
  const perfect = evaluation.misses.length === 0 && evaluation.falseAlarms.length === 0;
  return { text: `${lines.join('\n')}\n`, perfect, evaluation };
}
