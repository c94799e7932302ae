import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../scripts/plan/build-plan.ts';
import { publish, type PublishInputs } from '../../scripts/publish/publish.ts';
import { withEngine } from '../../scripts/store/engine.ts';
import { award, config, direct, fakeMatcher, mention, registryOf } from '../plan/fixtures.ts';
import { floodPlan } from './flood-plan.ts';
import { MAX_ENTRY_ITEMS } from '../../scripts/publish/publish.ts';
import { changesFeedSchema } from '../../scripts/publish/published-schema.ts';

const registry = registryOf([
  {
    id: 'acme',
    name: 'Acme <script>alert(1)</script> @everyone',
    evidence: [{ url: 'https://example.org/acme', title: 'Acme | award [x](javascript:alert(1))', publisher: 'Example', date: '2026-01-01', kind: 'news', summary: 's' }],
    partnership: [{ status: 'declined', since: '2020-02-17', source: 'https://techqueria.org/no-tech-for-ice/' }],
  },
  { id: 'globex', name: 'Globex', evidence: [] },
]);
const matcher = fakeMatcher({ 'ACME INC': [direct('acme')], '=HYPERLINK("X")': [direct('globex')] });
const awards = [
  award({ piid: 'A1', recipient: { name: 'ACME INC' }, start: '2020-01-01', end: '2027-01-01', amounts: { obligated: 1234567.891 }, description: '=cmd|calc' }),
  award({ piid: 'G1', recipient: { name: '=HYPERLINK("x")' }, start: '2010-01-01', end: '2012-01-01', amounts: { obligated: 10 } }),
  award({ piid: 'N1', recipient: { name: 'NEWCO LLC' }, naics: '541512', start: '2025-01-01', end: '2027-01-01', amounts: { obligated: 50000 } }),
];

function inputsFor(asOf: string, now: string): PublishInputs {
  const { plan, summaries, attribution } = buildPlan({
    asOf,
    config,
    registry,
    sources: [
      { id: 'usaspending', kind: 'procurement', records: awards },
      { id: 'techqueria', kind: 'watchdog', records: [mention('ACME INC')] },
    ],
    health: [{ source: 'usaspending', title: 'USAspending', state: 'ok', records: 2, lastSuccess: '2026-11-27T00:00:00.000Z', staleAfter: '2026-11-30' }],
    matcher,
    normalizeName: (n) => n.toLowerCase(),
    renderCompanyYaml: () => '',
  });
  return {
    asOf,
    now,
    registry,
    summaries,
    attribution,
    health: plan.sources,
    plan,
    sources: [
      { id: 'usaspending', title: 'USAspending', homepage: 'https://www.usaspending.gov/', kind: 'procurement' },
      { id: 'techqueria', title: 'Techqueria', homepage: 'https://techqueria.org/', kind: 'watchdog' },
    ],
  };
}

async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out[p.slice(dir.length)] = await readFile(p, 'utf8');
    }
  };
  await walk(dir);
  return out;
}

describe('publish', () => {
  it('writes companies.json that validates against the published schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    await publish(dir, inputsFor('2026-11-27', '2026-11-27T10:00:00.000Z'));
    const schema = JSON.parse(await readFile(join(dir, 'schema/companies.schema.json'), 'utf8'));
    const data = JSON.parse(await readFile(join(dir, 'companies.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const valid = ajv.validate(schema, data);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(data.companies.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ['acme', 'active'],
      ['globex', 'ended'],
    ]);
    expect(data.companies[0].ice.obligated).toBe(1234567.89);
    // And the schema really constrains: a wrong status is rejected.
    data.companies[0].status = 'maybe';
    expect(ajv.validate(schema, data)).toBe(false);
  });

  it('is byte-identical on a rerun and does not move dates when nothing else changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    await publish(dir, inputsFor('2026-11-27', '2026-11-27T10:00:00.000Z'));
    const first = await snapshotDir(dir);
    const mtime = (await stat(join(dir, 'companies.json'))).mtimeMs;
    // The change feed is covered below; here only the registry/snapshot-derived files.
    const written = await publish(dir, { ...inputsFor('2026-11-28', '2026-11-28T10:00:00.000Z'), plan: undefined });
    expect(written).toEqual([]);
    expect(await snapshotDir(dir)).toEqual(first);
    expect((await stat(join(dir, 'companies.json'))).mtimeMs).toBe(mtime);
  });

  it('moves asOf and generatedAt when a status changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    await publish(dir, inputsFor('2026-11-27', '2026-11-27T10:00:00.000Z'));
    await publish(dir, inputsFor('2027-02-01', '2027-02-01T10:00:00.000Z'));
    const data = JSON.parse(await readFile(join(dir, 'companies.json'), 'utf8'));
    expect(data.asOf).toBe('2027-02-01');
    expect(data.generatedAt).toBe('2027-02-01T10:00:00.000Z');
    expect(data.companies[0].status).toBe('ended');
  });

  it('neutralises hostile text in Markdown and formula cells in CSV', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    await publish(dir, inputsFor('2026-11-27', '2026-11-27T10:00:00.000Z'));
    const md = await readFile(join(dir, 'companies.md'), 'utf8');
    expect(md).not.toContain('<script>');
    expect(md).not.toMatch(/\]\(javascript:/);
    expect(md).toContain('\\[x\\]\\(javascript:alert\\(1\\)\\)');
    expect(md).not.toMatch(/@everyone/);
    expect(md).toContain('@&#8203;everyone');
    const awardsCsv = await readFile(join(dir, 'awards.csv'), 'utf8');
    expect(awardsCsv).toContain("'=cmd|calc");
    expect(awardsCsv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(awardsCsv.split('\n')[0]).toBe(
      'company_id,relation,confidence,match_method,award_key,piid,parent_piid,kind,recipient_name,recipient_uei,recipient_duns,obligated,potential,start,end,last_date_to_order,active,naics,psc,description,source,url',
    );
  });

  it('records what changed in the changes feed once per day', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    const inputs = inputsFor('2026-11-27', '2026-11-27T10:00:00.000Z');
    await publish(dir, inputs);
    const feed = JSON.parse(await readFile(join(dir, 'changes.json'), 'utf8'));
    expect(feed.entries).toHaveLength(1);
    expect(feed.entries[0].asOf).toBe('2026-11-27');
    expect(feed.entries[0].companiesProposed).toEqual([{ id: 'newco-llc', name: 'NEWCO LLC', awards: 1 }]);
    await publish(dir, inputs);
    expect(JSON.parse(await readFile(join(dir, 'changes.json'), 'utf8'))).toEqual(feed);
  });
});

describe('the changes feed on a flood', () => {
  it('lists the largest new awards and proposed companies and counts the rest, in JSON, Atom and bounded bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    const plan = floodPlan();
    await publish(dir, { ...inputsFor('2026-12-01', '2026-12-01T10:00:00.000Z'), plan });
    const text = await readFile(join(dir, 'changes.json'), 'utf8');
    const entry = changesFeedSchema.parse(JSON.parse(text)).entries[0]!;
    expect(entry.newAwards).toHaveLength(MAX_ENTRY_ITEMS);
    expect(entry.newAwardCount).toBe(5000);
    const cutoff = plan.newAwards.map((n) => n.award.obligated!).sort((a, b) => b - a)[MAX_ENTRY_ITEMS - 1]!;
    expect(Math.min(...entry.newAwards.map((n) => n.obligated!))).toBe(cutoff);
    const proposed = plan.candidates.filter((c) => c.isNew);
    expect(entry.companiesProposed).toHaveLength(MAX_ENTRY_ITEMS);
    expect(entry.companiesProposedCount).toBe(proposed.length);
    // The candidate with 300 awards is the first one kept.
    expect(entry.companiesProposed[0]).toMatchObject({ id: 'cand-000', awards: 300 });
    // A defaced watchdog page that 'adds' 20,000 names is cut the same way.
    expect(entry.listChanges[0]).toMatchObject({ addedCount: 20_000, removed: ['Gone Inc'] });
    expect(entry.listChanges[0]!.added).toHaveLength(MAX_ENTRY_ITEMS);
    expect(entry.listChanges[0]).not.toHaveProperty('removedCount');
    expect(text.length).toBeLessThan(120_000);
    const atom = await readFile(join(dir, 'changes.xml'), 'utf8');
    expect(atom).toContain('5000 new ICE awards');
    expect(atom).toContain(`…and ${5000 - MAX_ENTRY_ITEMS} smaller new awards`);
    expect(atom.length).toBeLessThan(200_000);
  });

  it('leaves the counts out when everything fits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    const plan = floodPlan();
    await publish(dir, { ...inputsFor('2026-12-01', '2026-12-01T10:00:00.000Z'), plan: { ...plan, newAwards: plan.newAwards.slice(0, MAX_ENTRY_ITEMS), candidates: [] } });
    const entry = changesFeedSchema.parse(JSON.parse(await readFile(join(dir, 'changes.json'), 'utf8'))).entries[0]!;
    expect(entry.newAwards).toHaveLength(MAX_ENTRY_ITEMS);
    expect(entry).not.toHaveProperty('newAwardCount');
    expect(entry).not.toHaveProperty('companiesProposedCount');
  });
});

describe('published evidence schema', () => {
  it('validates the evidence file a proposal carries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    const inputs = inputsFor('2026-11-27', '2026-11-27T10:00:00.000Z');
    await publish(dir, inputs);
    const schema = JSON.parse(await readFile(join(dir, 'schema/evidence.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const proposal = inputs.plan!.proposals.find((p) => p.kind === 'add-company');
    expect(proposal?.kind).toBe('add-company');
    const evidence = JSON.parse(proposal!.kind === 'add-company' ? proposal!.evidenceFile.content : '{}');
    expect(ajv.validate(schema, evidence)).toBe(true);
    expect(ajv.validate(schema, { ...evidence, awards: [{ awardKey: 'x' }] })).toBe(false);
  });

  it('publishes awards.parquet beside awards.csv: the same registry awards, typed, plus the candidates\' awards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    const inputs = inputsFor('2026-11-27', '2026-11-27T10:00:00.000Z');
    const candidates = inputs.plan!.candidates;
    expect(candidates.length).toBeGreaterThan(0);
    await publish(dir, { ...inputs, obligations: { coverage: [], recentWindowDays: 365, candidates } });
    const rows = await withEngine((engine) =>
      engine.all(`SELECT company_id, company_kind, award_key, obligated, CAST(start_date AS VARCHAR) AS start_date, fiscal_year, active, typeof(start_date) AS t FROM read_parquet('${join(dir, 'awards.parquet')}')`),
    );
    const csv = (await readFile(join(dir, 'awards.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(rows.filter((r) => r.company_kind === 'registry')).toHaveLength(csv.length);
    expect(rows.find((r) => r.company_id === 'acme')).toMatchObject({ company_kind: 'registry', obligated: 1234567.891, start_date: '2020-01-01', fiscal_year: 2020, active: true, t: 'DATE' });
    expect(rows.filter((r) => r.company_kind === 'candidate').map((r) => r.company_id)).toEqual(candidates.flatMap((c) => c.awards.map(() => c.companyId)));
    // Identical input, identical bytes.
    const first = await readFile(join(dir, 'awards.parquet'));
    const again = await mkdtemp(join(tmpdir(), 'icewatch-pub-'));
    await publish(again, { ...inputs, obligations: { coverage: [], recentWindowDays: 365, candidates } });
    expect((await readFile(join(again, 'awards.parquet'))).equals(first)).toBe(true);
  });
});
