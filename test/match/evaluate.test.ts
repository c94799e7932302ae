import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { evaluate, MatchCaseError, parseMatchCases, resellerIds } from '../../scripts/match/evaluate.ts';
import { createMatcher } from '../../scripts/match/matcher.ts';
import type { Match, Matcher, MatchInput } from '../../scripts/match/types.ts';
import { companySchema, type Company } from '../../scripts/registry/schema.ts';
import { REGISTRY, company } from './registry-fixture.ts';

const DEV_CASES = fileURLToPath(new URL('../../../shared/matching/dev-cases.csv', import.meta.url));
const REGISTRY_DIR = fileURLToPath(new URL('../../data/registry/companies/', import.meta.url));

const HEADER = 'recipient_name,recipient_uei,recipient_duns,parent_name,parent_uei,description,expected_company,expected_relation,source';

/** A matcher that answers from a table, so scoring is tested apart from matching. */
function tableMatcher(table: Record<string, Match[]>): Matcher {
  const match = (input: MatchInput) => table[input.name] ?? [];
  return { match, matchAward: (a) => match({ name: a.recipient.name }), matchMention: (m) => match({ name: m.name }) };
}

const m = (companyId: string, relation: Match['relation'], confidence = 0.95): Match => ({
  companyId,
  relation,
  confidence,
  method: 'legal-name',
  reason: 'test',
});

describe('parseMatchCases', () => {
  it('reads the dev-cases file: inputs, labels, notes and line numbers', () => {
    const cases = parseMatchCases(readFileSync(DEV_CASES, 'utf8'), 'dev-cases.csv');
    expect(cases).toHaveLength(20);
    expect(cases[0]).toEqual({
      line: 2,
      input: {
        name: 'PALANTIR TECHNOLOGIES INC.',
        duns: '362130952',
        parentName: 'PALANTIR TECHNOLOGIES INC.',
        description: 'Palantir Gotham Software',
      },
      expected: { companyId: 'palantir', relation: 'direct' },
      note: 'USAspending ICE FY18 (70CMSD18FR0000094)',
    });
    expect(cases[12]).toMatchObject({
      line: 14,
      input: { name: 'ACCENTURE FEDERAL SERVICES LLC', uei: 'C47BNA8GM833', parentUei: 'K9S7KL73XBE3' },
      expected: { companyId: 'accenture', relation: 'subsidiary' },
    });
    expect(cases[19]).toEqual({
      line: 21,
      input: { name: 'CISCO-EAGLE, INC.', parentName: 'CISCO-EAGLE, INC.', description: 'Warehouse shelving' },
      note: 'USAspending ICE (HSCEDM17P00106): not Cisco Systems',
    });
    expect(cases.filter((c) => c.expected === undefined).map((c) => c.line)).toEqual([18, 19, 20, 21]);
  });

  it('keeps quoted commas and line breaks inside a field and reports the row\'s line', () => {
    const csv = `${HEADER}\n"ACME, INC.",,,,,"two\nlines",,none,x\nB CO,,,,,,b,direct,y\n`;
    const cases = parseMatchCases(csv);
    expect(cases.map((c) => [c.line, c.input.name, c.input.description])).toEqual([
      [3, 'ACME, INC.', 'two\nlines'],
      [4, 'B CO', undefined],
    ]);
  });

  it('rejects bad labels with file and line', () => {
    expect(() => parseMatchCases(`${HEADER}\nA,,,,,,a,owner,x\n`, 'f.csv')).toThrow(
      new MatchCaseError('f.csv', 2, 'expected_relation "owner" is not one of direct, subsidiary, via-reseller, none'),
    );
    expect(() => parseMatchCases(`${HEADER}\nA,,,,,,,direct,x\n`, 'f.csv')).toThrow('f.csv:2: expected_relation is "direct" but expected_company is empty');
    expect(() => parseMatchCases(`${HEADER}\nA,,,,,,a,none,x\n`, 'f.csv')).toThrow('f.csv:2: expected_relation is "none" but expected_company is "a"');
    expect(() => parseMatchCases('recipient_name,description\nA,b\n', 'f.csv')).toThrow('f.csv:1: missing column "expected_company"');
    expect(() => parseMatchCases(`${HEADER}\nA,,,,,,a,direct,x\nB,,\n`, 'f.csv')).toThrow(
      'f.csv:3: Invalid Record Length: expect 9, got 3 on line 3',
    );
  });
});

describe('evaluate (scoring)', () => {
  const csv = [
    HEADER,
    'A,,,,,,a,direct,',
    'B,,,,,,b,subsidiary,',
    'C,,,,,,,none,',
    'R,,,,,,brand,via-reseller,',
    'R2,,,,,,,none,',
  ].join('\n');
  const cases = parseMatchCases(csv);

  it('counts hits, wrong relations, false alarms and review-level matches', () => {
    const result = evaluate(
      cases,
      tableMatcher({
        A: [m('a', 'direct', 1), m('x', 'direct', 0.8)],
        B: [m('b', 'direct')],
        C: [m('c', 'direct', 0.9)],
        R: [m('reseller', 'direct'), m('brand', 'via-reseller', 0.9)],
        R2: [m('reseller', 'direct')],
      }),
      { resellerIds: new Set(['reseller']) },
    );
    expect(result.cases).toBe(5);
    expect(result.byRelation.direct).toEqual({ expected: 1, predicted: 3, correct: 1, precision: 1 / 3, recall: 1 });
    expect(result.byRelation.subsidiary).toEqual({ expected: 1, predicted: 0, correct: 0, precision: null, recall: 0 });
    expect(result.byRelation['via-reseller']).toEqual({ expected: 1, predicted: 1, correct: 1, precision: 1, recall: 1 });
    expect(result.overall).toEqual({ expected: 3, predicted: 4, correct: 2, precision: 0.5, recall: 2 / 3 });
    expect(result.misses.map((o) => [o.line, o.name, o.match?.relation])).toEqual([[3, 'B', 'direct']]);
    expect(result.falseAlarms.map((o) => [o.line, o.match?.companyId, o.match?.relation])).toEqual([
      [3, 'b', 'direct'],
      [4, 'c', 'direct'],
    ]);
    // The reseller being itself is not scored, either way; it is listed.
    expect(result.unscored.map((o) => [o.line, o.match?.companyId])).toEqual([
      [5, 'reseller'],
      [6, 'reseller'],
    ]);
    expect(result.review.map((o) => [o.line, o.match?.companyId, o.match?.confidence])).toEqual([[2, 'x', 0.8]]);
  });

  it('scores a reseller like any company when the row labels it', () => {
    const labelled = parseMatchCases(`${HEADER}\nR,,,,,,reseller,subsidiary,\n`);
    const result = evaluate(labelled, tableMatcher({ R: [m('reseller', 'direct')] }), { resellerIds: new Set(['reseller']) });
    expect(result.unscored).toEqual([]);
    expect(result.falseAlarms.map((o) => o.match?.companyId)).toEqual(['reseller']);
    expect(result.misses.map((o) => o.expected)).toEqual([{ companyId: 'reseller', relation: 'subsidiary' }]);
  });

  it('uses a custom threshold', () => {
    const result = evaluate(parseMatchCases(`${HEADER}\nA,,,,,,a,direct,\n`), tableMatcher({ A: [m('a', 'direct', 0.8)] }), {
      threshold: 0.7,
    });
    expect(result.overall).toMatchObject({ precision: 1, recall: 1 });
  });
});

function loadRegistry(): Company[] {
  return readdirSync(REGISTRY_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => companySchema.parse(parseYaml(readFileSync(`${REGISTRY_DIR}${f}`, 'utf8'))));
}

function explain(result: ReturnType<typeof evaluate>): string {
  const line = (kind: string, o: (typeof result.misses)[number]) =>
    `${kind} line ${o.line} ${o.name}: expected ${o.expected ? `${o.expected.companyId}/${o.expected.relation}` : 'none'}, got ${o.match ? `${o.match.companyId}/${o.match.relation} (${o.match.reason})` : 'nothing'}`;
  return [...result.misses.map((o) => line('miss', o)), ...result.falseAlarms.map((o) => line('false alarm', o))].join('\n');
}

describe('dev-cases.csv', () => {
  const cases = parseMatchCases(readFileSync(DEV_CASES, 'utf8'), 'dev-cases.csv');

  it('is matched perfectly when the registry lists what each row needs (inline registry)', () => {
    const registry = [
      ...REGISTRY,
      company({ id: 'relx', name: 'RELX', aliases: { legal: ['RELX Inc.'] }, subsidiaries: [{ name: 'Reed Elsevier Inc.' }] }),
      company({ id: 'motorola-solutions', name: 'Motorola Solutions', aliases: { legal: ['Motorola Solutions, Inc.'] } }),
      company({ id: 'deloitte', name: 'Deloitte', aliases: { legal: ['Deloitte LLP'] }, subsidiaries: [{ name: 'Deloitte Consulting LLP' }] }),
    ];
    const result = evaluate(cases, createMatcher(registry), { resellerIds: resellerIds(registry) });
    expect(explain(result)).toBe('');
    expect(result.overall).toEqual({ expected: 16, predicted: 16, correct: 16, precision: 1, recall: 1 });
    expect(result.unscored.map((o) => [o.line, o.match?.companyId, o.match?.relation])).toEqual([
      [16, 'four-points', 'direct'],
      [17, 'dell', 'direct'],
      [18, 'four-points', 'direct'],
    ]);
  });

  it('has precision 1 and recall 1 against the real registry (data/registry/companies)', () => {
    const registry = loadRegistry();
    expect(registry.length).toBeGreaterThan(0);
    const result = evaluate(cases, createMatcher(registry), { resellerIds: resellerIds(registry) });
    expect(explain(result)).toBe('');
    expect(result.overall.precision).toBe(1);
    expect(result.overall.recall).toBe(1);
    for (const relation of ['direct', 'subsidiary', 'via-reseller'] as const) {
      expect(result.byRelation[relation], relation).toMatchObject({ precision: 1, recall: 1 });
    }
  });
});
