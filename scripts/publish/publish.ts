/**
 * Published outputs are a pure function of registry + snapshots (+ the plan for the change feed). All files
 * are computed first and then written together; a file whose content did not change is not touched, and
 * `generatedAt` only moves when something else in companies.json did.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Attribution } from '../plan/attribute.ts';
import { isAwardActive } from '../plan/awards.ts';
import { evidenceFileSchema } from '../plan/evidence-schema.ts';
import type { CompanySummary } from '../plan/company-summary.ts';
import type { Candidate, Plan, SourceHealth } from '../plan/types.ts';
import type { CoverageSummary } from '../plan/obligations.ts';
import { obligationsCsv } from './obligations-csv.ts';
import type { Registry } from '../registry/schema.ts';
import { pruneSite, siteFiles } from '../site/publish-site.ts';
import { writeFilesAtomic, type FileContent } from '../util/atomic-fs.ts';
import { publishedAwardRows, writePublishedAwardTables } from './awards-parquet.ts';
import { largest } from './report-json.ts';
import { compactStableJsonChunks } from '../util/json-chunks.ts';
import { stableStringify } from '../util/stable-json.ts';
import { buildCheckIndex } from '../check/check-index.ts';
import { renderChangesAtom } from '../feeds/changes-feed.ts';
import { renderCompaniesMarkdown } from './companies-markdown.ts';
import { toCsv } from './csv.ts';
import { formatAmount } from './format.ts';
import {
  changesFeedSchema,
  PUBLISHED_SCHEMA_VERSION,
  publishedCompaniesSchema,
  SCHEMA_BASE_URL,
  type ChangesFeed,
  type PublishedCompanies,
} from './published-schema.ts';

export const POLICY_SOURCE = 'https://techqueria.org/no-tech-for-ice/';
const MAX_CHANGE_ENTRIES = 200;
/** New awards and proposed companies one feed entry lists at most (the largest; the rest are counted). */
export const MAX_ENTRY_ITEMS = 200;

export interface PublishSource {
  id: string;
  title: string;
  homepage: string;
  kind: 'procurement' | 'watchdog';
}

export interface PublishInputs {
  asOf: string;
  /** ISO timestamp used for generatedAt when content changed. */
  now: string;
  registry: Registry;
  summaries: CompanySummary[];
  attribution: Attribution;
  health: SourceHealth[];
  sources: PublishSource[];
  /** The run's plan, for the change feed; publish without a plan leaves changes.json as it is. */
  plan?: Plan;
  /** Further JSON Schemas to publish (the registry's), as file name → content. */
  extraSchemas?: Array<{ fileName: string; content: string }>;
  /** When set, the static site (scripts/site) is built into this folder in the same atomic group. */
  siteDir?: string;
  /** Per-year completeness of the transaction listings, and the recent-obligations window start. */
  obligations?: { coverage: CoverageSummary[]; recentWindowDays: number; candidates: Candidate[] };
}

export interface PublishedFile {
  path: string;
  /** The files that grow with the history (awards.csv, check-index.json) are chunks written as they are made. */
  content: FileContent;
}

/** `scratchDir` receives files the engine writes (the award tables); they are copied into place by the caller's write. */
export async function renderPublished(outDir: string, inputs: PublishInputs, scratchDir: string): Promise<PublishedFile[]> {
  const companiesJsonPath = join(outDir, 'companies.json');
  let companies = buildCompaniesJson(inputs, inputs.now, inputs.asOf);
  const previous = publishedCompaniesSchema.safeParse(await readJson(companiesJsonPath));
  // A run that changes nothing but the date changes no file: keep the previous stamps.
  let shownAsOf = inputs.asOf;
  if (previous.success) {
    const restamped = { ...companies, generatedAt: previous.data.generatedAt, asOf: previous.data.asOf };
    if (stableStringify(restamped) === stableStringify(previous.data)) {
      companies = restamped;
      shownAsOf = previous.data.asOf;
    }
  }
  // Both award tables, as the engine wrote them from one staging of the rows.
  const awardTables = await writePublishedAwardTables(
    publishedAwardRows(
      [...inputs.attribution.awards, ...inputs.attribution.resellerAwards],
      // The run's open candidates (set whether or not this publish updates the change feed).
      inputs.obligations?.candidates ?? [],
      (a) => isAwardActive(a.award, inputs.asOf),
    ),
    scratchDir,
  );
  const files: PublishedFile[] = [
    { path: companiesJsonPath, content: `${stableStringify(publishedCompaniesSchema.parse(companies), 2)}\n` },
    { path: join(outDir, 'companies.csv'), content: companiesCsv(inputs) },
    { path: join(outDir, 'awards.csv'), content: { file: awardTables.csv } },
    { path: join(outDir, 'awards.parquet'), content: { file: awardTables.parquet } },
    {
      path: join(outDir, 'obligations-by-fiscal-year.csv'),
      content: obligationsCsv(inputs.registry, inputs.summaries, inputs.obligations?.candidates ?? []),
    },
    {
      path: join(outDir, 'companies.md'),
      content: renderCompaniesMarkdown({
        asOf: shownAsOf,
        registry: inputs.registry,
        summaries: inputs.summaries,
        health: inputs.health,
        sourceLinks: inputs.sources.filter((s) => s.kind === 'watchdog'),
        ...(inputs.obligations ? { obligations: inputs.obligations } : {}),
      }),
    },
    // The matcher's view of the registry, for `icewatch check` and the site's check page (one line: it is data).
    // Built while it is written: its award timelines grow with the history.
    { path: join(outDir, 'check-index.json'), content: { chunks: () => jsonLine(buildCheckIndex(inputs.registry, inputs.attribution, shownAsOf)) } },
    ...schemaFiles(outDir, inputs.extraSchemas ?? []),
  ];
  const feedPath = join(outDir, 'changes.json');
  const updatedFeed = inputs.plan ? await updatedChangesFeed(feedPath, inputs.plan) : undefined;
  if (updatedFeed) files.push({ path: feedPath, content: `${stableStringify(updatedFeed, 2)}\n` });
  // changes.xml is the Atom view of whichever changes.json stands after this publish.
  const currentFeed = updatedFeed ?? changesFeedSchema.safeParse(await readJson(feedPath)).data;
  if (currentFeed) files.push({ path: join(outDir, 'changes.xml'), content: renderChangesAtom(currentFeed, shownAsOf) });
  if (inputs.siteDir) {
    const dataFiles = files.map((f) => f.path);
    files.push(...(await siteFiles({ ...inputs, siteDir: inputs.siteDir, dataDir: outDir, companies, changes: currentFeed, dataFiles })));
  }
  return files;
}

export async function publish(outDir: string, inputs: PublishInputs): Promise<string[]> {
  const scratchDir = await mkdtemp(join(tmpdir(), 'icewatch-publish-'));
  try {
    const files = await renderPublished(outDir, inputs, scratchDir);
    const written = await writeFilesAtomic(files);
    if (inputs.siteDir) written.push(...(await pruneSite(inputs.siteDir, files.map((f) => f.path))));
    return written;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

export function buildCompaniesJson(inputs: PublishInputs, generatedAt: string, asOf: string): PublishedCompanies {
  const byId = new Map(inputs.summaries.map((s) => [s.id, s]));
  const healthById = new Map(inputs.health.map((h) => [h.source, h]));
  const companies = inputs.registry.companies
    .slice()
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((company) => {
      const s = byId.get(company.id)!;
      return {
        id: company.id,
        name: company.name,
        parent: company.parent ?? null,
        roles: company.roles,
        website: company.website ?? null,
        status: s.status,
        partnership: (company.partnership ?? []).map((p) => ({ status: p.status, since: p.since, until: p.until ?? null, source: p.source })),
        ice: {
          awardCount: s.awardCount,
          activeAwardCount: s.activeAwardCount,
          obligated: s.obligated,
          activeObligated: s.activeObligated,
          firstAwardStart: s.firstAwardStart ?? null,
          lastAwardEnd: s.lastAwardEnd ?? null,
          resellerChannel: { ...s.resellerChannel, isLowerBound: true as const },
          byFiscalYear: s.obligations?.byFiscalYear ?? [],
          ...(s.obligations?.lastActionDate ? { lastActionDate: s.obligations.lastActionDate } : {}),
          largestAwards: (s.obligations?.largestAwards ?? []).map(({ recipientName: _name, ...a }) => a),
        },
        watchdogLists: [...new Map(s.lists.map((l) => [`${l.source}/${l.list}`, { source: l.source, list: l.list }])).values()],
        evidence: company.evidence
          .slice()
          .sort((a, b) => b.date.localeCompare(a.date) || a.url.localeCompare(b.url))
          .map((e) => ({ url: e.url, title: e.title, publisher: e.publisher, date: e.date, kind: e.kind, summary: e.summary })),
      };
    });
  return {
    $schema: `${SCHEMA_BASE_URL}companies.schema.json`,
    schemaVersion: PUBLISHED_SCHEMA_VERSION,
    generatedAt,
    asOf,
    policy: {
      activeDefinition:
        'An ICE award is active when its end date (contracts) or last date to order (IDVs) is on or after asOf; a company is active when any award matched to it directly or through a unit is active.',
      recentObligationsDefinition:
        `A company has recent-obligations when it has no active award but ICE obligated money to it${inputs.obligations ? ` within the ${inputs.obligations.recentWindowDays} days up to asOf` : ' within the configured window'} ` +
        'on an award whose end date is not known (a transaction has an action date, not an end date). It is not called active.',
      source: POLICY_SOURCE,
    },
    totals: {
      companies: companies.length,
      active: companies.filter((c) => c.status === 'active').length,
      recentObligations: companies.filter((c) => c.status === 'recent-obligations').length,
      ended: companies.filter((c) => c.status === 'ended').length,
      noRecord: companies.filter((c) => c.status === 'no-record').length,
    },
    sources: inputs.sources
      .slice()
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((src) => {
        const h = healthById.get(src.id);
        return {
          id: src.id,
          title: src.title,
          homepage: src.homepage,
          kind: src.kind,
          lastSuccess: h?.lastSuccess ?? null,
          staleAfter: h?.staleAfter ?? null,
          recordCount: h?.records ?? 0,
          contentHash: h?.contentHash ?? null,
          state: h?.sourceState ?? null,
        };
      }),
    fiscalYears: inputs.obligations?.coverage ?? [],
    companies,
  };
}

function companiesCsv(inputs: PublishInputs): string {
  const byId = new Map(inputs.summaries.map((s) => [s.id, s]));
  return toCsv(
    ['id', 'name', 'parent', 'roles', 'status', 'active_awards', 'awards', 'obligated', 'active_obligated', 'first_award_start', 'last_award_end', 'reseller_awards', 'reseller_obligated_lower_bound', 'partnership', 'watchdog_lists', 'evidence_urls'],
    inputs.registry.companies
      .slice()
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((c) => {
        const s = byId.get(c.id)!;
        return [
          c.id,
          c.name,
          c.parent,
          c.roles.join(';'),
          s.status,
          s.activeAwardCount,
          s.awardCount,
          formatAmount(s.obligated),
          formatAmount(s.activeObligated),
          s.firstAwardStart,
          s.lastAwardEnd,
          s.resellerChannel.awardCount,
          formatAmount(s.resellerChannel.obligatedLowerBound),
          (c.partnership ?? []).map((p) => `${p.status}:${p.since}${p.until ? `..${p.until}` : ''}`).join(';'),
          [...new Set(s.lists.map((l) => `${l.source}/${l.list}`))].join(';'),
          c.evidence.map((e) => e.url).sort().join(' '),
        ];
      }),
  );
}

function* jsonLine(value: unknown): Generator<string> {
  yield* compactStableJsonChunks(value, 3);
  yield '\n';
}

function schemaFiles(outDir: string, extra: Array<{ fileName: string; content: string }>): PublishedFile[] {
  const own = [
    { fileName: 'companies.schema.json', schema: publishedCompaniesSchema },
    { fileName: 'changes.schema.json', schema: changesFeedSchema },
    // The evidence file each add-company pull request carries (data/registry/evidence/<id>.json).
    { fileName: 'evidence.schema.json', schema: evidenceFileSchema },
  ].map(({ fileName, schema }) => ({
    fileName,
    content: `${stableStringify({ ...z.toJSONSchema(schema), $id: `${SCHEMA_BASE_URL}${fileName}` }, 2)}\n`,
  }));
  return [...own, ...extra]
    .sort((a, b) => a.fileName.localeCompare(b.fileName))
    .map((f) => ({ path: join(outDir, 'schema', f.fileName), content: f.content }));
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The feed gets one entry per as-of date that changed something; re-running a day replaces its entry. */
async function updatedChangesFeed(path: string, plan: Plan): Promise<ChangesFeed | undefined> {
  const existing = changesFeedSchema.safeParse(await readJson(path));
  const feed: ChangesFeed = existing.success
    ? existing.data
    : { $schema: `${SCHEMA_BASE_URL}changes.schema.json`, schemaVersion: PUBLISHED_SCHEMA_VERSION, entries: [] };
  const proposed = plan.candidates.filter((c) => c.isNew);
  // An entry is read by every consumer of the feed and the site: a first run over the whole history would
  // otherwise put every award in it. Counts say how many there were; the run report lists them all.
  const entry: ChangesFeed['entries'][number] = {
    asOf: plan.asOf,
    companiesProposed: largest(proposed, MAX_ENTRY_ITEMS, (c) => c.awards.length).map((c) => ({ id: c.companyId, name: c.name, awards: c.awards.length })),
    ...(proposed.length > MAX_ENTRY_ITEMS ? { companiesProposedCount: proposed.length } : {}),
    statusChanges: plan.transitions.map((t) => ({ id: t.companyId, from: t.from, to: t.to })),
    newAwards: largest(plan.newAwards, MAX_ENTRY_ITEMS, (n) => n.award.obligated).map((n) => ({
      id: n.companyId,
      awardKey: n.award.awardKey,
      obligated: n.award.obligated ?? null,
      url: n.award.url,
    })),
    ...(plan.newAwards.length > MAX_ENTRY_ITEMS ? { newAwardCount: plan.newAwards.length } : {}),
    listChanges: plan.listChanges
      .filter((l) => !l.structureChange)
      .map((l) => ({
        source: l.source,
        list: l.list,
        added: l.added.slice(0, MAX_ENTRY_ITEMS),
        ...(l.added.length > MAX_ENTRY_ITEMS ? { addedCount: l.added.length } : {}),
        removed: l.removed.slice(0, MAX_ENTRY_ITEMS),
        ...(l.removed.length > MAX_ENTRY_ITEMS ? { removedCount: l.removed.length } : {}),
      })),
  };
  const empty = proposed.length + entry.statusChanges.length + plan.newAwards.length + entry.listChanges.length === 0;
  // A rerun that finds nothing new leaves the day's entry as the first run wrote it.
  if (empty && existing.success) return undefined;
  const others = feed.entries.filter((e) => e.asOf !== plan.asOf);
  const entries = empty ? others : [...others, entry];
  entries.sort((a, b) => b.asOf.localeCompare(a.asOf));
  if (existing.success && stableStringify(entries) === stableStringify(feed.entries)) return undefined;
  return { ...feed, entries: entries.slice(0, MAX_CHANGE_ENTRIES) };
}
