import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeDryRun } from '../../scripts/github/dry-run.ts';
import { StoreError } from '../../scripts/util/errors.ts';
import { renderProposal } from '../../scripts/github/render-proposal.ts';
import { realAwardees, realProposals, statusProposal } from './proposal-fixtures.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function tree(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await tree(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe('writeDryRun', () => {
  it('writes each pull request (branch, title, body, files) and a summary', async () => {
    dir = await mkdtemp(join(tmpdir(), 'icewatch-dry-'));
    const outDir = join(dir, 'reports', 'proposals');
    const lukos = realAwardees().find((a) => a.uei === 'HB6GKZYMMW89')!;
    const proposals = [
      ...realProposals(3).slice(1),
      statusProposal('lukos', lukos.name, lukos.awards, [{ path: 'data/registry/companies/lukos.yaml', content: 'id: lukos\n' }]),
    ];
    const summary = await writeDryRun(proposals, { outDir, draftBelowConfidence: 0.9 });

    expect(await tree(outDir)).toEqual([
      '.icewatch-dry-run.json',
      'icewatch/add-deloitte-consulting-llp/files/data/registry/companies/deloitte-consulting-llp.yaml',
      'icewatch/add-deloitte-consulting-llp/files/data/registry/evidence/deloitte-consulting-llp.json',
      'icewatch/add-deloitte-consulting-llp/pr.md',
      'icewatch/add-sev1tech/files/data/registry/companies/sev1tech.yaml',
      'icewatch/add-sev1tech/files/data/registry/evidence/sev1tech.json',
      'icewatch/add-sev1tech/pr.md',
      'icewatch/status-lukos/files/data/registry/companies/lukos.yaml',
      'icewatch/status-lukos/pr.md',
    ]);
    const deloitte = proposals[0]!;
    const rendered = renderProposal(deloitte, { draftBelowConfidence: 0.9 });
    const pr = await readFile(join(outDir, 'icewatch/add-deloitte-consulting-llp/pr.md'), 'utf8');
    expect(pr.startsWith('# Add DELOITTE CONSULTING LLP: 4 active ICE awards\n')).toBe(true);
    expect(pr).toContain('| Branch | `icewatch/add-deloitte-consulting-llp` |');
    expect(pr).toContain('| Draft | no |');
    expect(pr).toContain('| Labels | `icewatch`, `icewatch: new company` |');
    expect(pr.endsWith(`---\n\n${rendered.body}`)).toBe(true);
    expect(await readFile(join(outDir, 'icewatch/add-deloitte-consulting-llp/files/data/registry/evidence/deloitte-consulting-llp.json'), 'utf8')).toBe(
      deloitte.kind === 'add-company' ? deloitte.evidenceFile.content : '',
    );

    expect(summary.proposals.map((p) => [p.branch, p.files.length, p.prFile])).toEqual([
      ['icewatch/add-deloitte-consulting-llp', 2, 'icewatch/add-deloitte-consulting-llp/pr.md'],
      ['icewatch/add-sev1tech', 2, 'icewatch/add-sev1tech/pr.md'],
      ['icewatch/status-lukos', 1, 'icewatch/status-lukos/pr.md'],
    ]);
    expect(summary.changed).toHaveLength(8);
    expect(summary.text.split('\n')).toEqual([
      `Dry run: 3 pull requests written under ${outDir}`,
      '  icewatch/add-deloitte-consulting-llp  Add DELOITTE CONSULTING LLP: 4 active ICE awards  [2 files]',
      '  icewatch/add-sev1tech  Add SEV1TECH, LLC: 1 ICE award, none active  [2 files]',
      '  icewatch/status-lukos  Update LUKOS, LLC: active → ended  [1 file]',
    ]);
  });

  it('is deterministic, rewrites nothing unchanged, and removes proposals that left the plan', async () => {
    dir = await mkdtemp(join(tmpdir(), 'icewatch-dry-'));
    const outDir = join(dir, 'proposals');
    const proposals = realProposals(3);
    await writeDryRun(proposals, { outDir });
    const before = await stat(join(outDir, 'icewatch/add-lukos/pr.md'));
    const again = await writeDryRun(proposals, { outDir });
    expect(again.changed).toEqual([]);
    expect(again.removed).toEqual([]);
    expect((await stat(join(outDir, 'icewatch/add-lukos/pr.md'))).mtimeMs).toBe(before.mtimeMs);

    const fewer = await writeDryRun(proposals.slice(0, 1), { outDir });
    expect(fewer.removed).toEqual([
      'icewatch/add-deloitte-consulting-llp/files/data/registry/companies/deloitte-consulting-llp.yaml',
      'icewatch/add-deloitte-consulting-llp/files/data/registry/evidence/deloitte-consulting-llp.json',
      'icewatch/add-deloitte-consulting-llp/pr.md',
      'icewatch/add-sev1tech/files/data/registry/companies/sev1tech.yaml',
      'icewatch/add-sev1tech/files/data/registry/evidence/sev1tech.json',
      'icewatch/add-sev1tech/pr.md',
    ]);
    expect(await readdir(join(outDir, 'icewatch'))).toEqual(['add-lukos']);
  });

  it('skips a second proposal for the same branch', async () => {
    dir = await mkdtemp(join(tmpdir(), 'icewatch-dry-'));
    const [p] = realProposals(1);
    const summary = await writeDryRun([p!, p!], { outDir: dir });
    expect(summary.proposals).toHaveLength(1);
    expect(summary.duplicates).toEqual(['icewatch/add-lukos']);
  });

  describe('never follows the managed folder out of place (issue 15, item 1)', () => {
    async function victim(root: string): Promise<string> {
      const registry = join(root, 'data', 'registry');
      await mkdir(join(registry, 'companies'), { recursive: true });
      await writeFile(join(registry, 'companies', 'acme.yaml'), 'id: acme\n');
      await writeFile(join(registry, 'README.md'), 'registry\n');
      return registry;
    }

    it('refuses a link at the managed folder and deletes nothing through it', async () => {
      dir = await mkdtemp(join(tmpdir(), 'icewatch-dry-'));
      const registry = await victim(dir);
      const outDir = join(dir, 'reports', 'proposals');
      await mkdir(outDir, { recursive: true });
      await symlink('../../data/registry', join(outDir, 'icewatch'));
      await expect(writeDryRun(realProposals(1), { outDir })).rejects.toThrow(StoreError);
      await expect(writeDryRun(realProposals(1), { outDir })).rejects.toThrow(/symbolic link/);
      expect(await tree(registry)).toEqual(['README.md', 'companies/acme.yaml']);
    });

    it('refuses a link to a folder deeper in the tree, and a link at the output folder itself', async () => {
      dir = await mkdtemp(join(tmpdir(), 'icewatch-dry-'));
      const registry = await victim(dir);
      const outDir = join(dir, 'reports', 'proposals');
      await writeDryRun(realProposals(1), { outDir });
      await symlink(registry, join(outDir, 'icewatch', 'add-lukos', 'elsewhere'));
      await expect(writeDryRun([], { outDir })).rejects.toThrow(StoreError);
      expect(await tree(registry)).toEqual(['README.md', 'companies/acme.yaml']);

      const linked = join(dir, 'reports', 'linked');
      await symlink(registry, linked);
      await expect(writeDryRun(realProposals(1), { outDir: join(linked, 'companies') })).resolves.toBeDefined();
      // An explicit outDir that is itself reached through a link is the caller's choice; the managed
      // folder inside it is still checked, and nothing outside the managed folder was deleted.
      expect((await tree(registry)).filter((f) => !f.startsWith('companies/icewatch/') && !f.startsWith('companies/.icewatch'))).toEqual(['README.md', 'companies/acme.yaml']);
    });

    it('deletes only files it wrote: a file someone else put in the folder is left alone', async () => {
      dir = await mkdtemp(join(tmpdir(), 'icewatch-dry-'));
      const outDir = join(dir, 'proposals');
      await writeDryRun(realProposals(2), { outDir });
      await writeFile(join(outDir, 'icewatch', 'add-lukos', 'notes.md'), 'mine\n');
      const summary = await writeDryRun([], { outDir });
      expect(summary.removed).toHaveLength(6);
      expect(summary.foreign).toEqual(['icewatch/add-lukos/notes.md']);
      expect(await readFile(join(outDir, 'icewatch', 'add-lukos', 'notes.md'), 'utf8')).toBe('mine\n');
    });
  });
});
