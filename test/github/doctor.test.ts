/**
 * `icewatch doctor` against the test GitHub: one case per setting, each turned wrong on a fresh
 * repository, and the finding must name the exact setting to change. The App check signs a real
 * RS256 JWT that the server verifies with the App's public key.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKLIST, renderChecklist, runDoctor } from '../../scripts/github/doctor.ts';
import type { Finding } from '../../scripts/github/doctor.ts';
import { createGitHubClient } from '../../scripts/github/octokit.ts';
import { contractProblems } from '../helpers/github-openapi.ts';
import { createBareRepo, startFakeGitHub } from '../helpers/github-server.ts';
import type { BareRepo, FakeApp, FakeGitHub, RepoSettings } from '../helpers/github-server.ts';

const TOKEN = 'ghs_doctorToken0123456789';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const GOOD_APP: FakeApp = { id: 123456, slug: 'icewatch-bot', publicKey: keys.publicKey, permissions: { contents: 'write', pull_requests: 'write', issues: 'write', metadata: 'read' } };
const LABELS = ['icewatch', 'icewatch: new company', 'icewatch: status change', 'icewatch: rebuild'];

let bare: BareRepo;
const servers: FakeGitHub[] = [];
beforeAll(async () => {
  bare = await createBareRepo({ 'README.md': 'x\n' });
});
afterAll(async () => {
  for (const s of servers) {
    expect(contractProblems(s.calls)).toEqual([]);
    await s.close();
  }
  await bare.remove();
});

async function doctor(settings: Partial<RepoSettings> = {}, app: FakeApp | undefined = GOOD_APP, labels = LABELS, withCredentials = true): Promise<Finding[]> {
  const gh = await startFakeGitHub({ owner: 'techqueria', repo: 'icewatch-data', token: TOKEN, bare, settings, ...(app ? { app } : {}) });
  servers.push(gh);
  for (const name of labels) gh.labels.set(name.toLowerCase(), { id: gh.labels.size + 1, name, color: 'ededed', description: null });
  const client = await createGitHubClient({ token: TOKEN, baseUrl: gh.url, retries: 0 });
  return runDoctor(client, {
    owner: 'techqueria',
    repo: 'icewatch-data',
    baseUrl: gh.url,
    ...(withCredentials ? { app: { issuer: String(GOOD_APP.id), privateKey: keys.privateKey } } : {}),
  });
}

const bad = (findings: Finding[]) => findings.filter((f) => f.severity !== 'ok').map((f) => [f.id, f.severity]);
const fixOf = (findings: Finding[], id: string) => findings.find((f) => f.id === id)?.fix ?? '';

describe('icewatch doctor', () => {
  it('finds nothing wrong on a repository set up as the README says', async () => {
    const findings = await doctor();
    expect(bad(findings)).toEqual([]);
    expect(findings.map((f) => f.id)).toEqual(CHECKLIST.map((c) => c.id));
  });

  it('Actions off, and a fork (schedules off until enabled)', async () => {
    expect(bad(await doctor({ actionsEnabled: false }))).toEqual([['actions', 'problem']]);
    const fork = await doctor({ fork: true });
    expect(bad(fork)).toEqual([['actions', 'warning']]);
    expect(fixOf(fork, 'actions')).toContain('I understand my workflows, go ahead and enable them');
  });

  it('a default branch other than main', async () => {
    const findings = await doctor({ defaultBranch: 'trunk' });
    // The bare repository has no trunk: the branch check cannot read it either.
    expect(bad(findings)).toEqual([
      ['default-branch', 'problem'],
      ['branch-protection', 'warning'],
    ]);
    expect(findings.find((f) => f.id === 'default-branch')!.message).toContain('the default branch is trunk');
    expect(fixOf(findings, 'default-branch')).toContain('Settings → General → Default branch');
  });

  it('Issues off', async () => {
    const findings = await doctor({ hasIssues: false });
    expect(bad(findings)).toEqual([['issues', 'problem']]);
    expect(fixOf(findings, 'issues')).toBe('Settings → General → Features → Issues');
  });

  it('the App: not installed, missing a permission, bad key; without one, Actions must be allowed to open pull requests', async () => {
    expect(bad(await doctor({}, { ...GOOD_APP, permissions: null }))).toEqual([
      ['app', 'problem'],
      ['actions-pull-requests', 'problem'],
    ]);
    const partial = await doctor({}, { ...GOOD_APP, permissions: { contents: 'write', pull_requests: 'read', metadata: 'read' } });
    expect(partial.find((f) => f.id === 'app')!.message).toBe(
      "the App's installation lacks pull requests: Read and write (has read); issues: Read and write (has none); after changing the App's permissions, accept them on the installation",
    );
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const wrong = await doctor({}, { ...GOOD_APP, publicKey: otherKey.publicKey });
    expect(wrong.find((f) => f.id === 'app')!.message).toMatch(/^could not authenticate as the App \(401/);

    const noApp = await doctor({}, undefined, LABELS, false);
    expect(bad(noApp)).toEqual([
      ['app', 'warning'],
      ['actions-pull-requests', 'problem'],
    ]);
    expect(fixOf(noApp, 'actions-pull-requests')).toContain('"Allow GitHub Actions to create and approve pull requests"');
    expect(bad(await doctor({ actionsCanCreatePullRequests: true }, undefined, LABELS, false))).toEqual([['app', 'warning']]);
  });

  it('Pages off or built from a branch', async () => {
    expect(bad(await doctor({ pages: null }))).toEqual([['pages', 'problem']]);
    const legacy = await doctor({ pages: 'legacy' });
    expect(bad(legacy)).toEqual([['pages', 'problem']]);
    expect(fixOf(legacy, 'pages')).toBe('Settings → Pages → Build and deployment → Source: "GitHub Actions"');
  });

  it('a protected default branch', async () => {
    const findings = await doctor({ protectedBranches: ['main'] });
    expect(bad(findings)).toEqual([['branch-protection', 'warning']]);
    expect(fixOf(findings, 'branch-protection')).toContain('bypass');
  });

  it('missing labels', async () => {
    const findings = await doctor({}, GOOD_APP, ['icewatch']);
    expect(bad(findings)).toEqual([['labels', 'warning']]);
    expect(findings.find((f) => f.id === 'labels')!.message).toContain('"icewatch: rebuild"');
  });

  it("is the README's GitHub set-up checklist", () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    expect(readme).toContain(renderChecklist());
  });

  it('the command: the checklist without a token; with one, each problem and exit 1', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const cli = (env: Record<string, string>) =>
      promisify(execFile)(`${root}node_modules/.bin/tsx`, ['scripts/cli.ts', 'doctor'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const plain = await cli({});
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(renderChecklist());

    const gh = await startFakeGitHub({ owner: 'techqueria', repo: 'icewatch-data', token: TOKEN, bare, settings: { hasIssues: false } });
    servers.push(gh);
    const checked = await cli({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'techqueria/icewatch-data', GITHUB_API_URL: gh.url });
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('PROBLEM  issues: Issues are off, so the dashboard issue cannot be created\n         fix: Settings → General → Features → Issues');
    expect(checked.stdout).not.toContain(TOKEN);
  }, 60_000);
});
