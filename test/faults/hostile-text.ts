/**
 * Hostile text through every renderer: companies.md, the CSVs, the run report, the pull request
 * title/body and dry-run files, and log lines. Twice: raw (straight into the renderers, as if every
 * source had forgotten to clean its input — the renderers must hold on their own), and end to end
 * (a hostile USAspending page and a hostile error page through the real sources and runPipeline).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { expect } from 'vitest';
import { parseProposalMarker } from '../../scripts/github/marker.ts';
import { GITHUB_BODY_LIMIT, GITHUB_TITLE_LIMIT, renderProposal } from '../../scripts/github/render-proposal.ts';
import { MANIFEST_FILE, writeDryRun } from '../../scripts/github/dry-run.ts';
import { normalizedText } from '../../scripts/match/normalize.ts';
import { proposeFromPlan } from '../../scripts/pipeline/propose-command.ts';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { buildPlan, type PlanResult } from '../../scripts/plan/build-plan.ts';
import type { Proposal, SourceHealth } from '../../scripts/plan/types.ts';
import { publish, type PublishInputs } from '../../scripts/publish/publish.ts';
import { publishedCompaniesSchema } from '../../scripts/publish/published-schema.ts';
import { renderReport } from '../../scripts/publish/report.ts';
import type { AwardRecord, MentionRecord } from '../../scripts/records.ts';
import { renderCompanyYaml } from '../../scripts/registry/write.ts';
import { readSnapshot, type SnapshotMeta } from '../../scripts/snapshots/store.ts';
import { sources } from '../../scripts/sources/index.ts';
import { createFpdsSource } from '../../scripts/sources/fpds/index.ts';
import { createUsaspendingSource } from '../../scripts/sources/usaspending/index.ts';
import type { SourceDefinition } from '../../scripts/sources/types.ts';
import { createHttpClient, type HttpClient } from '../../scripts/util/http.ts';
import { forLog } from '../../scripts/util/sanitize.ts';
import { json, startLocalServer, text } from '../helpers/local-server.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';
import { award, config, direct, fakeMatcher, mention, registryOf } from '../plan/fixtures.ts';
import { copyOf, scratchDir, treeState } from './fs-state.ts';
import { expectFormulaSafeCsv, expectInertLine, expectInertMarkdown, FORMULAS, HOSTILE, HOSTILE_NAME, MEGABYTE } from './hostile.ts';
import { faultCase } from './ledger.ts';
import { allLogLines, dirsOf, logTo, NOW, type World } from './world.ts';

const AREA = 'hostile text';
const AS_OF = '2026-03-01';

// ---- the raw world ----------------------------------------------------------------------------

const registry = registryOf([
  {
    id: 'acme',
    name: HOSTILE_NAME,
    evidence: [
      {
        url: 'https://example.org/acme',
        title: `${HOSTILE.jsLink} ${HOSTILE.script} ${HOSTILE.mentions} ${HOSTILE.references} ${MEGABYTE}`,
        publisher: HOSTILE.bidi,
        date: '2026-01-01',
        kind: 'news',
        summary: `${HOSTILE.controls} ${MEGABYTE}`,
      },
    ],
    partnership: [{ status: 'declined', since: '2020-02-17', source: 'https://techqueria.org/no-tech-for-ice/' }],
  },
  { id: 'globex', name: FORMULAS[0]!, evidence: [], partnership: [{ status: 'past-partner', since: '2020-02-27', source: 'https://techqueria.org/no-tech-for-ice/' }] },
]);

const matcher = fakeMatcher({
  'ACME INC': [direct('acme')],
  ...Object.fromEntries(FORMULAS.map((f) => [f.toUpperCase(), [direct('globex')]])),
});

function hostileAwards(withNew: boolean): AwardRecord[] {
  const base: AwardRecord[] = [
    award({ piid: 'ACME1', recipient: { name: 'ACME INC' }, start: '2020-01-01', end: '2025-06-30', amounts: { obligated: 1234.5 }, description: `${HOSTILE_NAME} ${MEGABYTE}` }),
    // A deobligation: a negative amount is a number, not a formula.
    award({ piid: 'ACME2', recipient: { name: 'ACME INC' }, start: '2019-01-01', end: '2019-06-30', amounts: { obligated: -5732.55 } }),
    ...FORMULAS.map((f, i) => award({ piid: `GLOBEX${i}`, recipient: { name: f }, start: '2024-01-01', end: '2027-01-01', amounts: { obligated: 100 + i }, description: f, naics: f, psc: f })),
  ];
  if (!withNew) return base;
  return [
    ...base,
    // The same company again, active: a status change and a new award to report.
    award({ piid: 'ACME3', recipient: { name: 'ACME INC' }, start: '2025-09-01', end: '2027-09-30', amounts: { obligated: 99 }, description: `${HOSTILE.references} ${HOSTILE.marker}` }),
    // New candidates: ICE awards in technology scope to recipients not in the registry.
    ...[HOSTILE_NAME, `${HOSTILE.script}${MEGABYTE}`, `${HOSTILE.marker} ${HOSTILE.jsAutolink}`].map((name, i) =>
      award({
        piid: `HOSTILE${i}`,
        awardKey: i === 2 ? `CONT_AWD_${HOSTILE.script}_${HOSTILE.mentions}` : `CONT_AWD_70CTD0HOSTILE${i}_7012_-NONE-_-NONE-`,
        url: `https://www.usaspending.gov/award/CONT_AWD_70CTD0HOSTILE${i}_7012_-NONE-_-NONE-`,
        recipient: { name, uei: i === 0 ? `${HOSTILE.mentions}` : `HOSTILE0000${i}` },
        naics: '541512',
        psc: 'D302',
        start: '2025-01-01',
        end: '2027-01-01',
        amounts: { obligated: 1_000_000 + i, potential: 2_000_000 },
        description: `${HOSTILE_NAME} ${MEGABYTE}`,
      }),
    ),
  ];
}

function hostileMentions(withNew: boolean): MentionRecord[] {
  const base = [mention('ACME INC', 'techqueria', 'declined')];
  if (!withNew) return base;
  const extra = { evidenceUrl: 'javascript:alert(1)', note: `${HOSTILE_NAME} ${MEGABYTE}`, url: 'javascript:alert(2)' };
  // A plain-http evidence link is ordinary on the web; registry evidence must be https.
  const httpOnly = { evidenceUrl: 'http://example.org/initech-and-ice' };
  return [
    ...base,
    mention('Initech Federal', 'techqueria', 'declined', httpOnly),
    mention('Initech Federal', 'companies-that-work-with-ice', 'listed', httpOnly),
    mention(HOSTILE_NAME, 'techqueria', 'declined', extra),
    mention(HOSTILE_NAME, 'companies-that-work-with-ice', 'listed', extra),
    mention(`${HOSTILE.heading} ${HOSTILE.table}`, 'twc-top-contractors', HOSTILE.script, extra),
  ];
}

const health: SourceHealth[] = [
  { source: 'usaspending', title: `USAspending ${HOSTILE.script}`, state: 'stale', records: 2, ageDays: 3, lastSuccess: '2026-02-26T00:00:00.000Z', staleAfter: '2026-03-01', message: `${HOSTILE_NAME} ${MEGABYTE}`, sourceState: HOSTILE.bidi },
  { source: 'techqueria', title: 'Techqueria', state: 'ok', records: 2, lastSuccess: '2026-03-01T00:00:00.000Z', staleAfter: '2026-03-15' },
];

/** Watchdog lists are compared only for sources that have a snapshot. */
function metaOf(source: string, records: readonly MentionRecord[]): SnapshotMeta {
  return { source, retrievedAt: NOW.toISOString(), origins: ['made by the fault suite'], recordCount: records.length, contentHash: '0'.repeat(64), rowIssues: 0 };
}

function planFor(withNew: boolean, previous?: PlanResult['nextState']): PlanResult {
  const watchdog = (id: string) => {
    const records = hostileMentions(withNew).filter((m) => m.source === id);
    return { id, kind: 'watchdog' as const, records, meta: metaOf(id, records) };
  };
  return buildPlan({
    asOf: AS_OF,
    config,
    registry,
    sources: [
      { id: 'usaspending', kind: 'procurement', records: hostileAwards(withNew) },
      watchdog('techqueria'),
      watchdog('companies-that-work-with-ice'),
      watchdog('twc-top-contractors'),
    ],
    health,
    ...(previous ? { previous } : {}),
    matcher,
    normalizeName: normalizedText,
    renderCompanyYaml,
  });
}

/** A plan with something in every section: candidates, new awards, a status change, list changes, review items. */
function hostilePlan(): PlanResult {
  const before = planFor(false);
  return planFor(true, before.nextState);
}

function publishInputs(result: PlanResult): PublishInputs {
  return {
    asOf: AS_OF,
    now: NOW.toISOString(),
    registry,
    summaries: result.summaries,
    attribution: result.attribution,
    health: result.plan.sources,
    plan: result.plan,
    sources: [
      { id: 'usaspending', title: `USAspending ${HOSTILE.script}`, homepage: 'https://www.usaspending.gov/', kind: 'procurement' },
      { id: 'techqueria', title: `Techqueria ${HOSTILE.mentions}`, homepage: 'javascript:alert(1)', kind: 'watchdog' },
    ],
  };
}

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const tree = await treeState(dir);
  return new Map([...tree].map(([k, v]) => [k, v.toString('utf8')]));
}

const sourceTitles = Object.fromEntries([...sources.values()].map((s) => [s.id, s.title]));

function expectInertProposal(label: string, proposal: Proposal, files: Map<string, string>, prefix: string): void {
  const pr = files.get(`${prefix}/pr.md`);
  expect(pr, `${label}: pr.md`).toBeDefined();
  expectInertMarkdown(`${label} pr.md`, pr!, { comments: 1, maxBytes: GITHUB_BODY_LIMIT + 4096 });
  const rendered = renderProposal(proposal, { sourceTitles });
  // The bot finds its own marker, not a forged one from the text.
  expect(parseProposalMarker(rendered.body)?.id).toBe(proposal.companyId);
  expect(rendered.body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
  expectInertLine(`${label} title`, rendered.title, GITHUB_TITLE_LIMIT);
  expect(rendered.title, `${label} title`).not.toMatch(/@(?=[\p{L}\p{N}_-])|(?<!&)#\d|\bGH-\d/iu);
  expectInertLine(`${label} commit subject`, rendered.commitMessage.split('\n')[0]!, 72);
  expect(rendered.branch).toMatch(/^icewatch\/(add|status)-[a-z0-9]+(-[a-z0-9]+)*$/);
  for (const file of rendered.files) {
    expect(file.path).toMatch(/^data\/registry\/(companies\/[a-z0-9-]+\.yaml|evidence\/[a-z0-9-]+\.json)$/);
    expect(files.get(`${prefix}/files/${file.path}`)).toBe(file.content);
    if (file.path.endsWith('.yaml')) {
      // Hostile names stay data inside the YAML: it parses back to the same name, one document, no anchors.
      const doc = parseYaml(file.content) as { id: string; name: string };
      expect(doc.id).toBe(proposal.companyId);
      expect(doc.name).toBe(proposal.name);
      expect(file.content).not.toMatch(/^---/m);
      expect(file.content).not.toMatch(/[&*][A-Za-z0-9]+\s/);
    } else {
      expect(() => JSON.parse(file.content)).not.toThrow();
    }
  }
}

// ---- end to end ---------------------------------------------------------------------------------

const HOSTILE_ERROR_PAGE = `<html><body><script>alert(1)</script>\u202E @everyone #1 GH-2\r\nicewatch: fpds ok, 0 records\u0000\u001b[2J ${'x'.repeat(10_000)}</body></html>`;

async function hostileSearchRows(): Promise<unknown[]> {
  const recording = JSON.parse(await readFile(sharedFixture('usaspending/api/nasa_spending_by_award_contracts.json'), 'utf8')) as { results: Array<Record<string, unknown>> };
  const template = recording.results[0]!;
  const names = [HOSTILE_NAME, `${HOSTILE.marker} ${MEGABYTE}`, `${FORMULAS[0]} ${HOSTILE.jsAutolink}`];
  return names.map((name, i) => {
    const piid = `70CDCR26C9000${i}`;
    return {
      ...template,
      internal_id: 990000 + i,
      'Award ID': piid,
      generated_internal_id: `CONT_AWD_${piid}_7012_-NONE-_-NONE-`,
      'Recipient Name': name,
      'Recipient UEI': `HSTL0000000${i}`,
      recipient_id: `${HOSTILE.bidi}\n${HOSTILE.newlines}-C`,
      Description: `${HOSTILE_NAME} ${MEGABYTE}`,
      'Award Amount': 2_500_000 + i,
      'Start Date': '2025-06-01',
      'End Date': '2027-06-30',
      NAICS: { code: '541512', description: HOSTILE.script },
      PSC: { code: 'D302', description: HOSTILE.mentions },
      'Awarding Agency': 'Department of Homeland Security',
      'Awarding Sub Agency': 'U.S. Immigration and Customs Enforcement',
    };
  });
}

export function registerHostileText(world: () => World): void {
  faultCase(AREA, 'companies.md (registry names, evidence titles, source titles and links)', async () => {
    const dir = await scratchDir('hostile-publish');
    await publish(dir, publishInputs(hostilePlan()));
    const md = await readFile(join(dir, 'companies.md'), 'utf8');
    expectInertMarkdown('companies.md', md);
    // Escaped, still readable: the name is there as text.
    expect(md).toContain('\\<script\\>alert\\(1\\)\\</script\\>');
    expect(md).toContain('@&#8203;everyone');
  });

  faultCase(AREA, 'companies.csv and awards.csv (formula injection)', async () => {
    const dir = await scratchDir('hostile-csv');
    await publish(dir, publishInputs(hostilePlan()));
    const companies = expectFormulaSafeCsv('companies.csv', await readFile(join(dir, 'companies.csv'), 'utf8'));
    const awards = expectFormulaSafeCsv('awards.csv', await readFile(join(dir, 'awards.csv'), 'utf8'));
    const header = awards[0]!;
    const column = (name: string) => header.indexOf(name);
    const names = awards.slice(1).map((r) => r[column('recipient_name')]);
    // Each formula is kept, visibly, as text.
    for (const f of FORMULAS) expect(names).toContain(`'${f}`);
    expect(companies.slice(1).map((r) => r[1])).toContain(`'${FORMULAS[0]}`);
    // A deobligation stays a number a spreadsheet can add up.
    const acme2 = awards.find((r) => r[column('piid')] === 'ACME2');
    expect(acme2?.[column('obligated')]).toBe('-5732.55');
    // The published JSON still validates and carries the names as data.
    const data = publishedCompaniesSchema.parse(JSON.parse(await readFile(join(dir, 'companies.json'), 'utf8')));
    expect(data.companies.find((c) => c.id === 'globex')?.name).toBe(FORMULAS[0]);
  });

  faultCase(AREA, 'the run report (candidates, new awards, status changes, list changes, review queue, health notes)', async () => {
    const result = hostilePlan();
    const { plan } = result;
    // Every section has something hostile in it, or the check below proves little.
    expect(plan.candidates.filter((c) => c.isNew).length).toBeGreaterThanOrEqual(3);
    expect(plan.newAwards.length).toBeGreaterThan(0);
    expect(plan.transitions.length).toBeGreaterThan(0);
    expect(plan.listChanges.length).toBeGreaterThan(0);
    expect(plan.reviewQueue.length).toBeGreaterThan(0);
    const report = renderReport(plan, result.attribution);
    expect(report.changed).toBe(true);
    expectInertMarkdown('report', report.markdown);
    expect(() => JSON.parse(report.json)).not.toThrow();
  });

  faultCase(AREA, 'pull request titles, bodies and dry-run files', async () => {
    const result = hostilePlan();
    const proposals: Proposal[] = [
      ...result.plan.proposals,
      {
        kind: 'status-change',
        companyId: 'acme',
        name: HOSTILE_NAME,
        from: 'ended',
        to: 'active',
        reason: `${HOSTILE_NAME} ${MEGABYTE}`,
        // Sources only ever build https award links; a renderer must not trust that.
        awards: result.plan.candidates.flatMap((c) => c.awards).map((a, i) => (i === 0 ? { ...a, url: 'javascript:alert(1)' } : a)),
        mentions: result.plan.candidates.flatMap((c) => c.mentions),
        evidenceHash: '0123456789abcdef',
        files: [],
      },
    ];
    expect(proposals.filter((p) => p.kind === 'add-company').length).toBeGreaterThanOrEqual(3);
    // The mention-only candidate whose only link is plain http is still proposed, without that link as evidence.
    const initech = proposals.find((p) => p.companyId === 'initech-federal');
    expect(initech?.kind).toBe('add-company');
    expect(initech?.kind === 'add-company' && initech.registryFile.content).not.toContain('http://');
    const outDir = await scratchDir('hostile-dry-run');
    const summary = await writeDryRun(proposals, { outDir, sourceTitles });
    expect(summary.proposals).toHaveLength(proposals.length);
    for (const line of summary.text.split('\n')) expectInertLine('dry-run summary line', line.trim(), 400);
    const files = await filesUnder(outDir);
    for (const [i, proposal] of proposals.entries()) {
      expectInertProposal(`proposal ${i + 1} (${proposal.kind} ${proposal.companyId})`, proposal, files, summary.proposals[i]!.branch);
    }
    // Nothing was written outside the managed folder (besides the manifest of what the dry run wrote).
    expect([...files.keys()].every((k) => k.startsWith('icewatch/') || k === MANIFEST_FILE)).toBe(true);
  });

  faultCase(AREA, 'log lines (forLog, the HTTP client, a failing source in runPipeline)', async () => {
    for (const value of [...Object.values(HOSTILE), HOSTILE_NAME, ...FORMULAS]) expectInertLine('forLog', forLog(value), 200);
    // A server whose error page is hostile: the retry notes and the failure line stay one clean line each.
    const server = await startLocalServer({ '/boom': text(HOSTILE_ERROR_PAGE, 503, { 'content-type': 'text/html' }) });
    const lines: string[] = [];
    const http = createHttpClient({ sourceId: 'fpds', allowedHosts: ['127.0.0.1'], allowLoopbackHttp: true, retries: 2, sleep: async () => {}, log: logTo(lines) });
    try {
      const error = await http.request({ url: server.url('/boom') }).catch((e: unknown) => e as Error);
      expect(lines).toHaveLength(2);
      expectInertLine('source error message', (error as Error).message, 600);
      for (const line of lines) expectInertLine('retry log line', line, 600);
    } finally {
      await server.close();
    }
  });

  faultCase(
    AREA,
    'end to end: a hostile USAspending page and a hostile error page through runPipeline and the dry run',
    async () => {
      const root = await copyOf(world().root, 'hostile-e2e');
      const { dataDir, reportsDir } = dirsOf(root);
      // No previous usaspending snapshot, so the three hostile rows are the whole (new) source.
      await rm(join(dataDir, 'snapshots', 'usaspending'), { recursive: true });
      const rows = await hostileSearchRows();
      const server = await startLocalServer({
        'POST /api/v2/search/spending_by_award/': json({ spending_level: 'awards', limit: 100, results: rows, page_metadata: { page: 1, hasNext: false, last_record_unique_id: null, last_record_sort_value: 'None' }, messages: [] }),
        // The same rows answer both award type groups, and the count agrees, so the crawl is complete.
        'POST /api/v2/search/spending_by_award_count/': json({ results: { contracts: rows.length, idvs: rows.length, grants: 0, loans: 0, direct_payments: 0, other: 0 }, spending_level: 'awards', messages: [] }),
        '/ezsearch/FEEDS/ATOM': text(HOSTILE_ERROR_PAGE, 500, { 'content-type': 'text/html' }),
      });
      const lines: string[] = [];
      const log = logTo(lines);
      const defs: SourceDefinition[] = [createUsaspendingSource({ baseUrl: server.origin }), createFpdsSource({ baseUrl: server.origin })];
      const clients = new Map<string, HttpClient>(
        defs.map((s) => [s.id, createHttpClient({ sourceId: s.id, allowedHosts: s.hosts, allowLoopbackHttp: true, retries: 1, sleep: async () => {}, log })]),
      );
      const sourceMap = new Map([...sources.values()].map((s) => [s.id, defs.find((d) => d.id === s.id) ?? s]));
      try {
        const run = await runPipeline({ dataDir, reportsDir, asOf: AS_OF, now: NOW, offline: false, only: ['usaspending', 'fpds'], log, httpFor: (s) => clients.get(s.id)!, sourceMap });
        expect(run.health.find((h) => h.source === 'usaspending')?.state).toBe('ok');
        const fpds = run.health.find((h) => h.source === 'fpds');
        expect(fpds?.state).toBe('stale');
        expectInertLine('fpds health message', fpds!.message!, 300);
        const candidates = run.result.plan.candidates.filter((c) => c.awards.some((a) => a.source === 'usaspending'));
        expect(candidates).toHaveLength(3);
        const summary = await proposeFromPlan({ plan: run.result.plan, dataDir, reportsDir, config: run.config, dryRun: true, github: {}, log });
        for (const line of summary.summary.split('\n')) expectInertLine('propose summary line', line.trim(), 400);
      } finally {
        await server.close();
      }
      for (const line of lines) expectInertLine('pipeline log line', line, 1000);
      const files = await filesUnder(root);
      const markdown = [...files].filter(([k]) => k.endsWith('.md') && (k.startsWith('reports/') || k.startsWith('data/published/')));
      expect(markdown.some(([k]) => k === `reports/${AS_OF}.md`)).toBe(true);
      expect(markdown.filter(([k]) => k.startsWith('reports/proposals/')).length).toBeGreaterThanOrEqual(3);
      for (const [path, content] of markdown) expectInertMarkdown(path, content, { comments: path.startsWith('reports/proposals/') ? 1 : 0, maxBytes: 1024 * 1024 });
      // Every CSV made for people is formula-safe. The award store's text partitions (data/snapshots/) are
      // the exact values, which an escape would change; they are read by the engine, never opened as sheets.
      const forPeople = [...files].filter(([k]) => k.endsWith('.csv') && !k.startsWith('data/snapshots/'));
      expect(forPeople.some(([k]) => k.startsWith('data/published/'))).toBe(true);
      for (const [path, content] of forPeople) expectFormulaSafeCsv(path, content);
      // The snapshot holds the names as sources clean them: plain text, capped.
      const snapshot = await readSnapshot(dataDir, 'usaspending');
      expect(snapshot?.records).toHaveLength(3);
      for (const record of snapshot!.records as AwardRecord[]) {
        expectInertLine('snapshot recipient name', record.recipient.name, 300);
        expectInertLine('snapshot description', record.description ?? '', 1000);
      }
    },
    30_000,
  );

  faultCase(AREA, 'every log line the whole suite produced', async () => {
    // Runs last: by now the suite has logged network faults, damaged CSV, bad registries and crashes.
    expect(allLogLines.length).toBeGreaterThan(50);
    for (const line of allLogLines) expectInertLine('log line', line, 1000);
  });
}

