import { describe, expect, it } from 'vitest';
import { buildPlan, PLAN_PROPOSAL_LIMIT, type PlanInputs } from '../../scripts/plan/build-plan.ts';
import { award, config, direct, fakeMatcher, mention, registryOf } from './fixtures.ts';

const registry = registryOf([
  { id: 'acme', name: 'Acme', evidence: [] },
  { id: 'globex', name: 'Globex', evidence: [] },
]);

const matcher = fakeMatcher({
  'ACME INC': [direct('acme')],
  ACME: [direct('acme')],
  'GLOBEX CORP': [direct('globex')],
  'GLOBEX MAYBE': [direct('globex', 0.8)],
});

const awards = [
  award({ piid: 'A1', recipient: { name: 'ACME INC' }, start: '2019-01-01', end: '2021-06-30', amounts: { obligated: 1000.1 } }),
  award({ piid: 'A2', recipient: { name: 'ACME INC' }, start: '2020-01-01', end: '2027-01-01', amounts: { obligated: 2000.2 } }),
  award({ piid: 'G1', recipient: { name: 'GLOBEX CORP' }, start: '2015-01-01', end: '2020-09-30', amounts: { obligated: 50 } }),
  award({ piid: 'G2', recipient: { name: 'GLOBEX MAYBE' }, start: '2022-01-01', end: '2030-01-01' }),
  award({ piid: 'N1', recipient: { name: 'NEWCO TECHNOLOGIES LLC', uei: 'ABCDEFGH1234' }, naics: '541512', start: '2024-01-01', end: '2028-01-01', amounts: { obligated: 30000 } }),
  award({ piid: 'N2', recipient: { name: 'NEWCO TECHNOLOGIES, LLC' }, psc: 'DA01', start: '2025-01-01', end: '2026-01-01', amounts: { obligated: 1000 } }),
  award({ piid: 'J1', recipient: { name: 'JANITORIAL PLUS' }, naics: '561720', start: '2024-01-01', end: '2028-01-01', amounts: { obligated: 9e6 } }),
  award({ piid: 'X1', recipient: { name: 'ACME INC' }, awardingAgencyCode: '7014', awardingSubAgency: 'U.S. Customs and Border Protection', start: '2020-01-01', end: '2030-01-01' }),
];

function inputs(overrides: Partial<PlanInputs> = {}): PlanInputs {
  return {
    asOf: '2026-11-27',
    config,
    registry,
    sources: [
      { id: 'usaspending', kind: 'procurement', records: awards },
      { id: 'techqueria', kind: 'watchdog', records: [mention('Acme'), mention('Initech', 'techqueria', 'past-partners')] },
    ],
    health: [],
    matcher,
    normalizeName: (n) => n.toLowerCase().replace(/[,.]/g, '').replace(/\s+(llc|inc)$/, ''),
    renderCompanyYaml: (c) => `id: ${c.id}\nname: ${c.name}\n`,
    ...overrides,
  };
}

describe('buildPlan', () => {
  it('computes status and exact totals per company as of a date, leaving out other agencies', () => {
    const { summaries } = buildPlan(inputs());
    const acme = summaries.find((s) => s.id === 'acme')!;
    expect(acme.status).toBe('active');
    expect(acme.awardCount).toBe(2);
    expect(acme.activeAwardKeys).toEqual(['CONT_AWD_A2_7012_-NONE-_-NONE-']);
    expect(acme.obligated).toBe(3000.3);
    expect(acme.firstAwardStart).toBe('2019-01-01');
    expect(acme.lastAwardEnd).toBe('2027-01-01');
    expect(summaries.find((s) => s.id === 'globex')!.status).toBe('ended');
  });

  it('gives different active sets for different as-of dates', () => {
    const early = buildPlan(inputs({ asOf: '2020-07-12' })).summaries;
    const late = buildPlan(inputs()).summaries;
    expect(early.find((s) => s.id === 'globex')!.status).toBe('active');
    expect(late.find((s) => s.id === 'globex')!.status).toBe('ended');
    // A2 started 2020-01-01 and A1 ran until 2021: both active in 2020.
    expect(early.find((s) => s.id === 'acme')!.activeAwardCount).toBe(2);
    // An award that had not started by the as-of date does not count at all.
    expect(buildPlan(inputs({ asOf: '2018-12-31' })).summaries.find((s) => s.id === 'acme')!.status).toBe('no-record');
  });

  it('proposes only tech-scope recipients above the minimum, grouping spellings', () => {
    const { plan } = buildPlan(inputs());
    expect(plan.candidates.map((c) => c.companyId)).toEqual(['newco-technologies']);
    const newco = plan.candidates[0]!;
    expect(newco.awards.map((a) => a.piid)).toEqual(['N1', 'N2']);
    expect(newco.totalObligated).toBe(31000);
    expect(newco.match.method).toBe('uei');
    expect(plan.proposals.filter((p) => p.kind === 'add-company').map((p) => p.companyId)).toEqual(['newco-technologies']);
  });

  it('sends weak matches to the review queue, not to companies or candidates', () => {
    const { plan, summaries } = buildPlan(inputs());
    expect(plan.reviewQueue.some((r) => r.awardKey === 'CONT_AWD_G2_7012_-NONE-_-NONE-' && r.matches[0]?.confidence === 0.8)).toBe(true);
    expect(summaries.find((s) => s.id === 'globex')!.awardKeys).not.toContain('CONT_AWD_G2_7012_-NONE-_-NONE-');
    expect(plan.candidates.some((c) => c.name.includes('GLOBEX'))).toBe(false);
  });

  it('keeps a single-source watchdog name without award evidence in review', () => {
    const { plan } = buildPlan(inputs());
    expect(plan.candidates.some((c) => c.name === 'Initech')).toBe(false);
    expect(plan.reviewQueue.some((r) => r.kind === 'mention' && r.name === 'Initech' && r.matches.length === 0)).toBe(true);
  });

  it('reports nothing new on a rerun against the state it produced', () => {
    const first = buildPlan(inputs());
    const second = buildPlan(inputs({ previous: first.nextState }));
    expect(second.plan.newAwards).toEqual([]);
    expect(second.plan.transitions).toEqual([]);
    expect(second.plan.listChanges).toEqual([]);
    expect(second.plan.candidates.every((c) => !c.isNew)).toBe(true);
    expect(second.nextState).toEqual(first.nextState);
  });

  it('finds new awards and status transitions against the previous run', () => {
    const before = buildPlan(inputs({ asOf: '2020-07-12' })).nextState;
    const { plan } = buildPlan(inputs({ previous: before }));
    expect(plan.transitions).toEqual([
      expect.objectContaining({ companyId: 'globex', from: 'active', to: 'ended' }),
    ]);
    // Nothing new for acme: both awards had started by 2020-07-12.
    expect(plan.newAwards).toEqual([]);
    const status = plan.proposals.find((p) => p.kind === 'status-change' && p.companyId === 'globex');
    expect(status?.kind === 'status-change' && status.reason).toContain('CONT_AWD_G1_7012_-NONE-_-NONE-');
  });

  it('detects watchdog list changes and never infers removals from a missing source', () => {
    const before = buildPlan(inputs()).nextState;
    const moved = inputs({
      previous: before,
      sources: [
        { id: 'usaspending', kind: 'procurement', records: awards },
        { id: 'techqueria', kind: 'watchdog', records: [mention('Acme', 'techqueria', 'past-partners'), mention('Initech', 'techqueria', 'past-partners')], meta: { source: 'techqueria', retrievedAt: '2026-11-27T00:00:00Z', origins: [], recordCount: 2, contentHash: 'x', rowIssues: 0 } },
      ],
    });
    const { plan } = buildPlan(moved);
    expect(plan.listChanges).toEqual([
      { source: 'techqueria', list: 'declined', added: [], removed: ['Acme'], needsReview: true },
      { source: 'techqueria', list: 'past-partners', added: ['Acme'], removed: [], needsReview: false },
    ]);
    const gone = buildPlan(inputs({ previous: before, sources: [{ id: 'usaspending', kind: 'procurement', records: awards }, { id: 'techqueria', kind: 'watchdog', records: [] }] }));
    expect(gone.plan.listChanges).toEqual([]);
    expect(gone.nextState.lists).toEqual(before.lists);
  });

  it('keeps dismissed candidates dismissed until a new award appears', () => {
    const dismissedRegistry = registryOf(
      [{ id: 'acme', name: 'Acme', evidence: [] }, { id: 'globex', name: 'Globex', evidence: [] }],
      [{ id: 'newco-technologies', name: 'Newco', reason: 'not tech', date: '2026-01-01', awardKeys: ['CONT_AWD_N1_7012_-NONE-_-NONE-', 'CONT_AWD_N2_7012_-NONE-_-NONE-'] }],
    );
    expect(buildPlan(inputs({ registry: dismissedRegistry })).plan.proposals.filter((p) => p.kind === 'add-company')).toEqual([]);
    const more = [...awards, award({ piid: 'N3', recipient: { name: 'NEWCO TECHNOLOGIES LLC' }, naics: '541512', start: '2026-01-01', end: '2027-01-01' })];
    const back = buildPlan(inputs({ registry: dismissedRegistry, sources: [{ id: 'usaspending', kind: 'procurement', records: more }] }));
    const proposal = back.plan.proposals.find((p) => p.kind === 'add-company');
    expect(proposal?.kind === 'add-company' && proposal.newSinceDismissal).toEqual(['CONT_AWD_N3_7012_-NONE-_-NONE-']);
  });

  it('builds only the proposals it keeps and counts the rest, leaving out dismissed candidates with nothing new', () => {
    const flood = Array.from({ length: PLAN_PROPOSAL_LIMIT + 30 }, (_, i) =>
      award({ piid: `F${String(i).padStart(4, '0')}`, recipient: { name: `FLOOD VENDOR ${String(i).padStart(4, '0')} LLC` }, naics: '541512', start: '2025-01-01', end: '2027-01-01', amounts: { obligated: 50_000 + i } }),
    );
    // Ten of the flood were dismissed with these very awards: they are neither proposed nor deferred.
    const dismissed = flood.slice(0, 10).map((a) => ({
      id: `flood-vendor-${a.piid.slice(1)}`,
      name: a.recipient.name,
      reason: 'not tech',
      date: '2026-01-01',
      awardKeys: [a.awardKey],
    }));
    const rendered: string[] = [];
    const result = buildPlan(
      inputs({
        registry: registryOf([{ id: 'acme', name: 'Acme', evidence: [] }], dismissed),
        sources: [{ id: 'usaspending', kind: 'procurement', records: flood }],
        renderCompanyYaml: (c) => {
          rendered.push(c.id);
          return `id: ${c.id}\n`;
        },
      }),
    );
    const adds = result.plan.proposals.filter((p) => p.kind === 'add-company');
    expect(result.plan.candidates).toHaveLength(PLAN_PROPOSAL_LIMIT + 30);
    expect(adds).toHaveLength(PLAN_PROPOSAL_LIMIT);
    expect(result.plan.proposalsDeferred).toBe(20);
    expect(rendered).toHaveLength(PLAN_PROPOSAL_LIMIT);
    expect(adds.some((p) => dismissed.some((d) => d.id === p.companyId))).toBe(false);
  });

  it('is deterministic: the same inputs give the same plan', () => {
    expect(JSON.stringify(buildPlan(inputs()).plan)).toBe(JSON.stringify(buildPlan(inputs()).plan));
  });
});
