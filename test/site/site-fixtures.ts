/**
 * Sites to test, built by the real publisher: one from the committed registry and snapshots (the repo's
 * own data, read only), one from a world made of hostile text (made by the project, after
 * test/faults/hostile-text.ts). Both are laid out as GitHub Pages serves them: v1/ and site/ merged at
 * one root.
 */
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizedText } from '../../scripts/match/normalize.ts';
import { planFromDisk, publishOutputs } from '../../scripts/pipeline/run.ts';
import { buildPlan, type PlanResult } from '../../scripts/plan/build-plan.ts';
import type { SourceHealth } from '../../scripts/plan/types.ts';
import { publish } from '../../scripts/publish/publish.ts';
import type { AwardRecord, MentionRecord } from '../../scripts/records.ts';
import { renderCompanyYaml } from '../../scripts/registry/write.ts';
import type { Registry } from '../../scripts/registry/schema.ts';
import type { Attribution } from '../../scripts/plan/attribute.ts';
import { summarizeCompanies } from '../../scripts/plan/company-summary.ts';
import { buildCompaniesJson } from '../../scripts/publish/publish.ts';
import { renderSite } from '../../scripts/site/render-site.ts';
import { writeFilesAtomic } from '../../scripts/util/atomic-fs.ts';
import { generateRegistry } from '../../bench/generate.ts';
import { HOSTILE, HOSTILE_NAME, MEGABYTE } from '../faults/hostile.ts';
import { award, config, direct, fakeMatcher, mention, registryOf } from '../plan/fixtures.ts';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const NOW = new Date('2026-11-27T12:00:00.000Z');

export interface BuiltSite {
  /** Data folder of the publish (published/v1 and published/site inside). */
  dataDir: string;
  /** v1/ and site/ merged, as deployed. */
  root: string;
}

async function merged(dataDir: string): Promise<string> {
  const root = join(dataDir, 'pages');
  await mkdir(root, { recursive: true });
  await cp(join(dataDir, 'published', 'v1'), root, { recursive: true });
  await cp(join(dataDir, 'published', 'site'), root, { recursive: true });
  return root;
}

/** The committed data, planned and published again into a temp folder (the repo is not written). */
export async function buildRepoSite(): Promise<BuiltSite> {
  const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-site-'));
  await cp(join(REPO, 'data'), dataDir, { recursive: true, filter: (src) => !src.includes(`${join('published', 'site')}`) });
  const asOf = (JSON.parse(await readFile(join(REPO, 'data', 'published', 'v1', 'companies.json'), 'utf8')) as { asOf: string }).asOf;
  const context = await planFromDisk({ dataDir, asOf, now: NOW, log: () => {} });
  await publishOutputs(dataDir, context, NOW, true);
  return { dataDir, root: await merged(dataDir) };
}

/**
 * The benchmark's 2,000-company generated registry (bench/generate.ts), published with no award: the
 * home page then has one row per company, which is what its size and interactivity depend on.
 */
export async function buildBenchRegistrySite(): Promise<BuiltSite> {
  const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-bench-site-'));
  const generated = generateRegistry();
  const registry: Registry = { companies: generated.companies, byId: new Map(generated.companies.map((c) => [c.id, c])), dismissed: [] };
  const attribution: Attribution = { awards: new Map(), resellerAwards: new Map(), mentions: new Map(), review: [], unmatchedAwards: [], unmatchedMentions: [] };
  const inputs = { asOf: '2026-11-27', now: NOW.toISOString(), registry, summaries: summarizeCompanies(registry, attribution, '2026-11-27'), attribution, health: [], sources: [] };
  const files = await renderSite({ companies: buildCompaniesJson(inputs, inputs.now, inputs.asOf), registry, attribution, downloads: ['companies.json'] });
  const root = join(dataDir, 'pages');
  await writeFilesAtomic(files.map((f) => ({ path: join(root, ...f.path.split('/')), content: f.content })));
  return { dataDir, root };
}

// ---- the hostile world -------------------------------------------------------------------------

const AS_OF = '2026-03-01';
export const HOSTILE_ID = 'acme';

const hostileRegistry = registryOf([
  {
    id: HOSTILE_ID,
    name: HOSTILE_NAME,
    aliases: { strong: [HOSTILE.img, HOSTILE.jsAutolink] },
    subsidiaries: [{ name: `${HOSTILE.script} Federal` }],
    evidence: [
      {
        url: 'https://example.org/acme',
        title: `${HOSTILE.jsLink} ${HOSTILE.script} ${HOSTILE.mentions} ${MEGABYTE}`,
        publisher: HOSTILE.bidi,
        date: '2026-01-01',
        kind: 'news',
        summary: `${HOSTILE.controls} ${HOSTILE.img} ${MEGABYTE}`,
      },
    ],
    partnership: [{ status: 'declined', since: '2020-02-17', source: 'https://techqueria.org/no-tech-for-ice/' }],
  },
  { id: 'globex', name: `Globex ${HOSTILE.bidi}`, evidence: [], partnership: [{ status: 'past-partner', since: '2020-02-27', source: 'https://techqueria.org/no-tech-for-ice/' }] },
]);

const matcher = fakeMatcher({
  'ACME INC': [direct(HOSTILE_ID)],
  [HOSTILE_NAME.toUpperCase()]: [direct(HOSTILE_ID)],
  'GLOBEX LLC': [direct('globex')],
});

function hostileAwards(withNew: boolean): AwardRecord[] {
  const base = [
    award({ piid: 'ACME1', recipient: { name: 'ACME INC' }, start: '2020-01-01', end: '2025-06-30', amounts: { obligated: 1234.5 }, description: `${HOSTILE_NAME} ${MEGABYTE}` }),
    award({ piid: 'GLOBEX1', recipient: { name: 'GLOBEX LLC' }, start: '2024-01-01', end: '2027-01-01', amounts: { obligated: 100 }, description: HOSTILE.img }),
  ];
  if (!withNew) return base;
  return [
    ...base,
    award({
      piid: 'ACME3',
      recipient: { name: HOSTILE_NAME },
      start: '2025-09-01',
      end: '2027-09-30',
      amounts: { obligated: 99 },
      description: `${HOSTILE.references} ${HOSTILE.marker}`,
      // Sources only build https usaspending links; the site must not trust that.
      url: 'javascript:alert(3)',
    }),
  ];
}

function hostileMentions(withNew: boolean): MentionRecord[] {
  const base = [mention('ACME INC', 'techqueria', 'declined')];
  if (!withNew) return base;
  const extra = { evidenceUrl: 'javascript:alert(1)', note: `${HOSTILE_NAME} ${MEGABYTE}`, url: 'javascript:alert(2)' };
  return [
    ...base,
    mention(HOSTILE_NAME, 'companies-that-work-with-ice', 'listed', extra),
    mention('ACME INC', 'twc-top-contractors', HOSTILE.script, { evidenceUrl: 'https://evil.example/track' }),
  ];
}

const hostileHealth: SourceHealth[] = [
  { source: 'usaspending', title: `USAspending ${HOSTILE.script}`, state: 'stale', records: 2, ageDays: 3, lastSuccess: '2026-02-26T00:00:00.000Z', staleAfter: '2026-03-01', message: `${HOSTILE_NAME} ${MEGABYTE}`, sourceState: HOSTILE.bidi },
  { source: 'techqueria', title: 'Techqueria', state: 'ok', records: 2, lastSuccess: '2026-03-01T00:00:00.000Z', staleAfter: '2026-03-15' },
];

function planFor(withNew: boolean, previous?: PlanResult['nextState']): PlanResult {
  const watchdog = (id: string) => {
    const records = hostileMentions(withNew).filter((m) => m.source === id);
    return { id, kind: 'watchdog' as const, records, meta: { source: id, retrievedAt: NOW.toISOString(), origins: ['made by the project'], recordCount: records.length, contentHash: '0'.repeat(64), rowIssues: 0 } };
  };
  return buildPlan({
    asOf: AS_OF,
    config,
    registry: hostileRegistry,
    sources: [{ id: 'usaspending', kind: 'procurement', records: hostileAwards(withNew) }, watchdog('techqueria'), watchdog('companies-that-work-with-ice'), watchdog('twc-top-contractors')],
    health: hostileHealth,
    ...(previous ? { previous } : {}),
    matcher,
    normalizeName: normalizedText,
    renderCompanyYaml,
  });
}

/** Two runs (so the second has a status change, new awards and list changes), published with the site. */
export async function buildHostileSite(): Promise<BuiltSite> {
  const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-hostile-site-'));
  const first = planFor(false);
  const second = planFor(true, first.nextState);
  for (const result of [first, second]) {
    await publish(join(dataDir, 'published', 'v1'), {
      asOf: AS_OF,
      now: NOW.toISOString(),
      registry: hostileRegistry,
      summaries: result.summaries,
      attribution: result.attribution,
      health: result.plan.sources,
      plan: result.plan,
      sources: [
        { id: 'usaspending', title: `USAspending ${HOSTILE.script}`, homepage: 'https://www.usaspending.gov/', kind: 'procurement' },
        // A source declaration is code, but the renderer does not trust it either.
        { id: 'techqueria', title: `Techqueria ${HOSTILE.mentions}`, homepage: 'javascript:alert(1)', kind: 'watchdog' },
      ],
      siteDir: join(dataDir, 'published', 'site'),
    });
  }
  return { dataDir, root: await merged(dataDir) };
}
