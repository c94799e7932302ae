/**
 * `icewatch doctor`: is this repository set up for the bot? With a token it reads the real
 * settings through GitHub's API and names, for each problem, the exact setting to change; without
 * one it returns the checklist (which is also the README's "GitHub set-up" section, so the two
 * cannot disagree). Every check is a plain function of API replies; the CLI only prints.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { createGitHubClient, isRequestFailure } from './octokit.ts';
import type { GitHubClient } from './octokit.ts';
import { LABEL_ADD, LABEL_BOT, LABEL_STATUS } from './render-proposal.ts';
import { LABEL_REBUILD } from './propose.ts';

export interface ChecklistItem {
  id: string;
  /** What must be true. */
  title: string;
  /** Where to change it, in GitHub's own words. */
  setting: string;
  why: string;
}

/** The App's repository permissions the pipeline needs (metadata: read comes with every App). */
export const APP_PERMISSIONS: Readonly<Record<string, 'read' | 'write'>> = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  metadata: 'read',
};

export const BOT_LABELS = [LABEL_BOT, LABEL_ADD, LABEL_STATUS, LABEL_REBUILD] as const;

export const CHECKLIST: readonly ChecklistItem[] = [
  {
    id: 'actions',
    title: 'GitHub Actions is enabled, and on a fork its workflows are switched on',
    setting: 'Settings → Actions → General → Actions permissions: "Allow all actions and reusable workflows"; on a fork, the Actions tab → "I understand my workflows, go ahead and enable them"',
    why: 'a fork starts with workflows off, and scheduled runs stay off until they are enabled, so the daily pipeline never starts',
  },
  {
    id: 'default-branch',
    title: 'The default branch is `main`',
    setting: 'Settings → General → Default branch (or change `branches: [main]` in .github/workflows/ci.yml and pages.yml)',
    why: 'CI, republish and Pages run on pushes to `main`; proposals and data commits go to the default branch',
  },
  {
    id: 'issues',
    title: 'Issues are on',
    setting: 'Settings → General → Features → Issues',
    why: 'the bot keeps one dashboard issue (proposals waiting, the review queue, what needs a maintainer); with Issues off GitHub answers 410',
  },
  {
    id: 'app',
    title: 'A GitHub App writes the pull requests, installed on this repository with Contents, Pull requests and Issues: Read and write',
    setting:
      'GitHub → Settings → Developer settings → GitHub Apps → New GitHub App → Repository permissions: Contents, Pull requests, Issues: Read and write (Metadata: Read); ' +
      'install it on this repository; add its Client ID as the secret ICEWATCH_APP_CLIENT_ID and a private key as ICEWATCH_APP_PRIVATE_KEY (Settings → Secrets and variables → Actions)',
    why: "pull requests opened with the workflow's GITHUB_TOKEN start no workflow, so CI would never run on the bot's proposals",
  },
  {
    id: 'actions-pull-requests',
    title: 'Without an App: GitHub Actions may create pull requests',
    setting: 'Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"',
    why: 'new repositories have it off, and GitHub then refuses every pull request from the workflow token (403 "GitHub Actions is not permitted to create or approve pull requests")',
  },
  {
    id: 'pages',
    title: 'Pages is built by GitHub Actions',
    setting: 'Settings → Pages → Build and deployment → Source: "GitHub Actions"',
    why: 'the pipeline deploys data/published/v1 and the site with actions/deploy-pages; with Pages off or built from a branch the JSON URLs never update',
  },
  {
    id: 'branch-protection',
    title: 'The default branch accepts the pipeline’s data commits',
    setting:
      'Settings → Branches (or Rules → Rulesets) → the rule for the default branch → allow the icewatch App (or github-actions) to bypass it, or do not require pull requests there',
    why: 'the pipeline commits snapshots, published data and dismissals straight to the default branch; a protected branch refuses them (GH006)',
  },
  {
    id: 'labels',
    title: `The labels ${BOT_LABELS.map((l) => `\`${l}\``).join(', ')} exist`,
    setting: 'Issues → Labels → New label (or let the first run create them)',
    why: 'the bot finds its dashboard by label, and a maintainer adds `icewatch: rebuild` to let it rewrite a branch that carries their commits',
  },
];

export type Severity = 'ok' | 'problem' | 'warning';

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  /** The exact setting to change (problems and warnings). */
  fix?: string;
}

export interface DoctorOptions {
  owner: string;
  repo: string;
  /** The App's client ID (or numeric App ID) and private key, to check its installation here. */
  app?: { issuer: string; privateKey: string };
  baseUrl?: string;
  now?: () => number;
}

function item(id: string): ChecklistItem {
  const found = CHECKLIST.find((c) => c.id === id);
  if (!found) throw new Error(`no checklist item ${id}`);
  return found;
}

function problem(id: string, message: string, severity: Severity = 'problem'): Finding {
  return { id, severity, message, fix: item(id).setting };
}

/** An App's JSON web token (RS256, valid 9 minutes, issued a minute early for clock drift). */
export function appJwt(issuer: string, privateKey: string, nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const issuerClaim = /^\d+$/.test(issuer) ? Number(issuer) : issuer;
  const body = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: seconds - 60, exp: seconds + 540, iss: issuerClaim })}`;
  const signature = sign('RSA-SHA256', Buffer.from(body), createPrivateKey(privateKey)).toString('base64url');
  return `${body}.${signature}`;
}

async function optional<T>(call: () => Promise<T>): Promise<T | { status: number; message: string }> {
  try {
    return await call();
  } catch (error) {
    if (isRequestFailure(error)) return { status: error.status, message: error.message };
    throw error;
  }
}

function failed(value: unknown): value is { status: number; message: string } {
  return typeof value === 'object' && value !== null && 'status' in value && typeof (value as { status: unknown }).status === 'number' && !('data' in value);
}

/** Every check, in checklist order. */
export async function runDoctor(client: GitHubClient, options: DoctorOptions): Promise<Finding[]> {
  const repo = { owner: options.owner, repo: options.repo };
  const findings: Finding[] = [];
  const repoReply = await client.rest.repos.get(repo);
  const info = repoReply.data;

  const actions = await optional(() => client.rest.actions.getGithubActionsPermissionsRepository(repo));
  if (failed(actions)) findings.push(problem('actions', `could not read the Actions settings (${actions.status}: ${actions.message}); the token needs the Administration: read permission to check them`, 'warning'));
  else if (!actions.data.enabled) findings.push(problem('actions', 'GitHub Actions is disabled for this repository'));
  else if (info.fork) findings.push(problem('actions', 'this repository is a fork: GitHub keeps its workflows and schedules off until someone enables them in the Actions tab', 'warning'));
  else findings.push({ id: 'actions', severity: 'ok', message: 'Actions is enabled' });

  findings.push(
    info.default_branch === 'main'
      ? { id: 'default-branch', severity: 'ok', message: 'the default branch is main' }
      : problem('default-branch', `the default branch is ${info.default_branch}, but the workflows run on pushes to main`),
  );

  findings.push(info.has_issues ? { id: 'issues', severity: 'ok', message: 'Issues are on' } : problem('issues', 'Issues are off, so the dashboard issue cannot be created'));

  let appOk = false;
  if (!options.app) {
    findings.push(problem('app', 'no GitHub App credentials given (ICEWATCH_APP_CLIENT_ID and ICEWATCH_APP_PRIVATE_KEY): the pipeline falls back to GITHUB_TOKEN and CI will not run on its pull requests', 'warning'));
  } else {
    const jwt = appJwt(options.app.issuer, options.app.privateKey, (options.now ?? Date.now)());
    const appClient = await createGitHubClient({ token: jwt, ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), retries: 0 });
    const installation = await optional(() => appClient.rest.apps.getRepoInstallation(repo));
    if (failed(installation)) {
      findings.push(
        installation.status === 404
          ? problem('app', `the App is not installed on ${options.owner}/${options.repo}`)
          : problem('app', `could not authenticate as the App (${installation.status}: ${installation.message}); check ICEWATCH_APP_CLIENT_ID and ICEWATCH_APP_PRIVATE_KEY`),
      );
    } else {
      const granted = installation.data.permissions as Record<string, string | undefined>;
      const missing = Object.entries(APP_PERMISSIONS)
        .filter(([name, level]) => !(granted[name] === 'write' || (level === 'read' && granted[name] === 'read')))
        .map(([name, level]) => `${name.replace(/_/g, ' ')}: ${level === 'write' ? 'Read and write' : 'Read'} (has ${granted[name] ?? 'none'})`);
      if (missing.length) findings.push(problem('app', `the App's installation lacks ${missing.join('; ')}; after changing the App's permissions, accept them on the installation`));
      else {
        appOk = true;
        findings.push({ id: 'app', severity: 'ok', message: `the App ${String(installation.data.app_slug ?? '')} is installed with the permissions it needs`.replace('App  is', 'App is') });
      }
    }
  }

  const workflow = await optional(() => client.rest.actions.getGithubActionsDefaultWorkflowPermissionsRepository(repo));
  if (failed(workflow)) {
    findings.push(problem('actions-pull-requests', `could not read the workflow permissions (${workflow.status}: ${workflow.message})`, 'warning'));
  } else if (!workflow.data.can_approve_pull_request_reviews) {
    findings.push(
      appOk
        ? { id: 'actions-pull-requests', severity: 'ok', message: 'Actions may not create pull requests, which is fine: the App writes them' }
        : problem('actions-pull-requests', 'GitHub Actions is not allowed to create pull requests here, and no working App is configured: every proposal would fail with 403'),
    );
  } else findings.push({ id: 'actions-pull-requests', severity: 'ok', message: 'Actions may create pull requests' });

  const pages = await optional(() => client.rest.repos.getPages(repo));
  if (failed(pages)) {
    findings.push(pages.status === 404 ? problem('pages', 'GitHub Pages is not enabled') : problem('pages', `could not read the Pages settings (${pages.status}: ${pages.message})`, 'warning'));
  } else if (pages.data.build_type !== 'workflow') {
    findings.push(problem('pages', `Pages is built from a branch (${pages.data.source?.branch ?? 'unknown'}), not by GitHub Actions`));
  } else findings.push({ id: 'pages', severity: 'ok', message: `Pages is deployed by Actions to ${pages.data.html_url ?? 'its URL'}` });

  const branch = await optional(() => client.rest.repos.getBranch({ ...repo, branch: info.default_branch }));
  if (failed(branch)) findings.push(problem('branch-protection', `could not read ${info.default_branch} (${branch.status}: ${branch.message})`, 'warning'));
  else if (branch.data.protected) {
    findings.push(problem('branch-protection', `${info.default_branch} is protected: unless the App or github-actions may bypass the rule, GitHub refuses the pipeline's data commits`, 'warning'));
  } else findings.push({ id: 'branch-protection', severity: 'ok', message: `${info.default_branch} is not protected` });

  const labels = (await client.paginate(client.rest.issues.listLabelsForRepo, { ...repo, per_page: 100 })) as Array<{ name: string }>;
  const have = new Set(labels.map((l) => l.name.toLowerCase()));
  const missing = BOT_LABELS.filter((l) => !have.has(l.toLowerCase()));
  findings.push(
    missing.length
      ? problem('labels', `missing label(s) ${missing.map((l) => `"${l}"`).join(', ')} (the first run creates them)`, 'warning')
      : { id: 'labels', severity: 'ok', message: 'the bot’s labels exist' },
  );
  return findings;
}

/** The checklist as Markdown: the README's "GitHub set-up" list, and what `doctor` prints without a token. */
export function renderChecklist(): string {
  return CHECKLIST.map((c, i) => `${i + 1}. **${c.title}.** ${c.setting}. *Why:* ${c.why}.`).join('\n');
}

export function renderFindings(findings: readonly Finding[]): string {
  const mark: Record<Severity, string> = { ok: 'ok     ', warning: 'warning', problem: 'PROBLEM' };
  return findings.map((f) => `${mark[f.severity]}  ${f.id}: ${f.message}${f.fix && f.severity !== 'ok' ? `\n         fix: ${f.fix}` : ''}`).join('\n');
}
