/**
 * The shell the workflows run, run for real: the Pages folder assembly, CI's "is this the bot's
 * proposal" decision (issue 15 item 12), and scripts/github/push-main.sh against a bare repository
 * with GitHub's push rules (test/helpers/github-git.ts). Plus the policy for jobs that hold a write
 * token: Node 24, no install scripts, pushes only through push-main.sh in one concurrency group.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { createBareRepo, git } from '../helpers/github-git.ts';
import type { BareRepo } from '../helpers/github-git.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { permissions?: Record<string, string>; concurrency?: { group: string }; steps?: Step[]; uses?: string; needs?: string | string[]; if?: string };
const wf = (name: string) => parse(readFileSync(`${ROOT}.github/workflows/${name}`, 'utf8')) as { jobs: Record<string, Job> };
const FILES = ['ci.yml', 'pipeline.yml', 'pages.yml'];

async function bash(script: string, env: Record<string, string>, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('bash', ['-eo', 'pipefail', '-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const scratch: string[] = [];
let bare: BareRepo | undefined;
afterEach(async () => {
  for (const d of scratch.splice(0)) await rm(d, { recursive: true, force: true });
  await bare?.remove();
  bare = undefined;
});

describe('CI: the published-outputs check is waived only for the bot’s own proposals', () => {
  const step = wf('ci.yml').jobs.check!.steps!.find((s) => s.id === 'proposal')!;
  const decide = async (env: Record<string, string>) => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-ci-'));
    scratch.push(dir);
    const out = join(dir, 'out');
    const r = await bash(step.run!, { GITHUB_OUTPUT: out, GITHUB_REPOSITORY: 'techqueria/icewatch-data', EVENT: 'pull_request', ...env });
    expect(r.code).toBe(0);
    return (await readFile(out, 'utf8')).trim();
  };

  it('decides by the author and the head repository, not the branch name', async () => {
    const bot = { HEAD_REPO: 'techqueria/icewatch-data', PR_AUTHOR_TYPE: 'Bot', HEAD_REF: 'icewatch/add-acme' };
    expect(await decide(bot)).toBe('bot=true');
    // A fork choosing the bot's branch name (the old check let this through).
    expect(await decide({ ...bot, HEAD_REPO: 'mallory/icewatch-data' })).toBe('bot=false');
    // A person's branch named like the bot's, in this repository.
    expect(await decide({ ...bot, PR_AUTHOR_TYPE: 'User' })).toBe('bot=false');
    // The bot's App on some other branch, and a push event.
    expect(await decide({ ...bot, HEAD_REF: 'feature/x' })).toBe('bot=false');
    expect(await decide({ ...bot, EVENT: 'push' })).toBe('bot=false');
    const check = wf('ci.yml').jobs.check!.steps!.find((s) => s.name === 'Published outputs are up to date')!;
    expect(check.env).toEqual({ BOT_PROPOSAL: '${{ steps.proposal.outputs.bot }}' });
    expect(check.run).not.toContain('HEAD_REF');
  });
});

describe('Pages: one folder with the data at its root and the site beside it', () => {
  const step = wf('pages.yml').jobs.build!.steps!.find((s) => s.name === 'Assemble the site')!;
  const checkout = async (site: Record<string, string> | undefined) => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pages-'));
    scratch.push(dir);
    await mkdir(join(dir, 'data/published/v1/schema'), { recursive: true });
    await writeFile(join(dir, 'data/published/v1/companies.json'), '{}');
    await writeFile(join(dir, 'data/published/v1/schema/companies.schema.json'), '{}');
    if (site) {
      for (const [f, c] of Object.entries(site)) {
        await mkdir(join(dir, 'data/published/site', f, '..'), { recursive: true });
        await writeFile(join(dir, 'data/published/site', f), c);
      }
    }
    return dir;
  };

  it('copies v1 and, when present, the site into the artifact root', async () => {
    const dir = await checkout({ 'index.html': '<!doctype html>', 'assets/app.js': '' });
    const r = await bash(step.run!, { OUT: join(dir, 'out') }, dir);
    expect(r.code).toBe(0);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['assets', 'companies.json', 'index.html', 'schema']);
    const noSite = await checkout(undefined);
    expect((await bash(step.run!, { OUT: join(noSite, 'out') }, noSite)).code).toBe(0);
    expect((await readdir(join(noSite, 'out'))).sort()).toEqual(['companies.json', 'schema']);
  });

  it('refuses a site file that would replace a data file', async () => {
    const dir = await checkout({ 'companies.json': '[]' });
    const r = await bash(step.run!, { OUT: join(dir, 'out') }, dir);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('site files reuse data file names: ./companies.json');
  });

  it('is deployed after every change to published data: by the pipeline, by CI’s republish, and on other pushes', () => {
    expect(wf('pipeline.yml').jobs.pages!.uses).toBe('./.github/workflows/pages.yml');
    const ci = wf('ci.yml').jobs.pages!;
    expect(ci).toMatchObject({ uses: './.github/workflows/pages.yml', needs: 'republish', if: "needs.republish.outputs.published == 'true'" });
  });
});

describe('push-main.sh', () => {
  const script = join(ROOT, 'scripts/github/push-main.sh');
  const clone = async (files: Record<string, string>) => {
    const work = join(bare!.root, `clone-${Math.random().toString(36).slice(2)}`);
    await git(['clone', '--quiet', bare!.path, work]);
    for (const [f, c] of Object.entries(files)) await writeFile(join(work, f), c);
    await git(['add', '-A'], { cwd: work });
    await git(['-c', 'user.name=bot', '-c', 'user.email=bot@example.org', 'commit', '--quiet', '-m', 'data'], { cwd: work });
    return work;
  };
  const push = (cwd: string) => bash(`bash ${script}`, { TARGET_BRANCH: 'main', PUSH_PAUSE_SECONDS: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, cwd);

  it('rebases onto a commit that landed meanwhile and pushes again', async () => {
    bare = await createBareRepo({ 'README.md': 'x\n' });
    const work = await clone({ 'data.json': '{}\n' });
    const theirs = await bare.commitAs({ name: 'Rosa', email: 'rosa@example.org' }, 'main', { 'other.txt': 'merged\n' }, 'Merge a proposal');
    const r = await push(work);
    expect(r.stderr).not.toMatch(/error|fatal/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/moved meanwhile; rebasing/);
    const log = (await git(['log', '--format=%s', 'main'], { cwd: bare.path })).trim().split('\n');
    expect(log).toEqual(['data', 'Merge a proposal', 'Seed the repository']);
    expect((await git(['rev-parse', 'main~1'], { cwd: bare.path })).trim()).toBe(theirs);
  });

  it('explains a protected branch (GH006) with the setting to change', async () => {
    bare = await createBareRepo({ 'README.md': 'x\n' });
    await bare.protectBranch('main');
    const work = await clone({ 'data.json': '{}\n' });
    const r = await push(work);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GH006: Protected branch update failed for refs/heads/main.');
    expect(r.stderr).toContain('Settings → Branches (or Rules → Rulesets)');
  });

  it('keeps the token off every command line and hooks off', () => {
    const text = readFileSync(script, 'utf8');
    const uses = text.split('\n').filter((l) => l.includes('GH_TOKEN') && !l.trim().startsWith('#'));
    expect(uses).toEqual([
      'if [ -n "${GH_TOKEN:-}" ]; then',
      `  basic="$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 | tr -d '\\n')"`,
    ]);
    expect(text).toContain('core.hooksPath');
  });
});

describe('jobs that hold a write token', () => {
  const all = FILES.flatMap((f) => Object.entries(wf(f).jobs).map(([name, job]) => ({ file: f, name, job })));
  const writers = all.filter(({ job }) => Object.values(job.permissions ?? {}).includes('write') && job.steps);

  it('run Node 24 everywhere (CI tests the project on Node 20 and 24), and npm without install scripts', () => {
    const ci = parse(readFileSync(`${ROOT}.github/workflows/ci.yml`, 'utf8')) as { jobs: Record<string, { strategy?: { matrix?: { node?: number[] } } }> };
    expect(ci.jobs.check!.strategy?.matrix?.node).toEqual([20, 24]);
    for (const { file, name, job } of all) {
      for (const s of job.steps ?? []) {
        const expected = file === 'ci.yml' && name === 'check' ? '${{ matrix.node }}' : 24;
        if (s.uses?.startsWith('actions/setup-node@')) expect(s.with?.['node-version'], `${file}:${name}`).toBe(expected);
        if (s.run?.includes('npm ci')) expect(s.run, `${file}:${name}`).toContain('npm ci --ignore-scripts');
      }
    }
  });

  it('push the default branch only through push-main.sh, all in one concurrency group, never a token in a git argument', () => {
    const pushers = writers.filter(({ job }) => (job.steps ?? []).some((s) => s.run?.includes('push-main.sh')));
    expect(pushers.map((p) => `${p.file}:${p.name}`).sort()).toEqual(['ci.yml:republish', 'pipeline.yml:propose', 'pipeline.yml:update']);
    for (const p of pushers) expect(p.job.concurrency?.group, `${p.file}:${p.name}`).toBe('icewatch-writes-main');
    for (const f of FILES) {
      const text = readFileSync(`${ROOT}.github/workflows/${f}`, 'utf8');
      expect(text, f).not.toMatch(/git[^\n]*(push|fetch)[^\n]*(extraheader|AUTHORIZATION|\$GH_TOKEN|\$GITHUB_TOKEN)/i);
      expect(text, f).not.toContain('base64');
      expect(text, f).not.toContain('GITHUB_REF_NAME');
    }
  });

  it('scope the App token to what proposing needs', () => {
    const token = wf('pipeline.yml').jobs.propose!.steps!.find((s) => s.uses?.startsWith('actions/create-github-app-token@'))!;
    expect(token.with).toEqual({
      'client-id': '${{ secrets.ICEWATCH_APP_CLIENT_ID }}',
      'private-key': '${{ secrets.ICEWATCH_APP_PRIVATE_KEY }}',
      'permission-contents': 'write',
      'permission-pull-requests': 'write',
      'permission-issues': 'write',
    });
  });

  it('the scheduled pipeline starts with the live smoke test and stops with a summary when it fails', () => {
    const steps = wf('pipeline.yml').jobs.sources!.steps!;
    const smoke = steps.findIndex((s) => s.name === 'Live smoke test');
    expect(steps.slice(0, smoke).map((s) => s.uses?.split('@')[0] ?? s.run)).toEqual(['actions/checkout', 'actions/setup-node', 'npm ci --ignore-scripts --no-audit --no-fund']);
    expect(steps[smoke]!.run).toContain('npm run --silent icewatch -- smoke --live');
    expect(steps[smoke]!.run).toContain('GITHUB_STEP_SUMMARY');
    expect(steps[smoke]!.run).toContain('exit 1');
  });
});
