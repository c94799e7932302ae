/**
 * The only module that touches argv, env, exit codes and @actions/core. Everything it calls is a plain
 * function of data; this file turns flags into options and results into output.
 */
import { existsSync } from 'node:fs';
import { defineCommand, renderUsage, runCommand, type ArgsDef, type CommandDef } from 'citty';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { createChecker } from './check/core.ts';
import { CheckInputError, parseCheckInput, parseNameList } from './check/input.ts';
import { loadCheckData } from './check/load.ts';
import { describeTables, renderQuery, runQuery, type QueryFormat } from './query/query.ts';
import { renderCheck, type CheckFormat } from './check/render.ts';
import { loadConfig } from './config.ts';
import { runAudit } from './pipeline/audit-command.ts';
import { readMatchInput, runEvaluation, runMatch } from './pipeline/match-command.ts';
import { importRecordings } from './pipeline/import-recordings.ts';
import { proposeFromPlan, type GitHubSettings } from './pipeline/propose-command.ts';
import { renderChecklist, renderFindings, runDoctor } from './github/doctor.ts';
import { createGitHubClient } from './github/octokit.ts';
import { planFromDisk, publishUnlessUnknown, readPlanFile, runPipeline } from './pipeline/run.ts';
import { applyWatchlistIssues } from './pipeline/watchlist-issues-command.ts';
import { loadWatchlists } from './watchlist/load.ts';
import type { WatchlistIssuePlan } from './watchlist/outputs.ts';
import { writeFileAtomic } from './util/atomic-fs.ts';
import { stableStringify } from './util/stable-json.ts';
import { enrichCommandRun } from './pipeline/enrich-awards.ts';
import { sourceHealth } from './pipeline/health.ts';
import type { SourceHealth } from './plan/types.ts';
import { loadRegistry } from './registry/load.ts';
import { readSnapshot } from './snapshots/store.ts';
import { updateSource } from './snapshots/update-source.ts';
import { checkedDataDir, withDataLock } from './snapshots/data-lock.ts';
import { sources } from './sources/index.ts';
import { sourcesMarkdown } from './sources/markdown.ts';
import { runSmoke, smokeSummary, smokeTable } from './sources/smoke.ts';
import { createHttpClient } from './util/http.ts';
import { IcewatchError, RegistryError, UsageError } from './util/errors.ts';
import { isCalendarDate } from './util/plausible.ts';

const dataArg = { type: 'string', description: 'Data directory (registry, snapshots, published outputs)', default: 'data' } as const;
const inGitHubActions = process.env.GITHUB_ACTIONS === 'true';
// Loaded only inside Actions: elsewhere the package would be a tenth of a second of every start, unused.
const actionsCore = inGitHubActions ? await import('@actions/core') : undefined;

function core(): typeof import('@actions/core') {
  if (!actionsCore) throw new Error('@actions/core is used only inside GitHub Actions');
  return actionsCore;
}
const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function parseAsOf(value: string | undefined): string {
  if (value === undefined || value === '') return today();
  if (!isCalendarDate(value)) {
    throw new UsageError(`--as-of expects a real calendar date as YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith('..') ? path : r;
}

const validate = defineCommand({
  meta: { name: 'validate', description: 'Validate the curated registry; prints FILE:LINE: message per problem' },
  args: { data: dataArg },
  async run({ args }) {
    const dataDir = await checkedDataDir(args.data);
    const { problems: registryProblems } = await loadRegistry(dataDir);
    const problems = [...registryProblems, ...(await loadWatchlists(dataDir)).problems];
    for (const p of problems) {
      process.stdout.write(`${rel(p.file)}:${p.line}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message} [${p.rule}]\n`);
    }
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    log(`registry: ${errors} error(s), ${warnings} warning(s)`);
    if (inGitHubActions) for (const p of problems) (p.severity === 'error' ? core().error : core().warning)(p.message, { file: rel(p.file), startLine: p.line });
    if (errors > 0) process.exitCode = 1;
  },
});

const fetchCommand = defineCommand({
  meta: { name: 'fetch', description: 'Fetch a source live, or import recorded file(s) with --from, into DIR/snapshots/' },
  args: {
    source: { type: 'string', description: `Source id: ${[...sources.keys()].join(', ')}`, required: true },
    from: { type: 'string', description: 'Recorded file to import through the same parser (repeat for several)' },
    data: dataArg,
    'accept-change': { type: 'boolean', description: 'A maintainer checked the input: accept a shrink or an implausible jump that would be refused' },
  },
  async run({ args, rawArgs }) {
    const source = sources.get(args.source);
    if (!source) throw new UsageError(`unknown source "${args.source}"; known: ${[...sources.keys()].join(', ')}`);
    const from = allValues(rawArgs, 'from');
    const dataDir = await checkedDataDir(args.data);
    const result = await updateSource({
      source,
      dataDir,
      from: from.length > 0 ? from : undefined,
      http: from.length > 0 ? undefined : createHttpClient({ sourceId: source.id, allowedHosts: source.hosts }),
      now: new Date(),
      log,
      originBase: resolve(process.cwd(), '..'),
      acceptChange: Boolean(args['accept-change']),
      // A bare data directory (an import into a scratch folder) has no config: the source's defaults apply.
      config: existsSync(resolve(dataDir, 'config.yaml')) ? await loadConfig(dataDir) : undefined,
    });
    for (const issue of result.rowIssues.slice(0, 20)) {
      log(`skipped: ${issue.file}${issue.line ? `:${issue.line}` : ''}${issue.field ? ` (${issue.field})` : ''}: ${issue.message}`);
    }
    if (result.rowIssues.length > 20) log(`…and ${result.rowIssues.length - 20} more skipped rows`);
    process.stdout.write(
      `${source.id}: ${result.meta.recordCount} records (${result.added} added, ${result.updated} updated, ${result.removed} removed)` +
        `${result.meta.state ? `, state ${result.meta.state}` : ''}${result.changed ? '' : ', unchanged'}\n`,
    );
  },
});

const match = defineCommand({
  meta: { name: 'match', description: 'Match records (dev-cases CSV or JSONL) to the registry; one JSON line per row' },
  args: {
    input: { type: 'string', description: 'CSV with the columns of shared/matching/dev-cases.csv, or JSONL', required: true },
    data: dataArg,
    evaluate: { type: 'boolean', description: 'Compare with expected_company/expected_relation and print precision/recall' },
  },
  async run({ args }) {
    const dataDir = await checkedDataDir(args.data);
    const { registry, problems } = await loadRegistry(dataDir);
    if (problems.some((p) => p.severity === 'error')) throw new RegistryError(problems);
    const rows = await readMatchInput(resolve(args.input));
    if (args.evaluate) {
      const { text, perfect } = runEvaluation(registry, rows);
      process.stdout.write(text);
      if (!perfect) process.exitCode = 1;
      return;
    }
    for (const line of runMatch(registry, rows)) process.stdout.write(`${line}\n`);
  },
});

const auditCommand = defineCommand({
  meta: { name: 'audit', description: 'Match a real recipient list; print every confident match, near miss and ownership note, with counts per method' },
  args: {
    input: { type: 'string', description: 'Recipient list: 2018 parent-recipient CSV, ICE transactions CSV, FY2013–17 export, download CSV, dev-cases (repeat for several)', required: true },
    data: dataArg,
  },
  async run({ args, rawArgs }) {
    const { registry, problems } = await loadRegistry(resolve(args.data));
    if (problems.some((p) => p.severity === 'error')) throw new RegistryError(problems);
    const files = allValues(rawArgs, 'input').map((f) => resolve(f));
    const { text } = await runAudit(registry, files.length > 0 ? files : [resolve(args.input)]);
    process.stdout.write(text);
  },
});

const runArgs = {
  offline: { type: 'boolean', description: 'Do not try the network; use the committed snapshots' },
  'as-of': { type: 'string', description: 'Status date YYYY-MM-DD (default: today)' },
  data: dataArg,
  reports: { type: 'string', description: 'Reports directory', default: 'reports' },
  'dry-run': { type: 'boolean', description: 'Write proposals under REPORTS/proposals/ instead of opening pull requests' },
  sources: { type: 'string', description: 'Comma-separated source ids to refresh (default: all enabled)' },
  'plan-out': { type: 'string', description: 'Also write the plan as JSON to this file (for a later `propose --plan`)' },
} as const satisfies ArgsDef;

const run = defineCommand({
  meta: { name: 'run', description: 'The whole pipeline: fetch, match, plan, publish, report, propose' },
  args: runArgs,
  async run({ args }) {
    const now = new Date();
    const asOf = parseAsOf(args['as-of']);
    const dataDir = await checkedDataDir(args.data);
    const reportsDir = resolve(args.reports);
    const only = args.sources ? String(args.sources).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    for (const id of only ?? []) if (!sources.has(id)) throw new UsageError(`unknown source "${id}" in --sources`);
    // The lock covers the proposals too: a real run records dismissals in the registry.
    const { result, proposals, watchSummary } = await withDataLock(dataDir, 'run', async () => {
      const result = await runPipeline({ dataDir, reportsDir, asOf, now, offline: Boolean(args.offline), only, log });
      const watchlistIssues = result.watchlists.flatMap((o) => (o.issue ? [o.issue] : []));
      // The watch-list comments travel in the plan file, so `propose --plan` posts exactly what this run found.
      if (args['plan-out']) await writeFileAtomic(resolve(args['plan-out']), `${stableStringify({ ...result.result.plan, watchlistIssues }, 2)}\n`);
      printHealth(result.health);
      const dryRun = Boolean(args['dry-run']) || !process.env.GITHUB_TOKEN;
      const proposals = await proposeFromPlan({
        plan: result.result.plan,
        dataDir,
        reportsDir,
        config: result.config,
        dryRun,
        github: githubOptions(),
        log,
      });
      // Safe to repeat in `propose --plan`: a comment whose marker is already on the issue is not posted again.
      const watchSummary = await applyWatchlistIssues({ plans: watchlistIssues, dryRun, reportsDir, github: githubOptions() });
      return { result, proposals, watchSummary };
    });
    const plan = result.result.plan;
    process.stdout.write(
      `as of ${asOf}: ${result.result.summaries.filter((s) => s.status === 'active').length} registry companies active, ` +
        `${plan.candidates.length} candidate(s), ${plan.newAwards.length} new award(s), ${plan.transitions.length} status change(s), ` +
        `${plan.listChanges.length} list change(s), ${plan.reviewQueue.length} in review\n` +
        `${proposals.summary}\n` +
        (result.watchlists.length ? `watch lists: ${result.watchlists.map((o) => `${o.watchlist.id} ${o.newEvents.length} new`).join(', ')}\n` : '') +
        (result.watchlists.length ? `${watchSummary}\n` : '') +
        (result.written.length ? `wrote ${result.written.length} file(s)${result.reportPath ? `; report ${rel(result.reportPath)}` : ''}\n` : 'no file changed\n'),
    );
    if (inGitHubActions) await jobSummary(result.health, proposals.summary, result.reportPath);
  },
});

const publishCommand = defineCommand({
  meta: { name: 'publish', description: 'Regenerate data/published/v1 and the site (data/published/site) from the registry and snapshots (no network)' },
  args: { data: dataArg, 'as-of': { type: 'string', description: 'Status date YYYY-MM-DD (default: today)' } },
  async run({ args }) {
    const dataDir = await checkedDataDir(args.data);
    const now = new Date();
    const asOf = parseAsOf(args['as-of']);
    const written = await withDataLock(dataDir, 'publish', async () => {
      const context = await planFromDisk({ dataDir, asOf, now, log });
      if (context.result.plan.unknownSources?.length) process.exitCode = 1;
      return publishUnlessUnknown(dataDir, context, now, false, log);
    });
    process.stdout.write(written.length ? written.map((w) => `wrote ${rel(w)}`).join('\n') + '\n' : 'published outputs up to date\n');
  },
});

const enrichCommand = defineCommand({
  meta: { name: 'enrich', description: 'Look up the awards behind recent ICE obligations (GET /api/v2/awards/{id}/) so they get dated statuses' },
  args: { data: dataArg, 'as-of': { type: 'string', description: 'Status date YYYY-MM-DD (default: today)' } },
  async run({ args }) {
    const outcome = await enrichCommandRun({ dataDir: resolve(args.data), asOf: parseAsOf(args['as-of']), now: new Date(), log });
    process.stdout.write(
      outcome ? `enriched ${outcome.stored} award(s); ${outcome.remaining} left for the next run${outcome.failed ? `; ${outcome.failed} failed` : ''}\n` : 'nothing to enrich\n',
    );
  },
});

const propose = defineCommand({
  meta: { name: 'propose', description: 'Open or update pull requests for the current plan (dry run without GITHUB_TOKEN)' },
  args: {
    data: dataArg,
    reports: { type: 'string', description: 'Reports directory', default: 'reports' },
    'dry-run': { type: 'boolean', description: 'Write proposals under REPORTS/proposals/ instead of opening pull requests' },
    'as-of': { type: 'string', description: 'Status date YYYY-MM-DD (default: today)' },
    plan: { type: 'string', description: 'Use the plan a run wrote with --plan-out instead of planning again' },
  },
  async run({ args }) {
    const dataDir = await checkedDataDir(args.data);
    // A run records what changed since the last run and moves the state on; proposing from the plan it
    // wrote keeps one-time events (status changes) that a fresh plan would no longer see.
    const asOf = parseAsOf(args['as-of']);
    const { plan, result } = await withDataLock(dataDir, 'propose', async () => {
      const plan = args.plan
        ? await readPlanFile(resolve(args.plan))
        : (await planFromDisk({ dataDir, asOf, now: new Date(), log })).result.plan;
      const result = await proposeFromPlan({
        plan,
        dataDir,
        reportsDir: resolve(args.reports),
        config: await loadConfig(dataDir),
        dryRun: Boolean(args['dry-run']) || !process.env.GITHUB_TOKEN,
        github: githubOptions(),
        log,
      });
      return { plan, result };
    });
    process.stdout.write(`${result.summary}\n`);
    const watchlistIssues = ((plan as { watchlistIssues?: WatchlistIssuePlan[] }).watchlistIssues ?? []).filter((p) => typeof p?.watchlistId === 'string');
    if (watchlistIssues.length) {
      const dryRun = Boolean(args['dry-run']) || !process.env.GITHUB_TOKEN;
      process.stdout.write(`${await applyWatchlistIssues({ plans: watchlistIssues, dryRun, reportsDir: resolve(args.reports), github: githubOptions() })}\n`);
    }
  },
});

const doctor = defineCommand({
  meta: { name: 'doctor', description: "Check this repository's GitHub settings for the bot (without GITHUB_TOKEN: print the checklist)" },
  args: { repository: { type: 'string', description: 'owner/repo (default: GITHUB_REPOSITORY)' } },
  async run({ args }) {
    const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN || '';
    const repository = String(args.repository ?? process.env.GITHUB_REPOSITORY ?? '');
    if (!token) {
      process.stdout.write(`No GITHUB_TOKEN: the set-up checklist (set a token and GITHUB_REPOSITORY to check the real settings):\n\n${renderChecklist()}\n`);
      return;
    }
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new UsageError('doctor needs --repository owner/repo (or GITHUB_REPOSITORY)');
    const [owner, repo] = repository.split('/') as [string, string];
    const baseUrl = process.env.GITHUB_API_URL || undefined;
    const issuer = process.env.ICEWATCH_APP_CLIENT_ID || process.env.ICEWATCH_APP_ID || '';
    const privateKey = process.env.ICEWATCH_APP_PRIVATE_KEY || '';
    const findings = await runDoctor(await createGitHubClient({ token, ...(baseUrl ? { baseUrl } : {}) }), {
      owner,
      repo,
      ...(baseUrl ? { baseUrl } : {}),
      ...(issuer && privateKey ? { app: { issuer, privateKey } } : {}),
    });
    process.stdout.write(`${renderFindings(findings)}\n`);
    const problems = findings.filter((f) => f.severity === 'problem').length;
    log(`doctor: ${problems} problem(s), ${findings.filter((f) => f.severity === 'warning').length} warning(s)`);
    if (problems > 0) process.exitCode = 1;
  },
});

const sourcesCommand = defineCommand({
  meta: { name: 'sources', description: 'List each source with its last fetch, record count and health' },
  args: { data: dataArg, markdown: { type: 'boolean', description: "Print the README's table of sources" } },
  async run({ args }) {
    if (args.markdown) {
      process.stdout.write(sourcesMarkdown(sources.values()));
      return;
    }
    const dataDir = await checkedDataDir(args.data);
    const config = await loadConfig(dataDir);
    const now = new Date();
    const rows: SourceHealth[] = [];
    for (const s of sources.values()) {
      const snapshot = await readSnapshot(dataDir, s.id).catch(() => undefined);
      rows.push(sourceHealth(s, snapshot?.meta, { result: 'skipped' }, config, now));
    }
    printHealth(rows, process.stdout);
  },
});

const smokeCommand = defineCommand({
  meta: { name: 'smoke', description: 'Fetch one page of each source plus its count and print what a full fetch would do (network)' },
  args: {
    live: { type: 'boolean', description: 'Required: this command talks to the live services' },
    sources: { type: 'string', description: 'Comma-separated source ids (default: every source)' },
  },
  async run({ args }) {
    if (!args.live) throw new UsageError('smoke talks to the live services; run it as `smoke --live`');
    const wanted = args.sources ? String(args.sources).split(',').map((id) => id.trim()).filter(Boolean) : [...sources.keys()];
    const unknown = wanted.filter((id) => !sources.has(id));
    if (unknown.length > 0) throw new UsageError(`unknown source(s): ${unknown.join(', ')}`);
    const reports = await runSmoke({
      sources: wanted.map((id) => sources.get(id)!),
      httpFor: (source) => createHttpClient({ sourceId: source.id, allowedHosts: source.hosts }),
      now: new Date(),
      log,
    });
    process.stdout.write(`${smokeTable(reports)}\n`);
    const summary = smokeSummary(reports);
    log(summary);
    if (inGitHubActions) {
      core().summary.addHeading('icewatch smoke --live', 2).addRaw(`\n${smokeTable(reports)}\n`, true);
      await core().summary.write();
      for (const r of reports) {
        if (r.status === 'changed') core().error(`${r.source}: contract changed: ${r.message ?? ''}`);
        else if (r.status === 'unavailable') core().warning(`${r.source}: unavailable: ${r.message ?? ''}`);
      }
    }
    // A changed contract stops a scheduled run before it fetches; an outage is the fetch jobs' business
    // (each keeps its last good snapshot), so it only warns.
    if (reports.some((r) => r.status === 'changed')) process.exitCode = 1;
  },
});

const check = defineCommand({
  meta: { name: 'check', description: 'Screen names (arguments, a text file or a CSV with a name column) against the published registry' },
  args: {
    names: { type: 'positional', description: 'Names to check', required: false },
    file: { type: 'string', description: 'A text file (one name per line) or a CSV with a name column (optional website, uei)' },
    format: { type: 'string', description: 'table, csv or json', default: 'table' },
    'as-of': { type: 'string', description: 'Status date YYYY-MM-DD (default: the date of the published data)' },
    data: dataArg,
  },
  async run({ args }) {
    const format = String(args.format) as CheckFormat;
    if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format expects table, csv or json, got "${format}"`);
    const asOf = args['as-of'] ? parseAsOf(args['as-of']) : undefined;
    const positional = (args._ as string[]).filter((n) => n.trim() !== '');
    let entries = parseNameList(positional.join('\n'));
    if (args.file) {
      const file = resolve(args.file);
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new IcewatchError(`${args.file}: cannot read (${error.code ?? error.message})`);
      });
      try {
        entries = [...entries, ...parseCheckInput(text, file)];
      } catch (error) {
        if (error instanceof CheckInputError) throw new IcewatchError(`${args.file}: ${error.message}`);
        throw error;
      }
    }
    if (entries.length === 0) throw new UsageError('give names to check as arguments or with --file');
    const { index, published } = await loadCheckData(resolve(args.data, 'published', 'v1'));
    const result = createChecker(index, published).check(entries, { asOf });
    process.stdout.write(renderCheck(result, format));
    if (format !== 'table') log(result.summaryLine);
  },
});

const queryCommand = defineCommand({
  meta: { name: 'query', description: 'Run one read-only SQL statement (DuckDB) over the published tables and the award stores' },
  args: {
    sql: { type: 'positional', description: 'The SQL, e.g. "SELECT fiscal_year, sum(obligated) FROM awards WHERE company_id = \'palantir\' GROUP BY ALL ORDER BY 1"', required: false },
    format: { type: 'string', description: 'table, csv or json', default: 'table' },
    tables: { type: 'boolean', description: 'List the tables and their columns instead', default: false },
    data: dataArg,
  },
  async run({ args }) {
    const format = String(args.format) as QueryFormat;
    if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format expects table, csv or json, got "${format}"`);
    const dataDir = resolve(args.data);
    if (args.tables) {
      process.stdout.write(await describeTables(dataDir));
      return;
    }
    const sql = (args._ as string[]).join(' ');
    const result = await runQuery(dataDir, sql);
    process.stdout.write(renderQuery(result, format));
  },
});

const importRecordingsCommand = defineCommand({
  meta: {
    name: 'import-recordings',
    description: 'Rebuild the snapshots from the recordings in ../shared/fixtures and replay the Techqueria versions',
  },
  args: {
    fixtures: { type: 'string', description: 'The recordings folder', default: '../shared/fixtures' },
    data: dataArg,
    reports: { type: 'string', description: 'Reports directory', default: 'reports' },
    'as-of': { type: 'string', description: 'Status date of the final run YYYY-MM-DD (default: today)' },
  },
  async run({ args }) {
    await importRecordings({
      fixturesDir: resolve(args.fixtures),
      dataDir: resolve(args.data),
      reportsDir: resolve(args.reports),
      asOf: parseAsOf(args['as-of']),
      now: new Date(),
      log,
    });
  },
});

function printHealth(rows: SourceHealth[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const h of rows) {
    stream.write(
      `${h.source.padEnd(30)} ${h.state.padEnd(6)} ${String(h.records).padStart(7)} records  last success ${h.lastSuccess?.slice(0, 19) ?? 'never'}` +
        `${h.sourceState ? `  state ${h.sourceState}` : ''}${h.message ? `  (${h.message})` : ''}\n`,
    );
    if (inGitHubActions && h.state !== 'ok') core().warning(`${h.source} is ${h.state}: ${h.message ?? 'not refreshed'}`);
  }
}

function githubOptions(): GitHubSettings {
  return {
    token: process.env.GITHUB_TOKEN || undefined,
    repository: process.env.GITHUB_REPOSITORY || undefined,
    apiUrl: process.env.GITHUB_API_URL || undefined,
    serverUrl: process.env.GITHUB_SERVER_URL || undefined,
    baseBranch: process.env.ICEWATCH_BASE_BRANCH || undefined,
    appSlug: process.env.ICEWATCH_APP_SLUG || undefined,
    gitEnv: { PATH: process.env.PATH, HOME: process.env.HOME, HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY },
  };
}

async function jobSummary(health: SourceHealth[], proposals: string, reportPath: string | undefined): Promise<void> {
  core().summary.addHeading('icewatch run', 2);
  core().summary.addTable([
    [{ data: 'Source', header: true }, { data: 'Health', header: true }, { data: 'Records', header: true }, { data: 'Last success', header: true }],
    ...health.map((h) => [h.source, h.state, String(h.records), h.lastSuccess ?? 'never']),
  ]);
  core().summary.addRaw(proposals.replace(/[<>&]/g, ''), true);
  if (reportPath) core().summary.addRaw(await readFile(reportPath, 'utf8').catch(() => ''), true);
  await core().summary.write();
}

/** All values of a repeatable string flag (--from a --from b, or --from=a). */
function allValues(rawArgs: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === `--${name}`) {
      const next = rawArgs[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      values.push(next);
      i++;
    } else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
  }
  return values;
}

export const commands: Record<string, CommandDef<any>> = {
  validate,
  fetch: fetchCommand,
  match,
  audit: auditCommand,
  run,
  publish: publishCommand,
  enrich: enrichCommand,
  propose,
  doctor,
  sources: sourcesCommand,
  smoke: smokeCommand,
  'import-recordings': importRecordingsCommand,
  check,
  query: queryCommand,
};

const main = defineCommand({
  meta: { name: 'icewatch', description: 'Evidence-backed registry of companies with U.S. ICE contracts' },
  subCommands: commands,
});

/** citty accepts any flag; a typo'd flag must be an error, not silently ignored. */
function checkFlags(command: CommandDef<any>, rawArgs: string[]): void {
  const defs = (command.args ?? {}) as ArgsDef;
  const known = new Set<string>(['help', 'h']);
  for (const [name, def] of Object.entries(defs)) {
    known.add(name);
    if (def.type === 'boolean') known.add(`no-${name}`);
  }
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (!arg.startsWith('-')) {
      if (Object.values(defs).some((d) => d.type === 'positional')) continue;
      throw new UsageError(`unexpected argument "${arg}"`);
    }
    const name = arg.replace(/^--?/, '').split('=')[0]!;
    if (!known.has(name)) throw new UsageError(`unknown flag "${arg}"`);
    const def = defs[name];
    if (def && def.type === 'string' && !arg.includes('=')) i++;
  }
}

async function cli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await renderUsage(main)}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`icewatch: unknown command "${name}"\n\n${await renderUsage(main)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${await renderUsage(command, main)}\n`);
    return 0;
  }
  try {
    checkFlags(command, rest);
    await runCommand(command, { rawArgs: rest });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error, command);
  }
}

async function report(error: unknown, command: CommandDef<any>): Promise<number> {
  const err = error as Error & { code?: string };
  if (error instanceof UsageError || err.code === 'EARG' || err.name === 'CLIError') {
    process.stderr.write(`icewatch: ${err.message}\n\n${await renderUsage(command, main)}\n`);
    return 2;
  }
  if (error instanceof RegistryError) {
    for (const p of error.problems.filter((x) => x.severity === 'error')) process.stderr.write(`${rel(p.file)}:${p.line}: ${p.message}\n`);
    process.stderr.write('icewatch: the registry is invalid; run `icewatch validate` for every problem\n');
    return 1;
  }
  // Every typed error (source unavailable or malformed, registry, GitHub, config) carries a message to act on.
  if (error instanceof IcewatchError) {
    process.stderr.write(`icewatch: ${err.message}\n`);
    if (inGitHubActions) core().error(err.message);
    return 1;
  }
  process.stderr.write(`icewatch: unexpected error: ${err.stack ?? err.message}\n`);
  return 1;
}

// V8 pretenures an allocation site once enough of its objects survive a collection. Loading the registry
// (zod parses that outlive the scavenge) tipped sites the download parser shares, after which every
// short-lived row object went to the old generation: a 1M-row parse took 39–42 s at 2.9 GiB instead of
// 19–21 s at 1.8 GiB. Off before any command runs; the bench's child processes run with the same flag.
setFlagsFromString('--no-allocation-site-pretenuring');
process.exitCode = await cli(process.argv.slice(2));
