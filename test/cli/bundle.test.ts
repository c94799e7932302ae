/**
 * `npm start` runs the esbuild bundle (scripts/build.mjs → dist/cli.mjs), not the sources. The bundle is a
 * different file at a different depth, so every path the code builds from its own location (package.json
 * for the User-Agent, the site's assets, the check page's entry) must still land in the repository: the
 * proof is that a run from the bundle writes exactly the files a run from the sources writes.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, recordedDataDir, removeDir } from '../pipeline/recorded-data.ts';

const run = promisify(execFile);

async function exec(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      maxBuffer: 20 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function treeHash(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

describe('the compiled bundle', { timeout: 120_000 }, () => {
  // Inside the repository (like dist/), so the bundle finds package.json and node_modules above it.
  const outDir = join(REPO, '.tmp', `bundle-test-${process.pid}`);
  const bundle = join(outDir, 'cli.mjs');
  let data: string;
  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    const built = await exec(process.execPath, [join(REPO, 'scripts/build.mjs'), '--outfile', bundle]);
    expect(built.stderr).toContain(`built ${bundle}`);
    data = await recordedDataDir();
  }, 120_000);
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    if (data) await removeDir(data);
  });

  it('loads only what an offline run uses: the GitHub, HTTP, zip and chart packages and esbuild come when needed', async () => {
    const text = await readFile(bundle, 'utf8');
    const staticImports = [...text.matchAll(/^import [^;]*? from "([^"]+)"/gm)].map((m) => m[1]!);
    for (const lazy of ['@octokit/rest', 'bottleneck', 'undici', 'p-limit', 'yauzl', 'vega', 'vega-lite', '@actions/core', 'esbuild', 'cheerio']) {
      expect(staticImports).not.toContain(lazy);
    }
    // The check page's script is built into the bundle (the run above proves it is the same bytes).
    expect(text).not.toContain('ICEWATCH_CHECK_SCRIPT');
    expect(text).not.toContain('import("esbuild")');
  });

  it('carries every command and the package version', async () => {
    const help = await exec(process.execPath, [bundle, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/validate\|fetch\|match\|audit\|run\|publish/);
    const validate = await exec(process.execPath, [bundle, 'validate']);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toContain('registry: 0 error(s)');
  });

  it('writes byte for byte what the sources write for the same offline run', async () => {
    const fromBundle = await mkdtemp(join(REPO, '.tmp', 'bundle-run-'));
    const fromSource = await mkdtemp(join(REPO, '.tmp', 'source-run-'));
    try {
      await cp(data, fromBundle, { recursive: true });
      await cp(data, fromSource, { recursive: true });
      const args = (dir: string) => ['run', '--offline', '--as-of', '2026-11-27', '--data', dir, '--reports', join(dir, 'reports')];
      const a = await exec(process.execPath, [bundle, ...args(fromBundle)]);
      expect(a.stderr).not.toMatch(/ENOENT|at .*\.mjs:\d+/);
      expect(a.code).toBe(0);
      const b = await exec(join(REPO, 'node_modules/.bin/tsx'), [join(REPO, 'scripts/cli.ts'), ...args(fromSource)]);
      expect(b.code).toBe(0);
      const bundleFiles = await treeHash(fromBundle);
      // The site (its assets are read from scripts/site/assets) is among what must match.
      expect(Object.keys(bundleFiles).some((f) => f.endsWith('site.css'))).toBe(true);
      const sourceFiles = await treeHash(fromSource);
      // generatedAt is the wall clock of the run that first wrote this content (by design); all else must match.
      const companies = async (dir: string) => ({ ...JSON.parse(await readFile(join(dir, 'published/v1/companies.json'), 'utf8')), generatedAt: 'x' });
      expect(await companies(fromBundle)).toEqual(await companies(fromSource));
      const COMPANIES = 'published/v1/companies.json';
      expect({ ...bundleFiles, [COMPANIES]: '' }).toEqual({ ...sourceFiles, [COMPANIES]: '' });
    } finally {
      await removeDir(fromBundle);
      await removeDir(fromSource);
    }
  });
});
