import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli-run.ts';

describe('icewatch validate with watch lists', { timeout: 60_000 }, () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints FILE:LINE for a broken watch list and exits 1; a valid one passes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'icewatch-validate-'));
    await cp(join(REPO_ROOT, 'data/registry'), join(dir, 'registry'), { recursive: true });
    await mkdir(join(dir, 'watchlists'));
    await writeFile(join(dir, 'watchlists', 'sponsors.yaml'), 'title: Sponsors\ncompanies:\n  - name: AWS\n    uei: 123456789012\n');
    const broken = await runCli(['validate', '--data', dir]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/watchlists\/sponsors\.yaml:4: companies\[0\]\.uei: .*put it in quotes: '123456789012'/);
    await writeFile(join(dir, 'watchlists', 'sponsors.yaml'), "title: Sponsors\ncompanies:\n  - name: AWS\n    uei: '123456789012'\n");
    expect((await runCli(['validate', '--data', dir])).code).toBe(0);
  });
});
