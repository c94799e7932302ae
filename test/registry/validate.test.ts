import { describe, expect, it } from 'vitest';
import { companySchema, type CompanyInput } from '../../scripts/registry/schema.ts';
import {
  cageFormatProblem,
  dunsFormatProblem,
  formatProblem,
  normalizeNameForComparison,
  registryRules,
  splitProblems,
  ueiFormatProblem,
  validateRegistry,
  type CompanyFile,
  type PathSegment,
} from '../../scripts/registry/validate.ts';

/** A parsed company whose lines are a fake but injective function of the path, so findings can be located. */
function file(input: CompanyInput, fileId = input.id): CompanyFile {
  const lines = new Map<string, number>();
  return {
    file: `${fileId}.yaml`,
    fileId,
    declaredId: input.id,
    company: companySchema.parse(input),
    lineOf: (path: readonly PathSegment[]) => {
      const key = path.join('/');
      if (!lines.has(key)) lines.set(key, lines.size + 1);
      return lines.get(key)!;
    },
  };
}

const evidence = [
  { url: 'https://example.org/e', title: 'T', publisher: 'P', date: '2024-01-01', kind: 'news' as const, summary: 'S' },
];

describe('normalizeNameForComparison', () => {
  it.each([
    ['Palantir Technologies, Inc.', 'palantir technologies'],
    ['PALANTIR TECHNOLOGIES INC', 'palantir technologies'],
    ['Booz Allen & Hamilton', 'booz allen and hamilton'],
    ['Acme Widgets, L.L.C.', 'acme widgets'],
    ['Thomson Reuters Corp', 'thomson reuters'],
    ['The GEO Group, Inc.', 'geo group'],
    ['Société Générale S.A.', 'societe generale'],
    ["Macy's", 'macys'],
    ['Corporation', 'corporation'],
    ['Inc.', 'inc'],
    ['---', ''],
  ])('%s → %s', (input, expected) => {
    expect(normalizeNameForComparison(input)).toBe(expected);
  });
});

describe('identifier formats', () => {
  it('accepts well-formed UEI, DUNS and CAGE values', () => {
    expect(ueiFormatProblem('NWA7K9M2P4Q8')).toBeUndefined();
    expect(dunsFormatProblem('012345678')).toBeUndefined();
    expect(cageFormatProblem('1AB23')).toBeUndefined();
  });
  it('explains each malformed UEI', () => {
    expect(ueiFormatProblem('NWA7K9M2P4Q8X')).toBe('has 13 characters, a UEI has 12');
    expect(ueiFormatProblem('NWA7K9M2P4Q ')).toBe('may contain only letters A–Z and digits 0–9');
    expect(ueiFormatProblem('0WA7K9M2P4Q8')).toBe('cannot start with 0');
    expect(ueiFormatProblem('NWA7K9M2P4I8')).toMatch(/letters O or I/);
    expect(ueiFormatProblem('nwa7k9m2p4q8')).toBe('must be written in upper case');
  });
  it('rejects DUNS that are not nine digits and CAGE codes that are not five characters', () => {
    expect(dunsFormatProblem('12345678')).toBe('a DUNS number is exactly 9 digits');
    expect(dunsFormatProblem('1234-5678')).toBe('a DUNS number is exactly 9 digits');
    expect(cageFormatProblem('1AB2')).toBe('a CAGE code is exactly 5 characters, A–Z and 0–9');
    expect(cageFormatProblem('1ab23')).toBe('a CAGE code is exactly 5 characters, A–Z and 0–9');
  });
});

describe('validateRegistry', () => {
  it('lets a unit listed under its parent share names and identifiers with its own file', () => {
    const parent = file({
      id: 'bigco',
      name: 'BigCo',
      subsidiaries: [{ name: 'BigCo Federal', identifiers: { uei: [{ value: 'BGF3J5L8N1V4', source: 's' }] } }],
      evidence,
    });
    const unit = file({
      id: 'bigco-federal',
      name: 'BigCo Federal, LLC',
      parent: 'bigco',
      identifiers: { uei: [{ value: 'BGF3J5L8N1V4', source: 's' }] },
      evidence,
    });
    expect(validateRegistry([parent, unit])).toEqual([]);
  });

  it('still flags the same unit name or UEI on an unrelated company', () => {
    const parent = file({
      id: 'bigco',
      name: 'BigCo',
      subsidiaries: [{ name: 'BigCo Federal', identifiers: { uei: [{ value: 'BGF3J5L8N1V4', source: 's' }] } }],
      evidence,
    });
    const stranger = file({
      id: 'stranger',
      name: 'BigCo Federal Inc',
      identifiers: { uei: [{ value: 'bgf3j5l8n1v4', source: 's' }] },
      evidence,
    });
    const problems = validateRegistry([parent, stranger]);
    expect(problems.map((p) => [p.file, p.rule]).sort()).toEqual([
      ['stranger.yaml', 'duplicate-alias'],
      ['stranger.yaml', 'duplicate-identifier'],
      // Lower case is also a format error; the duplicate check compares case-insensitively.
      ['stranger.yaml', 'uei-format'],
    ]);
  });

  it('flags names that two companies claim directly even when one is the parent', () => {
    const parent = file({ id: 'bigco', name: 'BigCo', aliases: { strong: ['BigCo Federal'] }, evidence });
    const unit = file({ id: 'bigco-federal', name: 'BigCo Federal', parent: 'bigco', evidence });
    expect(validateRegistry([parent, unit]).map((p) => [p.file, p.rule])).toEqual([['bigco-federal.yaml', 'duplicate-alias']]);
  });

  it('enforces the per-company name limit', () => {
    const many = file({ id: 'many', name: 'Many', aliases: { weak: ['A1', 'A2', 'A3'] }, falseFriends: ['F1', 'F2'], evidence });
    expect(validateRegistry([many], undefined, { maxNamesPerCompany: 5 })).toEqual([]);
    expect(validateRegistry([many], undefined, { maxNamesPerCompany: 4 })).toEqual([
      {
        file: 'many.yaml',
        line: 1,
        severity: 'error',
        rule: 'name-limit',
        message: 'company lists 5 aliases, subsidiary names and false friends; the limit is 4',
      },
    ]);
  });

  it('reports each parent cycle once, and not for companies that merely lead into it', () => {
    const a = file({ id: 'a', name: 'A Co', parent: 'b', evidence });
    const b = file({ id: 'b', name: 'B Co', parent: 'a', evidence });
    const c = file({ id: 'c', name: 'C Co', parent: 'a', evidence });
    const problems = validateRegistry([c, b, a]);
    expect(problems.map((p) => [p.file, p.rule, p.message])).toEqual([['a.yaml', 'parent-cycle', 'parent links form a cycle: a → b → a']]);
  });

  it('gives every rule a unique name and a single severity', () => {
    const names = registryRules.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(registryRules.filter((r) => r.severity === 'warning').map((r) => r.name)).toEqual([
      'no-evidence',
      'partnership-dates',
      'identifier-dates',
      'alias-is-false-friend',
      'repeated-alias',
      'repeated-identifier',
      'dismissed-duplicate',
      'dismissed-in-registry',
    ]);
  });
});

describe('problem helpers', () => {
  const error = { file: 'a.yaml', line: 3, severity: 'error' as const, rule: 'parent-unknown', message: 'parent "x" names no company' };
  const warning = { file: 'a.yaml', line: 1, severity: 'warning' as const, rule: 'no-evidence', message: 'company has no evidence' };
  it('formats FILE:LINE: lines with the severity and rule', () => {
    expect(formatProblem(error)).toBe('a.yaml:3: error: parent "x" names no company [parent-unknown]');
    expect(formatProblem(warning)).toBe('a.yaml:1: warning: company has no evidence [no-evidence]');
  });
  it('keeps errors and warnings apart', () => {
    expect(splitProblems([warning, error])).toEqual({ errors: [error], warnings: [warning] });
  });
});
