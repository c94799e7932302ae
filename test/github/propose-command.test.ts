/**
 * `icewatch propose` as the workflow runs it, against the test GitHub: the bot commits as the App
 * that holds the token (its bot user's noreply address), dismissals learned are written to
 * dismissed.yaml even when a later step fails, and the failure is then reported with the setting to
 * change.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Config } from '../../scripts/config.ts';
import { proposeFromPlan } from '../../scripts/pipeline/propose-command.ts';
import type { Plan } from '../../scripts/plan/types.ts';
import { GitHubError } from '../../scripts/util/errors.ts';
import { contractProblems } from '../helpers/github-openapi.ts';
import { createBareRepo, git, startFakeGitHub } from '../helpers/github-server.ts';
import type { BareRepo, FakeGitHub } from '../helpers/github-server.ts';
import { realProposals } from './proposal-fixtures.ts';

const TOKEN = 'ghs_commandToken0123456789';
let bare: BareRepo | undefined;
let gh: FakeGitHub | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (gh) expect(contractProblems(gh.calls)).toEqual([]);
  await gh?.close();
  await bare?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
  gh = bare = dir = undefined;
});

const config = {
  proposals: { maxNewPerRun: 5, maxOpen: 20, draftBelowThreshold: false, mentionOnlyMinSources: 2 },
} as Config;

function plan(proposals: Plan['proposals']): Plan {
  return { asOf: '2025-06-01', sources: [], candidates: [], newAwards: [], transitions: [], listChanges: [], reviewQueue: [], proposals };
}

async function setup(hasIssues = true) {
  bare = await createBareRepo({ 'README.md': 'x\n' });
  gh = await startFakeGitHub({ owner: 'techqueria', repo: 'icewatch-data', token: TOKEN, bare, settings: { hasIssues } });
  dir = await mkdtemp(join(tmpdir(), 'icewatch-propose-'));
  await mkdir(join(dir, 'registry'), { recursive: true });
  await writeFile(join(dir, 'registry', 'dismissed.yaml'), 'dismissed: []\n');
  const run = (p: Plan, appSlug?: string) =>
    proposeFromPlan({
      plan: p,
      dataDir: dir!,
      reportsDir: join(dir!, 'reports'),
      config,
      dryRun: false,
      github: {
        token: TOKEN,
        repository: 'techqueria/icewatch-data',
        apiUrl: gh!.url,
        remoteUrl: bare!.path,
        gitEnv: { PATH: process.env.PATH },
        api: { retryAfterBaseMs: 1, writeSpacingMs: 0 },
        ...(appSlug ? { appSlug } : {}),
      },
      log: () => {},
    });
  return { bare, gh, dir, run };
}

describe('icewatch propose', () => {
  it('commits as the App that holds the token, on the default branch', async () => {
    const { bare, run } = await setup();
    await run(plan(realProposals(1)), 'icewatch-bot');
    const who = (await git(['log', '-1', '--format=%an <%ae>|%cn <%ce>', 'refs/heads/icewatch/add-lukos'], { cwd: bare.path })).trim();
    expect(who).toBe('icewatch-bot[bot] <160219337+icewatch-bot[bot]@users.noreply.github.com>|icewatch-bot[bot] <160219337+icewatch-bot[bot]@users.noreply.github.com>');
  });

  it('commits as github-actions[bot] with the workflow token', async () => {
    const { bare, run } = await setup();
    await run(plan(realProposals(1)));
    const who = (await git(['log', '-1', '--format=%ae', 'refs/heads/icewatch/add-lukos'], { cwd: bare.path })).trim();
    expect(who).toBe('41898282+github-actions[bot]@users.noreply.github.com');
  });

  it('writes the dismissals it learned, then fails naming the setting (Issues off)', async () => {
    const { gh, dir, run } = await setup(false);
    const proposals = realProposals(2);
    await run(plan(proposals.slice(0, 1))).catch(() => undefined);
    gh.closePull(1, { at: '2025-06-02T08:00:00Z' });
    const error = await run(plan(proposals)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as Error).message).toContain('Settings → General → Features → Issues');
    expect((error as Error).message).toContain(`opened ${'https://github.com/techqueria/icewatch-data/pull/2'}`);
    const dismissed = parse(await readFile(join(dir, 'registry', 'dismissed.yaml'), 'utf8')) as { dismissed: Array<{ id: string; date: string }> };
    expect(dismissed.dismissed).toEqual([expect.objectContaining({ id: 'lukos', date: '2025-06-02' })]);
  });
});
