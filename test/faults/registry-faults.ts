/**
 * A bad file dropped into the real registry: malformed, huge, alias-bombed or full of duplicates.
 * `loadRegistry` must name the file and line of every problem, and `runPipeline` must stop before it
 * touches the network or writes anything.
 */
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { loadRegistry } from '../../scripts/registry/load.ts';
import { RegistryError, type RegistryProblem } from '../../scripts/util/errors.ts';
import { ownFixture } from '../helpers/shared-fixtures.ts';
import { copyOf, treeState } from './fs-state.ts';
import { faultCase } from './ledger.ts';
import { AS_OF, dirsOf, logTo, NOW, type World } from './world.ts';

const AREA = 'registry: bad YAML';

interface Expected {
  /** File name under registry/companies/. */
  file: string;
  line: number;
  rule: string;
  message: RegExp;
}

interface RegistryCase {
  name: string;
  /** Puts the bad file(s) into <dataDir>/registry/companies. */
  plant(companiesDir: string): Promise<void>;
  expected: Expected[];
  /** Loading must stay cheap whatever the file holds. */
  maxLoadMs?: number;
}

function fromFixture(folder: string): RegistryCase['plant'] {
  return async (companiesDir) => {
    const dir = ownFixture(`faults/registry/${folder}`);
    for (const name of await readdir(dir)) await copyFile(join(dir, name), join(companiesDir, name));
  };
}

const evidenceYaml = [
  'evidence:',
  '  - url: https://example.org/acme-surveillance',
  '    title: Example page about Acme Surveillance Systems',
  '    publisher: Example Publisher',
  '    date: "2024-01-01"',
  '    kind: news',
  '    summary: Made for the fault suite.',
].join('\n');

const CASES: RegistryCase[] = [
  {
    name: 'malformed YAML (a flow sequence that never closes)',
    plant: fromFixture('malformed'),
    expected: [{ file: 'acme-surveillance.yaml', line: 5, rule: 'yaml-syntax', message: /Flow sequence in block collection must be sufficiently indented and end with a \]/ }],
  },
  {
    name: 'a company file that is a list, not a mapping',
    plant: fromFixture('not-a-mapping'),
    expected: [{ file: 'acme-surveillance.yaml', line: 2, rule: 'schema', message: /document: Invalid input: expected object, received array/ }],
  },
  {
    name: 'a file over the size cap (1.5 MB)',
    async plant(companiesDir) {
      const filler = `notes: "${'A'.repeat(1_500_000)}"\n`;
      await writeFile(join(companiesDir, 'acme-surveillance.yaml'), `id: acme-surveillance\nname: Acme Surveillance Systems\n${filler}${evidenceYaml}\n`);
    },
    expected: [{ file: 'acme-surveillance.yaml', line: 1, rule: 'file-too-large', message: /the limit is 1048576 bytes/ }],
    maxLoadMs: 5_000,
  },
  {
    name: 'a huge file under the cap: 30,000 aliases',
    async plant(companiesDir) {
      const aliases = Array.from({ length: 30_000 }, (_, i) => `    - ACME SUBSIDIARY ${String(i).padStart(5, '0')}`).join('\n');
      await writeFile(join(companiesDir, 'acme-surveillance.yaml'), `id: acme-surveillance\nname: Acme Surveillance Systems\naliases:\n  legal:\n${aliases}\n${evidenceYaml}\n`);
    },
    expected: [{ file: 'acme-surveillance.yaml', line: 3, rule: 'name-limit', message: /company lists 30000 aliases, subsidiary names and false friends; the limit is 200/ }],
    maxLoadMs: 10_000,
  },
  {
    name: 'an alias bomb (billion laughs) in the aliases',
    plant: fromFixture('alias-bomb'),
    expected: [{ file: 'acme-surveillance.yaml', line: 6, rule: 'yaml-alias-limit', message: /YAML aliases expand beyond the limit of 100/ }],
    maxLoadMs: 5_000,
  },
  {
    name: 'nested brackets 100,000 deep',
    async plant(companiesDir) {
      await writeFile(join(companiesDir, 'acme-surveillance.yaml'), `id: acme-surveillance\nname: Acme\nnotes: ${'['.repeat(100_000)}\n`);
    },
    expected: [{ file: 'acme-surveillance.yaml', line: 3, rule: 'yaml-too-deep', message: /brackets nest deeper than 64 levels/ }],
    maxLoadMs: 5_000,
  },
  {
    name: 'duplicate keys in one file',
    plant: fromFixture('duplicate-keys'),
    expected: [{ file: 'acme-surveillance.yaml', line: 7, rule: 'yaml-syntax', message: /Map keys must be unique/ }],
  },
  {
    name: 'a second file claiming an existing id',
    plant: fromFixture('duplicate-id'),
    expected: [
      { file: 'palantir-technologies.yaml', line: 1, rule: 'id-file-name', message: /id "palantir" does not match the file name \(expected "palantir-technologies"\)/ },
      { file: 'palantir.yaml', line: 1, rule: 'duplicate-id', message: /id "palantir" is already used by .*palantir-technologies\.yaml:1/ },
    ],
  },
  {
    name: "an alias that is another company's name",
    plant: fromFixture('duplicate-alias'),
    expected: [
      { file: 'palantir.yaml', line: 2, rule: 'duplicate-alias', message: /"Palantir Technologies" \(normalized "palantir technologies"\) is also claimed by company "acme-analytics" at .*acme-analytics\.yaml:7/ },
      { file: 'palantir.yaml', line: 5, rule: 'duplicate-alias', message: /"PALANTIR TECHNOLOGIES INC\." \(normalized "palantir technologies"\) is also claimed by company "acme-analytics" at .*acme-analytics\.yaml:7/ },
    ],
  },
  {
    name: "an identifier that is another company's",
    plant: fromFixture('duplicate-identifier'),
    expected: [{ file: 'palantir.yaml', line: 26, rule: 'duplicate-identifier', message: /DUNS "362130952" is also listed by company "acme-analytics" at .*acme-analytics\.yaml:8/ }],
  },
];

function matching(problems: readonly RegistryProblem[], companiesDir: string, e: Expected): RegistryProblem | undefined {
  return problems.find((p) => p.file === join(companiesDir, e.file) && p.line === e.line && p.rule === e.rule && p.severity === 'error' && e.message.test(p.message));
}

export function registerRegistryFaults(world: () => World): void {
  for (const rc of CASES) {
    faultCase(AREA, rc.name, async (c) => {
      const root = await copyOf(world().root, 'registry');
      const { dataDir, reportsDir } = dirsOf(root);
      const companiesDir = join(dataDir, 'registry', 'companies');
      await rc.plant(companiesDir);
      const before = await treeState(root);

      // runPipeline loads the registry (loadRegistry → loadValidRegistry) before anything else.
      const started = performance.now();
      const error = await runPipeline({
        dataDir,
        reportsDir,
        asOf: AS_OF,
        now: NOW,
        offline: false,
        log: logTo(),
        httpFor: () => {
          throw new Error('a run with a broken registry must not reach the network');
        },
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (rc.maxLoadMs !== undefined) expect(performance.now() - started).toBeLessThan(rc.maxLoadMs);
      expect(error).toBeInstanceOf(RegistryError);
      const { problems, message } = error as RegistryError;
      for (const e of rc.expected) {
        const p = matching(problems, companiesDir, e);
        expect(p, `${e.file}:${e.line} [${e.rule}] in ${JSON.stringify(problems.filter((q) => q.severity === 'error'))}`).toBeDefined();
        // file:line as an editor or a CI annotation reads it.
        expect(message).toContain(`${p!.file}:${p!.line}: ${p!.message}`);
      }
      // The real registry is clean: every error comes from the planted file(s).
      expect(problems.filter((p) => p.severity === 'error')).toHaveLength(rc.expected.length);
      if (rc.name.startsWith('malformed')) {
        // The loader itself returns the same problems to `icewatch validate`.
        expect((await loadRegistry(dataDir)).problems).toEqual(problems);
      }
      c.nothingLost('data/ and reports/', before, await treeState(root));
    });
  }
}
