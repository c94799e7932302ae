import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRegistry, loadValidRegistry, parseCompanyYaml, parseYamlText } from '../../scripts/registry/load.ts';
import { RegistryError, type RegistryProblem } from '../../scripts/util/errors.ts';
import { ownFixture } from '../helpers/shared-fixtures.ts';

const caseDir = (name: string): string => ownFixture(`registry/${name}`);
const companyFile = (name: string, file: string): string => join(caseDir(name), 'registry', 'companies', file);

/** `file:line rule` with the fixture directory cut off, so expectations read like CLI output. */
function located(name: string, problems: readonly RegistryProblem[]): string[] {
  const root = `${caseDir(name)}/registry/`;
  return problems.map((p) => `${p.file.startsWith(root) ? p.file.slice(root.length) : p.file}:${p.line} ${p.rule}`);
}

async function load(name: string): Promise<{ errors: RegistryProblem[]; warnings: RegistryProblem[]; all: RegistryProblem[] }> {
  const { problems } = await loadRegistry(caseDir(name));
  return {
    all: problems,
    errors: problems.filter((p) => p.severity === 'error'),
    warnings: problems.filter((p) => p.severity === 'warning'),
  };
}

const temps: string[] = [];
async function tempData(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-registry-'));
  temps.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('loadRegistry on a valid registry', () => {
  it('loads every company and the dismissed list with no problems at all', async () => {
    const { registry, problems } = await loadRegistry(caseDir('valid'));
    expect(problems).toEqual([]);
    expect(registry.companies.map((c) => c.id)).toEqual(['contoso-resale', 'northwind', 'northwind-federal']);
    expect([...registry.byId.keys()]).toEqual(['contoso-resale', 'northwind', 'northwind-federal']);

    const northwind = registry.byId.get('northwind')!;
    expect(northwind.name).toBe('Northwind Analytics');
    expect(northwind.website).toBe('https://northwind.example.com/');
    expect(northwind.aliases).toEqual({
      legal: ['Northwind Analytics, Inc.', 'Northwind Data Corporation'],
      strong: ['Northwind'],
      weak: ['NWA'],
    });
    expect(northwind.products).toEqual([{ term: 'Northwind Atlas', specificity: 'high' }]);
    expect(northwind.falseFriends).toEqual(['Northwind Traders']);
    // YAML 1.2 core schema: unquoted dates stay strings (no Date objects), quoted DUNS keeps its zero.
    expect(northwind.identifiers?.uei).toEqual([{ value: 'NWA7K9M2P4Q8', validFrom: '2022-04-04', source: 'made-up fixture value' }]);
    expect(northwind.identifiers?.duns).toEqual([{ value: '012345678', validTo: '2022-04-03', source: 'made-up fixture value' }]);
    expect(northwind.identifiers?.cage).toEqual([{ value: '1AB23', source: 'made-up fixture value' }]);
    expect(northwind.subsidiaries).toEqual([
      {
        name: 'Northwind Federal',
        aliases: ['NW Federal Systems'],
        identifiers: { uei: [{ value: 'NWF3J5L8N1V4', source: 'made-up fixture value' }] },
        note: 'the unit that holds most federal contracts',
      },
    ]);
    expect(northwind.partnership).toEqual([
      { status: 'declined', since: '2020-01-15', until: '2021-06-30', source: 'https://watchdog.example.org/list' },
    ]);
    expect(northwind.evidence).toHaveLength(1);
    expect(northwind.evidence[0]!.kind).toBe('watchdog-list');
    expect(northwind.notes).toBe('Made for tests; not a real company.\n');

    expect(registry.byId.get('northwind-federal')!.parent).toBe('northwind');
    // roles defaults to vendor; a flow sequence reads the same as a block one.
    expect(registry.byId.get('northwind-federal')!.roles).toEqual(['vendor']);
    expect(registry.byId.get('contoso-resale')!.roles).toEqual(['reseller']);

    expect(registry.dismissed).toEqual([
      {
        id: 'fabrikam',
        name: 'Fabrikam Holdings',
        reason: 'a different company with a similar name',
        date: '2024-05-01',
        awardKeys: ['CONT_AWD_EXAMPLE_1'],
      },
    ]);
  });

  it('names files the way dataDir was given: a relative dataDir gives relative paths', async () => {
    const { problems } = await loadRegistry('test/fixtures/registry/id-file-name');
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(['test/fixtures/registry/id-file-name/registry/companies/acme.yaml:1']);
  });

  it('treats a missing dismissed.yaml, and an empty one, as nothing dismissed', async () => {
    const company = "id: acme\nname: Acme\nevidence:\n  - {url: 'https://example.org/a', title: T, publisher: P, date: 2024-01-01, kind: news, summary: S}\n";
    const without = await tempData({ 'registry/companies/acme.yaml': company });
    expect(await loadRegistry(without)).toMatchObject({ problems: [], registry: { dismissed: [] } });
    const empty = await tempData({ 'registry/companies/acme.yaml': company, 'registry/dismissed.yaml': '# nothing yet\n' });
    expect(await loadRegistry(empty)).toMatchObject({ problems: [], registry: { dismissed: [] } });
  });

  it('gives the same problems in the same order on every load', async () => {
    const first = await loadRegistry(caseDir('warnings'));
    const second = await loadRegistry(caseDir('warnings'));
    expect(second.problems).toEqual(first.problems);
    const keys = first.problems.map((p) => `${p.file}\u0000${String(p.line).padStart(6, '0')}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe('each kind of problem is an error at its file:line under its rule', () => {
  const cases: Array<[string, string[]]> = [
    ['unknown-key', ['companies/acme.yaml:3 unknown-key', 'companies/globex.yaml:6 unknown-key']],
    ['id-file-name', ['companies/acme.yaml:1 id-file-name']],
    // acme-widgets.yaml sorts before acme.yaml ("-" < "."), so it holds the id first.
    ['duplicate-id', ['companies/acme-widgets.yaml:1 id-file-name', 'companies/acme.yaml:1 duplicate-id']],
    [
      'uei-format',
      [
        'companies/acme.yaml:5 uei-format',
        'companies/acme.yaml:7 uei-format',
        'companies/acme.yaml:9 uei-format',
        'companies/acme.yaml:11 uei-format',
        'companies/acme.yaml:13 uei-format',
      ],
    ],
    ['duns-format', ['companies/acme.yaml:5 duns-format', 'companies/acme.yaml:7 duns-format', 'companies/acme.yaml:13 duns-format']],
    ['unquoted-duns', ['companies/acme.yaml:5 schema']],
    ['cage-format', ['companies/acme.yaml:5 cage-format']],
    ['https-url', ['companies/acme.yaml:4 https-url', 'companies/acme.yaml:10 https-url']],
    ['parent-unknown', ['companies/acme.yaml:3 parent-unknown']],
    ['parent-cycle', ['companies/alpha.yaml:3 parent-cycle', 'companies/delta.yaml:3 parent-cycle']],
    ['duplicate-alias', ['companies/acme.yaml:2 duplicate-alias', 'companies/acme.yaml:5 duplicate-alias']],
    ['duplicate-identifier', ['companies/globex.yaml:7 duplicate-identifier']],
    ['alias-empty', ['companies/acme.yaml:5 alias-empty']],
    ['missing-field', ['companies/acme.yaml:4 missing-field']],
    ['invalid-date', ['companies/acme.yaml:5 invalid-date']],
    ['schema-type', ['companies/acme.yaml:3 schema', 'companies/acme.yaml:5 schema']],
    ['yaml-syntax', ['companies/acme.yaml:5 yaml-syntax', 'companies/globex.yaml:3 yaml-syntax']],
    ['alias-bomb', ['companies/acme.yaml:4 yaml-alias-limit']],
    ['dismissed-invalid', ['dismissed.yaml:2 schema', 'dismissed.yaml:6 unknown-key']],
  ];
  it.each(cases)('%s', async (name, expected) => {
    const { errors } = await load(name);
    expect(located(name, errors)).toEqual(expected);
  });

  it('says what is wrong in words a maintainer can act on', async () => {
    const messages = async (name: string): Promise<string[]> => (await load(name)).errors.map((p) => p.message);
    expect(await messages('unknown-key')).toEqual([
      'unknown key "alias" (did you mean "aliases"?); allowed: id, name, website, aliases, products, falseFriends, identifiers, since, until, parent, parentSince, parentUntil, subsidiaries, roles, partnership, evidence, notes',
      'unknown key "nickname" in aliases; allowed: legal, strong, weak',
    ]);
    expect(await messages('uei-format')).toEqual([
      'UEI "ACM7K9M2P4Q" has 11 characters, a UEI has 12',
      'UEI "0CM7K9M2P4Q8" cannot start with 0',
      'UEI "acm7k9m2p4q8" must be written in upper case',
      'UEI "ACM7K9M2P4O8" cannot contain the letters O or I (SAM never issues them; 0 or 1 was probably meant)',
      'UEI "ACM-K9M2P4Q8" may contain only letters A–Z and digits 0–9',
    ]);
    expect(await messages('unquoted-duns')).toEqual([
      "identifiers.duns[0].value: Invalid input: expected string, received number (put it in quotes: '012345678'; unquoted, YAML reads it as 12345678)",
    ]);
    expect(await messages('https-url')).toEqual([
      'evidence[0].url: expected an https:// URL, got "http://example.org/acme"',
      'evidence[1].url: expected an https:// URL, got "javascript:alert(1)"',
    ]);
    expect(await messages('parent-unknown')).toEqual(['parent "acme-holdings" names no company (no acme-holdings.yaml in the registry)']);
    expect(await messages('parent-cycle')).toEqual([
      'parent links form a cycle: alpha → beta → gamma → alpha',
      'parent links form a cycle: delta → delta',
    ]);
    expect(await messages('duplicate-alias')).toEqual([
      `"Acme Widgets" (normalized "acme widgets") is also claimed by company "acme-rockets" at ${companyFile('duplicate-alias', 'acme-rockets.yaml')}:7`,
      `"Acme Corp." (normalized "acme") is also claimed by company "acme-rockets" at ${companyFile('duplicate-alias', 'acme-rockets.yaml')}:5`,
    ]);
    expect(await messages('duplicate-identifier')).toEqual([
      `UEI "ACM7K9M2P4Q8" is also listed by company "acme" at ${companyFile('duplicate-identifier', 'acme.yaml')}:5`,
    ]);
    expect(await messages('missing-field')).toEqual(['missing required field "evidence[0].publisher"']);
    expect(await messages('invalid-date')).toEqual(['partnership[0].since: "2023-02-29" is not a real YYYY-MM-DD date']);
    expect(await messages('yaml-syntax')).toEqual([
      'Flow sequence in block collection must be sufficiently indented and end with a ]',
      'Map keys must be unique',
    ]);
  });

  it('keeps companies that parsed, and counts broken files as existing for parent links', async () => {
    const { registry, problems } = await loadRegistry(caseDir('yaml-syntax'));
    // initech.yaml names acme as parent; acme.yaml is broken but exists, so no parent-unknown cascade.
    expect(registry.companies.map((c) => c.id)).toEqual(['initech']);
    expect(problems.some((p) => p.rule === 'parent-unknown')).toBe(false);
  });

  it('reports a missing registry directory', async () => {
    const dir = await tempData({ 'README.md': 'not a data dir' });
    const { problems, registry } = await loadRegistry(dir);
    expect(registry.companies).toEqual([]);
    expect(problems).toEqual([
      {
        file: join(dir, 'registry', 'companies'),
        line: 1,
        severity: 'error',
        rule: 'registry-missing',
        message: `no registry here: ${join(dir, 'registry', 'companies')} does not exist (wrong --data directory?)`,
      },
    ]);
  });

  it('reports an empty company file and a file that is not UTF-8', async () => {
    const dir = await tempData({
      'registry/companies/empty.yaml': '# nothing here\n',
      'registry/companies/latin1.yaml': Buffer.from('id: latin1\nname: Soci\xe9t\xe9\n', 'latin1'),
    });
    const { problems } = await loadRegistry(dir);
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.line, p.rule, p.message])).toEqual([
      ['registry/companies/empty.yaml', 1, 'schema', 'file is empty'],
      ['registry/companies/latin1.yaml', 1, 'encoding', 'file is not valid UTF-8'],
    ]);
  });
});

describe('a valid registry with warnings', () => {
  it('loads with warnings only, each at its line under its rule', async () => {
    const { errors, warnings } = await load('warnings');
    expect(errors).toEqual([]);
    expect(located('warnings', warnings)).toEqual([
      'companies/alpha.yaml:1 no-evidence',
      'companies/alpha.yaml:6 partnership-dates',
      'companies/beta.yaml:7 alias-is-false-friend',
      'companies/beta.yaml:8 alias-is-false-friend',
      'companies/beta.yaml:8 repeated-alias',
      'companies/beta.yaml:15 identifier-dates',
      'companies/beta.yaml:17 repeated-identifier',
      'companies/notes.yml:1 unexpected-file',
      'dismissed.yaml:7 dismissed-in-registry',
      'dismissed.yaml:11 dismissed-duplicate',
    ]);
    expect(warnings.find((w) => w.rule === 'partnership-dates')!.message).toBe(
      'partnership "past-partner" ends (2020-12-31) before it starts (2021-03-01)',
    );
    expect(warnings.find((w) => w.rule === 'identifier-dates')!.message).toBe(
      'UEI "BTA7K9M2P4Q8" has validTo 2022-01-01 before validFrom 2023-01-01',
    );
  });

  it('loadValidRegistry returns the warnings and the registry', async () => {
    const { registry, warnings } = await loadValidRegistry(caseDir('warnings'));
    expect(registry.companies.map((c) => c.id)).toEqual(['alpha', 'beta']);
    expect(warnings).toHaveLength(10);
  });

  it('loadValidRegistry throws a RegistryError carrying every error', async () => {
    const error = await loadValidRegistry(caseDir('uei-format')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    const problems = (error as RegistryError).problems;
    expect(problems.filter((p) => p.severity === 'error')).toHaveLength(5);
    expect((error as RegistryError).message).toContain(`${companyFile('uei-format', 'acme.yaml')}:7: UEI "0CM7K9M2P4Q8" cannot start with 0`);
  });
});

describe('hostile input is refused quickly with a clear problem', () => {
  it('does not parse a file over the size cap', async () => {
    const huge = `id: huge\nname: Huge\nnotes: "${'x'.repeat(2 * 1024 * 1024)}"\n`;
    const dir = await tempData({ 'registry/companies/huge.yaml': huge });
    const started = performance.now();
    const { problems, registry } = await loadRegistry(dir);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(registry.companies).toEqual([]);
    expect(problems).toEqual([
      {
        file: join(dir, 'registry/companies/huge.yaml'),
        line: 1,
        severity: 'error',
        rule: 'file-too-large',
        message: `file is ${huge.length} bytes; the limit is 1048576 bytes (a company file is a few kilobytes)`,
      },
    ]);
  });

  it('honours a smaller cap passed in options', async () => {
    const dir = await tempData({ 'registry/companies/acme.yaml': 'id: acme\nname: Acme\n' });
    const { problems } = await loadRegistry(dir, { maxFileBytes: 10 });
    expect(problems.map((p) => p.rule)).toEqual(['file-too-large']);
  });

  it('stops a billion-laughs alias bomb before expanding it', async () => {
    const started = performance.now();
    const { errors } = await load('alias-bomb');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(errors.map((p) => p.message)).toEqual([
      'YAML aliases expand beyond the limit of 100 (anchor/alias bomb?); write the values out instead',
    ]);
  });

  it('refuses brackets nested deep enough to exhaust the parser', () => {
    const started = performance.now();
    const parsed = parseYamlText(`id: x\nname: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`, 'deep.yaml');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(parsed.ok).toBe(false);
    expect(parsed.problems).toEqual([
      { file: 'deep.yaml', line: 2, severity: 'error', rule: 'yaml-too-deep', message: 'brackets nest deeper than 64 levels; a registry file never needs that' },
    ]);
  });

  it('reports YAML that needs an unset anchor', () => {
    const parsed = parseYamlText('id: x\nname: *missing\n', 'x.yaml');
    expect(parsed.problems.map((p) => [p.line, p.rule])).toEqual([[2, 'yaml-syntax']]);
  });

  it('does not let __proto__ through as a key', () => {
    const { entry, problems } = parseCompanyYaml('id: acme\nname: Acme\n__proto__:\n  polluted: true\n', '/x/acme.yaml');
    expect(entry.company).toBeUndefined();
    expect(problems.map((p) => [p.line, p.rule])).toEqual([[3, 'unknown-key']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseCompanyYaml line mapping', () => {
  it('points at the key for map entries and at the item for sequence entries, through nesting', () => {
    const text = [
      'id: acme', //                                  1
      'name: Acme', //                                2
      'subsidiaries:', //                             3
      '  - name: Acme Federal', //                    4
      '    identifiers:', //                          5
      '      duns:', //                               6
      '        - value: "123456789"', //              7
      '          source: made up', //                 8
      '          validFrom: 2024-13-01', //           9
      '  - name: Acme Space', //                      10
      '    aliases:', //                              11
      '      - Acme Orbital', //                      12
      '      - 7', //                                 13
    ].join('\n');
    const { entry, problems } = parseCompanyYaml(text, '/r/acme.yaml');
    expect(entry.fileId).toBe('acme');
    expect(entry.declaredId).toBe('acme');
    expect(problems.map((p) => [p.line, p.rule, p.message])).toEqual([
      [9, 'invalid-date', 'subsidiaries[0].identifiers.duns[0].validFrom: "2024-13-01" is not a real YYYY-MM-DD date'],
      [13, 'schema', "subsidiaries[1].aliases[1]: Invalid input: expected string, received number (put it in quotes: '7')"],
    ]);
    expect(entry.lineOf(['subsidiaries', 1, 'aliases', 0])).toBe(12);
    expect(entry.lineOf(['subsidiaries', 0, 'identifiers', 'duns', 0, 'value'])).toBe(7);
    // A path that does not exist falls back to its deepest existing ancestor.
    expect(entry.lineOf(['subsidiaries', 1, 'note'])).toBe(10);
    expect(entry.lineOf(['parent'])).toBe(1);
  });
});
