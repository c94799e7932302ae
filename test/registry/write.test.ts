import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../scripts/registry/load.ts';
import type { CompanyInput } from '../../scripts/registry/schema.ts';
import { renderCompanyYaml } from '../../scripts/registry/write.ts';
import { ownFixture } from '../helpers/shared-fixtures.ts';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function registryOf(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-write-'));
  temps.push(dir);
  await mkdir(join(dir, 'registry', 'companies'), { recursive: true });
  for (const [id, text] of Object.entries(files)) await writeFile(join(dir, 'registry', 'companies', `${id}.yaml`), text);
  return dir;
}

describe('renderCompanyYaml', () => {
  it('writes keys in schema order with defaults made explicit', () => {
    const company: CompanyInput = {
      evidence: [
        {
          summary: 'Listed as declined.',
          kind: 'watchdog-list',
          date: '2020-01-15',
          publisher: 'Example Watchdog',
          title: 'Example list',
          url: 'https://watchdog.example.org/list',
        },
      ],
      identifiers: { duns: [{ source: 'made up', value: '012345678' }] },
      name: 'Acme: Widgets # and more',
      id: 'acme',
      aliases: { weak: ['yes', 'ACME'], legal: ['Acme Widgets, Inc.'] },
    };
    expect(renderCompanyYaml(company)).toBe(
      [
        'id: acme',
        'name: "Acme: Widgets # and more"',
        'aliases:',
        '  legal:',
        '    - Acme Widgets, Inc.',
        '  weak:',
        '    - yes',
        '    - ACME',
        'identifiers:',
        '  duns:',
        '    - value: "012345678"',
        '      source: made up',
        'roles:',
        '  - vendor',
        'evidence:',
        '  - url: https://watchdog.example.org/list',
        '    title: Example list',
        '    publisher: Example Watchdog',
        '    date: 2020-01-15',
        '    kind: watchdog-list',
        '    summary: Listed as declined.',
        '',
      ].join('\n'),
    );
  });

  it('never emits anchors, even when the value shares objects', () => {
    const source = { value: 'NWA7K9M2P4Q8', source: 'made up' };
    const names = ['Shared Name'];
    const yaml = renderCompanyYaml({
      id: 'shared',
      name: 'Shared',
      aliases: { legal: names, strong: ['Other'] },
      identifiers: { uei: [source] },
      subsidiaries: [{ name: 'Shared Unit', aliases: names, identifiers: { uei: [source] } }],
    });
    expect(yaml).not.toMatch(/[&*]\w/);
  });

  it('does not fold long text', () => {
    const summary = 'word '.repeat(60).trim();
    const yaml = renderCompanyYaml({
      id: 'long',
      name: 'Long',
      evidence: [{ url: 'https://example.org/x', title: 'T', publisher: 'P', date: '2024-01-01', kind: 'news', summary }],
    });
    expect(yaml).toContain(`    summary: ${summary}\n`);
  });

  it('refuses a company the schema rejects', () => {
    expect(() => renderCompanyYaml({ id: 'Bad Id', name: 'Bad' })).toThrow(/cannot render company "Bad Id"/);
    expect(() =>
      renderCompanyYaml({
        id: 'bad',
        name: 'Bad',
        evidence: [{ url: 'http://example.org/x', title: 'T', publisher: 'P', date: '2024-01-01', kind: 'news', summary: 'S' }],
      }),
    ).toThrow(/https/);
  });

  it('round-trips the valid fixture registry through loadRegistry with no problems', async () => {
    const original = await loadRegistry(ownFixture('registry/valid'));
    expect(original.problems).toEqual([]);
    const rendered = Object.fromEntries(original.registry.companies.map((c) => [c.id, renderCompanyYaml(c)]));
    const dir = await registryOf(rendered);
    const reloaded = await loadRegistry(dir);
    expect(reloaded.problems).toEqual([]);
    expect(reloaded.registry.companies).toEqual(original.registry.companies);
    // Rendering what was loaded gives the same bytes: the writer is a fixed point.
    for (const c of reloaded.registry.companies) expect(renderCompanyYaml(c)).toBe(rendered[c.id]);
  });

  it('round-trips values YAML would otherwise retype', async () => {
    const company: CompanyInput = {
      id: 'tricky',
      name: 'null',
      aliases: { strong: ['true', '2024-01-01', '0x1F', '  padded  ', 'multi\nline', "it's \"quoted\""], weak: ['NO', 'Off'] },
      identifiers: { duns: [{ value: '000000001', source: 'made up' }], cage: [{ value: '1E100', source: 'made up' }] },
      notes: 'first line\nsecond line\n',
      evidence: [{ url: 'https://example.org/x?a=1&b=2#frag', title: '- dash', publisher: '[bracket]', date: '2024-02-29', kind: 'other', summary: '@mention *star*' }],
    };
    const dir = await registryOf({ tricky: renderCompanyYaml(company) });
    const { registry, problems } = await loadRegistry(dir);
    expect(problems).toEqual([]);
    const loaded = registry.byId.get('tricky')!;
    expect(loaded.name).toBe('null');
    expect(loaded.aliases?.strong).toEqual(company.aliases!.strong);
    expect(loaded.aliases?.weak).toEqual(['NO', 'Off']);
    expect(loaded.identifiers?.duns?.[0]?.value).toBe('000000001');
    expect(loaded.identifiers?.cage?.[0]?.value).toBe('1E100');
    expect(loaded.notes).toBe('first line\nsecond line\n');
    expect(loaded.evidence[0]).toEqual(company.evidence![0]);
  });
});
