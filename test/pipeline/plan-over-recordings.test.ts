import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromDisk } from '../../scripts/pipeline/run.ts';
import { recordedDataDir, removeDir } from './recorded-data.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await recordedDataDir();
}, 60_000);
afterAll(async () => removeDir(dataDir));

const plan = (asOf: string) => planFromDisk({ dataDir, asOf, now: new Date('2026-11-27T12:00:00Z'), log: () => {} });
const active = (ctx: Awaited<ReturnType<typeof plan>>) =>
  ctx.result.summaries.filter((s) => s.status === 'active').map((s) => `${s.id}:${s.activeAwardCount}`);


describe('the plan over the recorded ICE data', { timeout: 30_000 }, () => {
  it('as of 2026-11-27: only GEO Group has an active award (its Houston detention IDV orders until 2029); recent money is its own status', async () => {
    const ctx = await plan('2026-11-27');
    expect(active(ctx)).toEqual(['geo-group:1']);
    const geo = ctx.result.summaries.find((s) => s.id === 'geo-group')!;
    expect(geo.activeAwardKeys).toEqual(['CONT_IDV_HSCEDM17D00009_7012']);
    expect(geo.awardCount).toBe(25);
    const deloitte = ctx.result.summaries.find((s) => s.id === 'deloitte')!;
    // Its dated awards all ended by 2026-03-13, but ICE obligated money to it in FY2026 on awards whose
    // end dates are not in the recordings: recent obligations, never "active".
    expect([deloitte.status, deloitte.awardCount, deloitte.obligated, deloitte.firstAwardStart, deloitte.lastAwardEnd]).toEqual([
      'recent-obligations', 21, 191348439.5, '2015-08-03', '2026-03-13',
    ]);
    expect(deloitte.obligations?.byFiscalYear.map((y) => [y.fiscalYear, y.complete])).toEqual([
      [2021, true], [2022, false], [2023, false], [2024, true], [2025, true], [2026, true],
    ]);
    expect(ctx.result.summaries.filter((s) => s.status === 'recent-obligations').map((s) => s.id)).toEqual([
      'akima', 'amentum', 'at-and-t', 'axon', 'caci', 'carahsoft', 'cellebrite', 'comcast', 'corecivic', 'csi-aviation', 'dell',
      'deloitte', 'ernst-and-young', 'four-points-technology', 'g4s-secure-solutions', 'guidehouse', 'immixgroup', 'leidos',
      'lionbridge', 'magnet-forensics', 'management-and-training-corporation', 'motorola-solutions', 'mvm', 'palantir',
      'panamerica-computers', 'paragon-professional-services', 'pen-link', 'peraton', 'relx', 'sos-international',
      'talton-communications', 'thomson-reuters', 'thundercat-technology', 'zerofox',
    ]);
    const microsoft = ctx.result.summaries.find((s) => s.id === 'microsoft')!;
    expect(microsoft.resellerChannel).toEqual({ awardCount: 18, activeAwardCount: 0, obligatedLowerBound: 949657.6 });
    expect(ctx.result.summaries.filter((s) => s.status === 'ended').length).toBe(22);
  });

  it('as of 2020-07-12 the active set is different', async () => {
    const ctx = await plan('2020-07-12');
    expect(active(ctx)).toEqual(['accenture:1', 'akima:1', 'caci:1', 'deloitte:7', 'general-dynamics:1', 'geo-group:7', 'mvm:1', 'peraton:1']);
    const deloitte = ctx.result.summaries.find((s) => s.id === 'deloitte')!;
    // Awards that had not started by then are left out of the totals.
    expect([deloitte.awardCount, deloitte.obligated, deloitte.lastAwardEnd]).toEqual([16, 104740796.39, '2024-03-29']);
  });

  it('proposes the tech-scope ICE recipients and award-backed watchdog names, nothing else', async () => {
    const ctx = await plan('2026-11-27');
    // Every award-backed or list-backed candidate of the award sources is still proposed.
    const ids = ctx.result.plan.candidates.map((c) => c.companyId);
    // Perspecta, Akima's, G4S's and MTC's operating units are registry units now (Peraton, Akima, G4S, MTC).
    const fromAwardsAndLists = [
      'alpha-omega-integration', 'variq', 'governmentcio', 'acuity', 'salient-crgt', 'icf',
      'empower-ai', 'bluestone-analytics', 'atlantic-diving-supply', 'peraton',
      'classic-air-charter', 'csi-aviation', 'inserso',
      'itc-federal', 'mvm', 'paragon-professional-services', 'steampunk',
      'widepoint-integrated-solutions',
    ].filter((id) => !ctx.registry.byId.has(id));
    expect(fromAwardsAndLists.filter((id) => !ids.includes(id))).toEqual([]);
    // The FY2026 transactions add recipients in technology scope paid at least the threshold in FY2026;
    // with no UEI in that source, only the exact recipient name groups them, and the reason says so.
    const byObligations = ctx.result.plan.candidates.filter((c) => c.because.includes('tech-scope-obligations'));
    expect(byObligations.length).toBeGreaterThan(50);
    for (const c of byObligations) {
      expect(c.obligations?.byFiscalYear.some((y) => y.fiscalYear === 2026 && y.obligated >= 25000)).toBe(true);
      if (c.match.method !== 'uei') expect(c.match.reason).toContain('has no UEI');
    }
    // Adobe, Elastic, Jamf and Splunk are named by one list whose usaspending.gov links resolve to no award
    // in the snapshots (issue 15, item 7): mentions waiting for a second source, not award evidence.
    const review = ctx.result.plan.reviewQueue.filter((r) => r.kind === 'mention').map((r) => r.name.toLowerCase());
    for (const name of ['adobe', 'elastic', 'jamf', 'splunk']) expect(review.some((n) => n.startsWith(name))).toBe(true);
    const variq = ctx.result.plan.candidates.find((c) => c.companyId === 'variq');
    if (variq) {
      expect(variq.awards.map((a) => [a.awardKey, a.obligated, a.start, a.end])).toEqual([
        ['CONT_AWD_70CTD021FR0000002_7012_HHSN316201600007W_7529', 30171225.41, '2020-10-29', '2025-04-28'],
      ]);
      expect(variq.match.method).toBe('uei');
    }
    // No registry company is ever proposed again, and nothing under the review threshold is proposed.
    for (const p of ctx.result.plan.proposals.filter((p) => p.kind === 'add-company')) {
      expect(ctx.registry.byId.has(p.companyId)).toBe(false);
      expect(p.confidence).toBeGreaterThanOrEqual(0.9);
    }
    expect(ctx.result.plan.reviewQueue.length).toBeGreaterThan(100);
  });

  it('shows status transitions between two as-of dates', async () => {
    const before = await plan('2020-07-12');
    const { writeLastRun } = await import('../../scripts/plan/last-run.ts');
    await writeLastRun(dataDir, before.result.nextState);
    try {
      const after = await plan('2026-11-27');
      expect(after.result.plan.transitions.map((t) => `${t.companyId}:${t.from}->${t.to}`)).toEqual([
        'accenture:active->ended',
        'acquisition-logistics:no-record->ended',
        'akima:active->recent-obligations',
        'amentum:no-record->recent-obligations',
        'at-and-t:no-record->recent-obligations',
        'axon:no-record->recent-obligations',
        'babel-street:no-record->ended',
        'brinc-drones:no-record->ended',
        'caci:active->recent-obligations',
        'carahsoft:no-record->recent-obligations',
        'cdw-government:no-record->ended',
        'cellebrite:ended->recent-obligations',
        'classic-air-charter:no-record->ended',
        'clearview-ai:no-record->ended',
        'comcast:no-record->recent-obligations',
        'corecivic:ended->recent-obligations',
        'csi-aviation:ended->recent-obligations',
        'dell:ended->recent-obligations',
        'deloitte:active->recent-obligations',
        'dlt-solutions:no-record->ended',
        'ernst-and-young:no-record->recent-obligations',
        'escgov:no-record->ended',
        'four-points-technology:no-record->recent-obligations',
        'g4s-secure-solutions:ended->recent-obligations',
        'general-dynamics:active->ended',
        'google:no-record->ended',
        'guidehouse:no-record->recent-obligations',
        'immixgroup:no-record->recent-obligations',
        'leidos:ended->recent-obligations',
        'lionbridge:no-record->recent-obligations',
        'magnet-forensics:no-record->recent-obligations',
        'management-and-training-corporation:no-record->recent-obligations',
        'mandiant:no-record->ended',
        'motorola-solutions:ended->recent-obligations',
        'msab:no-record->ended',
        'mvm:active->recent-obligations',
        'mythics:no-record->ended',
        'palantir:ended->recent-obligations',
        'panamerica-computers:no-record->recent-obligations',
        'paragon-professional-services:no-record->recent-obligations',
        'paragon-solutions:no-record->ended',
        'pen-link:no-record->recent-obligations',
        'peraton:active->recent-obligations',
        'relx:no-record->recent-obligations',
        'saic:no-record->ended',
        'sos-international:no-record->recent-obligations',
        't-mobile:no-record->ended',
        'talton-communications:no-record->recent-obligations',
        'thomson-reuters:ended->recent-obligations',
        'thundercat-technology:no-record->recent-obligations',
        'verizon:no-record->ended',
        'world-wide-technology:no-record->ended',
        'zerofox:no-record->recent-obligations',
      ]);
      expect(after.result.plan.newAwards.length).toBeGreaterThan(0);
      expect(after.result.plan.proposals.filter((p) => p.kind === 'status-change').map((p) => p.companyId)).toEqual([
        'accenture', 'akima', 'caci', 'deloitte', 'general-dynamics', 'mvm', 'peraton',
      ]);
    } finally {
      const { rm } = await import('node:fs/promises');
      await rm(`${dataDir}/state`, { recursive: true, force: true });
    }
  });
});
