/**
 * Proposals → pull requests. Idempotent and polite:
 * - the bot finds its own pull requests by the hidden marker and the fixed branch, whatever labels
 *   or titles a maintainer changed, and only from branches in this repository (a fork cannot pose
 *   as the bot by copying the marker);
 * - an open pull request is edited only when its rendered content hash changed, never duplicated
 *   (GitHub's "A pull request already exists" reply leads to the existing one);
 * - a branch with a maintainer's commits is never rewritten; the bot comments once instead;
 * - a pull request closed without merging is reported as dismissed (the caller records it in
 *   data/registry/dismissed.yaml) and is not reopened; the candidate returns only with a new award,
 *   as a new pull request that says what is new;
 * - new pull requests are capped per run and in total; the rest wait on the dashboard issue;
 * - one proposal's failure never stops the others or the dashboard, and what the run learned
 *   (dismissals) is always returned: failures are listed in the result for the caller to report;
 * - creating calls (pull request, issue, comment) are never blindly retried: after a 5xx the bot
 *   looks for what it tried to create before trying again, so a write GitHub did do is not doubled.
 *
 * It returns what happened; writing dismissed.yaml and printing are the caller's business.
 */
import type { Proposal, ReviewItem } from '../plan/types.ts';
import type { DismissedEntry } from '../registry/schema.ts';
import { GitHubError } from '../util/errors.ts';
import { toPlainText } from '../util/sanitize.ts';
import { syncDashboard } from './dashboard.ts';
import type { DashboardContent, DashboardEntry, DashboardResult } from './dashboard.ts';
import { GitWorkspace } from './git-push.ts';
import type { GitWorkspaceOptions, SyncOutcome } from './git-push.ts';
import { parseNoticeMarker, parseProposalMarker, writeNoticeMarker } from './marker.ts';
import type { ProposalMarker } from './marker.ts';
import { asGitHubError, explainFailure, isFatal, isServerError } from './failures.ts';
import { createGitHubClient, isRequestFailure, validationMessages } from './octokit.ts';
import type { GitHubClient, GitHubClientOptions, GitHubLog } from './octokit.ts';
import { LABEL_ADD, LABEL_BOT, LABEL_STATUS, branchFor, carryOverChecks, renderProposal } from './render-proposal.ts';
import type { RenderOptions, RenderedProposal } from './render-proposal.ts';

export interface ProposeCaps {
  /** New pull requests opened in one run. */
  maxNewPerRun: number;
  /** Bot pull requests open at once (counting the ones opened this run). */
  maxOpen: number;
}

export interface ProposeOptions {
  owner: string;
  repo: string;
  /** Octokit settings: token, baseUrl, waits. Ignored when `client` is given. */
  api: GitHubClientOptions;
  /** git settings: remote URL, token, bot identity; the base branch defaults to the repository's default branch. */
  git: Omit<GitWorkspaceOptions, 'baseBranch'> & { baseBranch?: string };
  /** Re-open the dashboard issue when a maintainer closed it (config `proposals.reopenClosedDashboard`). Default false. */
  reopenClosedDashboard?: boolean;
  caps?: ProposeCaps;
  /** Add-company proposals below this confidence open as drafts (config `draftBelowThreshold`). */
  draftBelowConfidence?: number;
  /** The plan's review queue, shown on the dashboard issue. */
  reviewQueue?: ReviewItem[];
  sourceTitles?: Readonly<Record<string, string>>;
  /** Keep a dashboard issue. Default true. */
  dashboard?: boolean;
  dashboardTitle?: string;
  log?: GitHubLog;
  /** An Octokit built elsewhere (tests share one to count requests). */
  client?: GitHubClient;
}

export interface ProposalRef {
  id: string;
  kind: Proposal['kind'];
  branch: string;
  title: string;
  number?: number;
  url?: string;
  draft?: boolean;
}

export type SkipReason =
  | 'cap-per-run'
  | 'cap-open'
  | 'maintainer-commits'
  | 'closed-unmerged'
  | 'merged'
  | 'marker-missing'
  | 'no-file-changes'
  | 'already-in-base'
  | 'branch-changed'
  | 'duplicate-branch'
  | 'push-refused'
  | 'failed'
  | 'not-attempted';

export interface SkippedProposal extends ProposalRef {
  reason: SkipReason;
  detail: string;
  /** For maintainer-commits: whether a notice comment was posted this run. */
  commented?: boolean;
}

export interface ProposeFailure {
  /** The proposal, or "dashboard" / "labels". */
  id: string;
  branch?: string;
  message: string;
  status?: number;
}

export interface ProposeResult {
  /** What went wrong this run, one entry per proposal or step; the rest of the run went on. */
  failures: ProposeFailure[];
  opened: ProposalRef[];
  updated: ProposalRef[];
  unchanged: ProposalRef[];
  skipped: SkippedProposal[];
  /** Candidates whose pull request was closed without merging: the caller merges these into dismissed.yaml. */
  dismissed: DismissedEntry[];
  dashboard: DashboardResult;
  /** Branches pushed this run. */
  pushes: Array<{ branch: string; sha: string; forced: boolean }>;
}

interface PullLike {
  number: number;
  state: string;
  title: string;
  body?: string | null;
  html_url: string;
  merged_at?: string | null;
  closed_at?: string | null;
  draft?: boolean;
  labels?: Array<{ name?: string } | string>;
  head: { ref: string; repo?: { full_name?: string } | null };
}

/** A maintainer adds this label to let the bot rewrite a branch that carries their commits. */
export const LABEL_REBUILD = 'icewatch: rebuild';

interface KnownPull {
  pr: PullLike;
  marker?: ProposalMarker;
}

const LABELS: Array<{ name: string; color: string; description: string }> = [
  { name: LABEL_BOT, color: '5319e7', description: 'Opened or kept by the icewatch pipeline' },
  { name: LABEL_ADD, color: '0e8a16', description: 'icewatch proposes adding a company to the registry' },
  { name: LABEL_STATUS, color: 'fbca04', description: "icewatch proposes a change to a company's status" },
  { name: LABEL_REBUILD, color: 'd93f0b', description: 'Let icewatch rewrite this branch with its newest evidence (replaces commits on it)' },
];

const silent: GitHubLog = { debug() {}, info() {}, warn() {}, error() {} };

export async function proposeAll(proposals: readonly Proposal[], options: ProposeOptions): Promise<ProposeResult> {
  const client = options.client ?? (await createGitHubClient({ ...options.api, log: options.api.log ?? options.log }));
  const run = new ProposeRun(options, client);
  try {
    return await run.execute(proposals);
  } catch (error) {
    throw asGitHubError(error);
  } finally {
    await run.close();
  }
}

class ProposeRun {
  private readonly client: GitHubClient;
  private readonly repo: { owner: string; repo: string };
  private readonly log: GitHubLog;
  private workspace?: GitWorkspace;
  private labelsReady = false;
  private readonly result: ProposeResult = {
    failures: [],
    opened: [],
    updated: [],
    unchanged: [],
    skipped: [],
    dismissed: [],
    dashboard: { action: 'none' },
    pushes: [],
  };
  private readonly dashboard: DashboardContent;
  /** Pull requests of the bot by branch, newest first. */
  private readonly byBranch = new Map<string, KnownPull[]>();
  private openCount = 0;
  private baseBranch = '';
  /** Set when GitHub refuses every new pull request (Actions not permitted): later ones wait. */
  private createBlocked?: string;
  /** Open bot pull requests by number, for the dashboard (titles as they will be after this run). */
  private readonly openPulls = new Map<number, DashboardEntry>();

  constructor(
    private readonly options: ProposeOptions,
    client: GitHubClient,
  ) {
    this.client = client;
    this.repo = { owner: options.owner, repo: options.repo };
    this.log = options.log ?? silent;
    this.dashboard = {
      open: [],
      waiting: [],
      needsMaintainer: [],
      dismissed: [],
      reviewQueue: options.reviewQueue ?? [],
      ...(options.caps ? { caps: options.caps } : {}),
    };
  }

  async close(): Promise<void> {
    await this.workspace?.close();
  }

  async execute(proposals: readonly Proposal[]): Promise<ProposeResult> {
    this.baseBranch = this.options.git.baseBranch ?? (await this.defaultBranch());
    await this.scanPulls();
    const counter = { opened: 0 };
    const seenBranches = new Set<string>();
    let stopped: string | undefined;

    for (const proposal of proposals) {
      const branch = branchFor(proposal);
      if (stopped) {
        this.skip({ id: proposal.companyId, kind: proposal.kind, branch, title: proposal.name }, 'not-attempted', stopped);
        continue;
      }
      try {
        await this.handle(proposal, seenBranches, counter);
      } catch (error) {
        const message = explainFailure(error);
        this.result.failures.push({ id: proposal.companyId, branch, message, ...(isRequestFailure(error) ? { status: error.status } : {}) });
        this.log.error(`proposal ${proposal.companyId}: ${message}`);
        this.dashboard.needsMaintainer.push({ id: proposal.companyId, title: proposal.name, branch, note: `this run failed on it: ${toPlainText(message, 240)}` });
        if (isFatal(error)) stopped = `stopped after: ${message}`;
      }
    }

    this.dashboard.open = [...this.openPulls.values()];
    if ((this.options.dashboard ?? true) && !stopped) {
      try {
        this.result.dashboard = await syncDashboard(this.client, this.repo, this.dashboard, {
          ...(this.options.dashboardTitle ? { title: this.options.dashboardTitle } : {}),
          ensureLabels: () => this.ensureLabels(),
          reopenClosed: this.options.reopenClosedDashboard ?? false,
        });
      } catch (error) {
        const message = explainFailure(error);
        this.result.failures.push({ id: 'dashboard', message, ...(isRequestFailure(error) ? { status: error.status } : {}) });
        this.log.error(`dashboard: ${message}`);
      }
    }
    this.result.pushes = [...(this.workspace?.pushes ?? [])];
    return this.result;
  }

  private async defaultBranch(): Promise<string> {
    const { data } = await this.client.rest.repos.get(this.repo);
    return data.default_branch;
  }

  private async handle(proposal: Proposal, seenBranches: Set<string>, counter: { opened: number }): Promise<void> {
    const caps = this.options.caps;
    const openedThisRun = counter.opened;
    {
      const branch = branchFor(proposal);
      const known = this.byBranch.get(branch) ?? [];
      const open = known.find((k) => k.pr.state === 'open');
      const latestClosed = known.find((k) => k.pr.state !== 'open' && (!open || k.pr.number < open.pr.number));
      const renderOptions: RenderOptions = {
        ...(this.options.draftBelowConfidence !== undefined ? { draftBelowConfidence: this.options.draftBelowConfidence } : {}),
        ...(this.options.sourceTitles ? { sourceTitles: this.options.sourceTitles } : {}),
        ...(proposal.kind === 'add-company' && proposal.newSinceDismissal?.length && latestClosed && !latestClosed.pr.merged_at
          ? { previousPullRequest: { number: latestClosed.pr.number, url: latestClosed.pr.html_url } }
          : {}),
      };
      const rendered = renderProposal(proposal, renderOptions);
      const ref: ProposalRef = { id: rendered.id, kind: rendered.kind, branch, title: rendered.title };

      if (seenBranches.has(branch)) {
        this.skip(ref, 'duplicate-branch', `another proposal in this plan already uses ${branch}`);
        return;
      }
      seenBranches.add(branch);

      if (rendered.files.length === 0) {
        // A pull request needs a diff; a proposal without files is a question for a person.
        this.skip(ref, 'no-file-changes', 'nothing to change in the repository; listed for review');
        this.dashboard.needsMaintainer.push({ ...this.entry(ref), note: `no file to change: ${toPlainText(reasonOf(proposal), 300)}` });
        return;
      }

      if (open) {
        await this.handleOpen(proposal, rendered, ref, open);
        return;
      }

      if (latestClosed) {
        const sameEvidence = latestClosed.marker?.evidenceHash === proposal.evidenceHash;
        const closedRef = { ...ref, number: latestClosed.pr.number, url: latestClosed.pr.html_url };
        if (latestClosed.pr.merged_at) {
          // The same evidence was merged already (the plan has not caught up). Different evidence on
          // the same branch (a company active again, then ended again) is a new proposal.
          if (sameEvidence) {
            this.skip(closedRef, 'merged', `#${latestClosed.pr.number} was merged`);
            return;
          }
        } else {
          // Closed without merging: a dismissed candidate returns only with a new award the plan
          // flagged; a dismissed status change returns with any different evidence.
          const returning = proposal.kind === 'add-company' && (proposal.newSinceDismissal?.length ?? 0) > 0;
          const comesBack = proposal.kind === 'add-company' ? returning && !sameEvidence : !sameEvidence;
          if (!comesBack) {
            if (proposal.kind === 'add-company') {
              this.result.dismissed.push(await this.dismissedEntry(proposal, latestClosed));
              this.dashboard.dismissed.push(this.entry(closedRef));
            }
            this.skip(closedRef, 'closed-unmerged', `#${latestClosed.pr.number} was closed without merging and there is no new award`);
            return;
          }
        }
      }

      const waitReason = caps
        ? openedThisRun >= caps.maxNewPerRun
          ? ('cap-per-run' as const)
          : this.openCount >= caps.maxOpen
            ? ('cap-open' as const)
            : undefined
        : undefined;
      if (waitReason) {
        this.skip(ref, waitReason, waitReason === 'cap-per-run' ? `already opened ${openedThisRun} this run` : `${this.openCount} proposals are open`);
        this.dashboard.waiting.push({ ...this.entry(ref), confidence: proposal.kind === 'add-company' ? proposal.confidence : undefined });
        return;
      }

      if (this.createBlocked) {
        this.skip(ref, 'failed', this.createBlocked);
        this.dashboard.waiting.push({ ...this.entry(ref), note: this.createBlocked });
        return;
      }
      if (await this.openNew(proposal, rendered, ref)) counter.opened += 1;
    }
  }

  // -------------------------------------------------------------------------------------------

  private async scanPulls(): Promise<void> {
    const pulls = (await this.client.paginate(this.client.rest.pulls.list, {
      ...this.repo,
      state: 'all',
      per_page: 100,
    })) as PullLike[];
    const fullName = `${this.repo.owner}/${this.repo.repo}`.toLowerCase();
    for (const pr of pulls) {
      if (!pr.head.ref.startsWith('icewatch/')) continue;
      // Only branches of this repository: a fork's pull request can copy the marker but not the head repo.
      if (pr.head.repo?.full_name?.toLowerCase() !== fullName) continue;
      const marker = parseProposalMarker(pr.body);
      if (marker && branchFor({ kind: marker.kind, companyId: marker.id }) !== pr.head.ref) continue;
      const list = this.byBranch.get(pr.head.ref) ?? [];
      list.push(marker ? { pr, marker } : { pr });
      this.byBranch.set(pr.head.ref, list);
      if (pr.state === 'open' && marker) {
        this.openCount += 1;
        this.openPulls.set(pr.number, { id: marker.id, title: pr.title, branch: pr.head.ref, number: pr.number, url: pr.html_url });
      }
    }
    for (const list of this.byBranch.values()) list.sort((a, b) => b.pr.number - a.pr.number);
  }

  private async git(): Promise<GitWorkspace> {
    this.workspace ??= await GitWorkspace.open({ ...this.options.git, baseBranch: this.baseBranch });
    return this.workspace;
  }

  private entry(ref: ProposalRef): DashboardEntry {
    return {
      id: ref.id,
      title: ref.title,
      branch: ref.branch,
      ...(ref.number !== undefined ? { number: ref.number } : {}),
      ...(ref.url ? { url: ref.url } : {}),
    };
  }

  private skip(ref: ProposalRef, reason: SkipReason, detail: string, extra: Partial<SkippedProposal> = {}): void {
    this.result.skipped.push({ ...ref, reason, detail, ...extra });
    this.log.info(`proposal ${ref.id}: skipped (${reason}: ${detail})`);
  }

  private async handleOpen(proposal: Proposal, rendered: RenderedProposal, base: ProposalRef, open: KnownPull): Promise<void> {
    const ref: ProposalRef = { ...base, number: open.pr.number, url: open.pr.html_url, draft: open.pr.draft ?? false };
    if (!open.marker) {
      this.skip(ref, 'marker-missing', `#${open.pr.number} has no icewatch marker (edited by hand?); not touching it`);
      this.dashboard.needsMaintainer.push({ ...this.entry(ref), note: 'the hidden icewatch marker was removed from the description, so the bot leaves this pull request alone' });
      return;
    }
    if (open.marker.contentHash === rendered.marker.contentHash) {
      this.result.unchanged.push(ref);
      return;
    }
    const ws = await this.git();
    const rebuild = labelNames(open.pr).some((l) => l.toLowerCase() === LABEL_REBUILD);
    const outcome = await ws.syncBranch(rendered.branch, rendered.files, rendered.commitMessage, { overrideMaintainerCommits: rebuild });
    if (rebuild && outcome.action !== 'kept-maintainer-commits' && outcome.action !== 'refused') {
      // The maintainer's go-ahead is used once; their next commit is protected again.
      await this.client.rest.issues.removeLabel({ ...this.repo, issue_number: open.pr.number, name: LABEL_REBUILD }).catch((error: unknown) => {
        if (!isRequestFailure(error) || error.status !== 404) throw error;
      });
    }
    if (outcome.action === 'refused') {
      this.refused(ref, outcome);
      return;
    }
    if (outcome.action === 'kept-maintainer-commits') {
      const commented = await this.noticeOnce(open.pr.number, rendered, outcome);
      this.skip(ref, 'maintainer-commits', `${outcome.maintainerCommits.length} commit(s) by others on ${rendered.branch}; not rewritten`, { commented });
      this.dashboard.needsMaintainer.push({
        ...this.entry(ref),
        note: 'the branch has commits by a maintainer, so newer evidence was not pushed; see the comment on the pull request',
      });
      return;
    }
    if (outcome.action === 'no-diff') {
      this.skip(ref, 'already-in-base', `the base branch already holds these files; #${open.pr.number} can be closed`);
      return;
    }
    if (outcome.action === 'remote-changed') {
      this.skip(ref, 'branch-changed', `${rendered.branch} changed on GitHub during this run; it is looked at again next run`);
      return;
    }
    await this.client.rest.pulls.update({
      ...this.repo,
      pull_number: open.pr.number,
      title: rendered.title,
      body: carryOverChecks(open.pr.body, rendered.body),
    });
    this.result.updated.push(ref);
    this.openPulls.set(open.pr.number, this.entry(ref));
    this.log.info(`proposal ${ref.id}: updated #${open.pr.number}`);
  }

  private async openNew(proposal: Proposal, rendered: RenderedProposal, base: ProposalRef): Promise<boolean> {
    const ws = await this.git();
    const outcome: SyncOutcome = await ws.syncBranch(rendered.branch, rendered.files, rendered.commitMessage);
    if (outcome.action === 'refused') {
      this.refused(base, outcome);
      return false;
    }
    if (outcome.action === 'kept-maintainer-commits') {
      this.skip(base, 'maintainer-commits', `${rendered.branch} has commits by others and no open pull request; not rewritten`);
      this.dashboard.needsMaintainer.push({
        ...this.entry(base),
        note: `the branch ${rendered.branch} has commits by a maintainer and no open pull request; delete the branch to let icewatch propose again`,
      });
      return false;
    }
    if (outcome.action === 'no-diff') {
      this.skip(base, 'already-in-base', 'the base branch already holds these files');
      return false;
    }
    if (outcome.action === 'remote-changed') {
      this.skip(base, 'branch-changed', `${rendered.branch} changed on GitHub during this run; it is looked at again next run`);
      return false;
    }
    await this.ensureLabels();
    const created = await this.createPull(rendered);
    if (created === 'exists') {
      // GitHub says an open pull request for this head already exists: one the scan could not
      // attribute (e.g. its marker was edited). Adopt it if it is ours, never open a second.
      const existing = (
        await this.client.rest.pulls.list({ ...this.repo, state: 'open', head: `${this.repo.owner}:${rendered.branch}`, per_page: 10 })
      ).data[0] as PullLike | undefined;
      if (!existing) throw new GitHubError(`GitHub reports an open pull request for ${rendered.branch} but none was found`);
      const marker = parseProposalMarker(existing.body);
      await this.handleOpen(proposal, rendered, base, marker ? { pr: existing, marker } : { pr: existing });
      return false;
    }
    await this.client.rest.issues.addLabels({ ...this.repo, issue_number: created.number, labels: rendered.labels });
    const ref: ProposalRef = { ...base, number: created.number, url: created.html_url, draft: created.draft ?? false };
    this.result.opened.push(ref);
    this.openPulls.set(created.number, this.entry(ref));
    this.openCount += 1;
    this.log.info(`proposal ${ref.id}: opened #${created.number}`);
    return true;
  }

  /** GitHub refused the push: the old branch stays, and the dashboard says which setting to change. */
  private refused(ref: ProposalRef, outcome: Extract<SyncOutcome, { action: 'refused' }>): void {
    const note =
      outcome.rule === 'workflows-permission'
        ? `GitHub refused to update ${outcome.branch}: the new base changes \`${outcome.file ?? '.github/workflows/'}\` and the token has no Workflows permission. ` +
          'Grant the icewatch GitHub App Repository permissions → Workflows: Read and write (and accept the new permission on the installation); the branch was left as it was'
        : outcome.rule === 'protected-branch'
          ? `GitHub refused to update ${outcome.branch}: a branch protection rule or ruleset covers icewatch/* branches; exclude them in Settings → Branches / Rules`
          : `GitHub refused to update ${outcome.branch}: ${outcome.detail}`;
    this.skip(ref, 'push-refused', note);
    this.dashboard.needsMaintainer.push({ ...this.entry(ref), note });
  }

  private async createPull(rendered: RenderedProposal): Promise<PullLike | 'exists'> {
    const params = {
      ...this.repo,
      title: rendered.title,
      head: rendered.branch,
      base: this.baseBranch,
      body: rendered.body,
      draft: rendered.draft,
    };
    const create = async (draft: boolean): Promise<PullLike | 'exists'> => {
      try {
        // Never retried blindly: a 5xx may come after GitHub created it.
        return (await this.client.rest.pulls.create({ ...params, draft, request: { retries: 0 } })).data as PullLike;
      } catch (error) {
        if (isServerError(error)) {
          const made = await this.findOpenPull(rendered.branch);
          if (made) return made;
          return (await this.client.rest.pulls.create({ ...params, draft, request: { retries: 0 } })).data as PullLike;
        }
        throw error;
      }
    };
    try {
      return await create(rendered.draft);
    } catch (error) {
      if (isRequestFailure(error) && error.status === 403 && /not permitted to create or approve pull requests/i.test(error.message)) {
        this.createBlocked = explainFailure(error);
        throw error;
      }
      if (!isRequestFailure(error) || error.status !== 422) throw error;
      const messages = validationMessages(error);
      if (messages.some((m) => /a pull request already exists/i.test(m))) return 'exists';
      if (rendered.draft && messages.concat(error.message).some((m) => /draft/i.test(m))) {
        // Draft pull requests are not available on every plan; fall back to a ready one.
        return create(false);
      }
      throw new GitHubError(`could not open a pull request for ${rendered.branch}: ${messages.join('; ') || error.message}`, {
        status: 422,
        endpoint: 'POST /repos/{owner}/{repo}/pulls',
      });
    }
  }

  private async findOpenPull(branch: string): Promise<PullLike | undefined> {
    const { data } = await this.client.rest.pulls.list({ ...this.repo, state: 'open', head: `${this.repo.owner}:${branch}`, per_page: 10 });
    return (data as PullLike[])[0];
  }

  /** One comment per new content: the notice marker records which content it was about. */
  private async hasNotice(number: number, rendered: RenderedProposal): Promise<boolean> {
    const comments = (await this.client.paginate(this.client.rest.issues.listComments, {
      ...this.repo,
      issue_number: number,
      per_page: 100,
    })) as Array<{ body?: string | null }>;
    return comments.some((c) => {
      const notice = parseNoticeMarker(c.body);
      return notice?.id === rendered.id && notice.contentHash === rendered.marker.contentHash;
    });
  }

  private async noticeOnce(number: number, rendered: RenderedProposal, outcome: Extract<SyncOutcome, { action: 'kept-maintainer-commits' }>): Promise<boolean> {
    if (await this.hasNotice(number, rendered)) return false;
    const files = rendered.files.map((f) => `- \`${f.path}\``).join('\n');
    const body = [
      writeNoticeMarker({ id: rendered.id, contentHash: rendered.marker.contentHash }),
      `icewatch has newer evidence for this proposal (evidence hash \`${rendered.marker.evidenceHash}\`), ` +
        `but \`${rendered.branch}\` has ${outcome.maintainerCommits.length} commit(s) by someone other than the bot, ` +
        'so it did not rewrite the branch or the description.',
      '',
      'To take the new evidence, either update these files by hand:',
      '',
      files,
      '',
      `or add the label \`${LABEL_REBUILD}\` to this pull request: on its next run icewatch rewrites the branch with the new ` +
        'evidence (replacing the commits on it) and removes the label. Deleting the branch would close this pull request, ' +
        'which icewatch reads as a dismissal. A dry run (`icewatch propose --dry-run`) writes the new files under `reports/proposals/`.',
    ].join('\n');
    try {
      await this.client.rest.issues.createComment({ ...this.repo, issue_number: number, body, request: { retries: 0 } });
    } catch (error) {
      if (!isServerError(error)) throw error;
      if (!(await this.hasNotice(number, rendered))) await this.client.rest.issues.createComment({ ...this.repo, issue_number: number, body, request: { retries: 0 } });
    }
    return true;
  }

  private async dismissedEntry(proposal: Extract<Proposal, { kind: 'add-company' }>, closed: KnownPull): Promise<DismissedEntry> {
    const marker = closed.marker;
    let awardKeys: string[] | undefined;
    if (marker?.evidenceHash === proposal.evidenceHash) {
      awardKeys = proposal.evidence.awards.map((a) => a.awardKey);
    } else {
      awardKeys = await this.awardKeysOf(closed.pr.number, branchFor(proposal), proposal.evidenceFile.path);
    }
    const date = (closed.pr.closed_at ?? '').slice(0, 10);
    const entry: DismissedEntry = {
      id: proposal.companyId,
      name: toPlainText(proposal.name, 200) || proposal.companyId,
      reason: `pull request #${closed.pr.number} was closed without merging`,
      // A closed pull request always has closed_at; the fallback only keeps the entry schema-valid.
      date: /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : '1970-01-01',
      pullRequest: closed.pr.html_url,
    };
    if (marker?.evidenceHash) entry.evidenceHash = marker.evidenceHash;
    if (awardKeys) entry.awardKeys = [...new Set(awardKeys)].sort();
    return entry;
  }

  /**
   * The award keys of a closed proposal: from the evidence file its pull request last held
   * (refs/pull/N/head outlives a deleted branch), else from its branch.
   */
  private async awardKeysOf(number: number, branch: string, path: string): Promise<string[] | undefined> {
    const ws = await this.git();
    for (const read of [() => ws.readPullFile(number, path), () => ws.readFile(branch, path)]) {
      try {
        const text = await read();
        if (!text) continue;
        const parsed = JSON.parse(text) as { awards?: Array<{ awardKey?: unknown }> };
        return (parsed.awards ?? []).map((a) => a.awardKey).filter((k): k is string => typeof k === 'string');
      } catch {
        // A damaged or missing file: try the next place.
      }
    }
    return undefined;
  }

  /** One listing of the repository's labels, then only the missing ones are created (no 404 probes). */
  private async ensureLabels(): Promise<void> {
    if (this.labelsReady) return;
    const existing = (await this.client.paginate(this.client.rest.issues.listLabelsForRepo, { ...this.repo, per_page: 100 })) as Array<{ name: string }>;
    const have = new Set(existing.map((l) => l.name.toLowerCase()));
    for (const label of LABELS) {
      if (have.has(label.name.toLowerCase())) continue;
      try {
        await this.client.rest.issues.createLabel({ ...this.repo, ...label });
      } catch (createError) {
        // 422 already_exists: another run created it meanwhile.
        if (!isRequestFailure(createError) || createError.status !== 422) throw createError;
      }
    }
    this.labelsReady = true;
  }
}

function labelNames(pr: PullLike): string[] {
  return (pr.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
}

function reasonOf(proposal: Proposal): string {
  return proposal.kind === 'status-change' ? proposal.reason : `candidate ${proposal.companyId}`;
}
