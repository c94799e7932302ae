import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleCheckScript, CHECK_PAGE_CSP, renderCheckHtml } from '../../scripts/check/site-page.ts';
import { REPO_ROOT, runCli } from '../helpers/cli-run.ts';

describe('check page files', { timeout: 60_000 }, () => {
  it('is a strict-CSP page with no inline script or style, and a deterministic bundle with no Node built-ins', async () => {
    const html = renderCheckHtml();
    expect(html).toContain(`content="${CHECK_PAGE_CSP}"`);
    expect(CHECK_PAGE_CSP).toMatch(/default-src 'none'.*script-src 'self'.*connect-src 'self'/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\son[a-z]+=|style="/i);
    expect(html.match(/\b(?:src|href)="([^"]+)"/g)?.every((a) => !/https?:|\/\//.test(a))).toBe(true);
    const js = await bundleCheckScript();
    expect(js).not.toMatch(/\brequire\(|node:|process\.env/);
    expect(js).not.toContain(REPO_ROOT);
  });

  it('publishes from any working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-site-'));
    try {
      for (const d of ['registry', 'snapshots', 'state', 'config.yaml']) await cp(join(REPO_ROOT, 'data', d), join(dir, d), { recursive: true });
      const r = await runCli(['publish', '--data', join(dir)], dir);
      expect(r.stderr).not.toContain('unexpected error');
      expect(r.code).toBe(0);
      expect(await readFile(join(dir, 'published/site/assets/check.js'), 'utf8')).toBe(await bundleCheckScript());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
