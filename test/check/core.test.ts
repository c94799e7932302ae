/**
 * The checker over made published data (an index and companies.json built here, not the real registry),
 * so each case controls the awards, dates, parents and policy entries that decide a status.
 */
import { describe, expect, it } from 'vitest';
import type { CheckIndex, IndexAward } from '../../scripts/check/check-index.ts';
import { createChecker, NO_RECORD_NOTE, websiteHost, type PublishedCompanyView, type PublishedView } from '../../scripts/check/core.ts';
import { renderCsv, renderTable } from '../../scripts/check/render.ts';

const award = (key: string, start: string, last: string, amount: number, to: string): IndexAward => [key, start, last, amount, to, `https://www.usaspending.gov/award/${key}`];

const INDEX: CheckIndex = {
  schemaVersion: '1.0.0',
  asOf: '2025-01-01',
  companies: [
    { id: 'amazon', name: 'Amazon', roles: ['vendor'], website: 'https://www.amazon.com', aliases: { legal: ['Amazon.com, Inc.'], weak: ['AWS'] }, subsidiaries: [{ name: 'Amazon Web Services, Inc.' }] },
    { id: 'twitch', name: 'Twitch', parent: 'amazon', roles: ['vendor'], aliases: { legal: ['Twitch Interactive, Inc.'] } },
    { id: 'geo-group', name: 'The GEO Group', roles: ['vendor'], aliases: { legal: ['THE GEO GROUP, INC.'] }, identifiers: { uei: [{ value: 'GEOUEI123456', source: 'test' }, { value: 'OLDUEI123456', validTo: '2021-12-31', source: 'test' }] } },
    { id: 'carahsoft', name: 'Carahsoft Technology', roles: ['reseller'], aliases: { legal: ['Carahsoft Technology Corp'] } },
    { id: 'palantir', name: 'Palantir Technologies', roles: ['vendor'], aliases: { strong: ['Palantir'] } },
    { id: 'cisco', name: 'Cisco Systems', roles: ['vendor'], falseFriends: ['Cisco-Eagle'] },
  ],
  awards: {
    'geo-group': [award('CONT_A', '2020-01-01', '2025-06-30', 1000, 'GEO GROUP INC., THE')],
    palantir: [award('CONT_P', '2014-01-01', '2019-09-24', 500, 'PALANTIR USG, INC.')],
  },
  resellerAwards: { amazon: [award('CONT_R', '2023-01-01', '2026-01-01', 200, 'CARAHSOFT TECHNOLOGY CORP')] },
};

const view = (id: string, name: string, extra: Partial<PublishedCompanyView> = {}): PublishedCompanyView => ({
  id,
  name,
  parent: null,
  status: 'no-record',
  partnership: [],
  watchdogLists: [],
  evidence: [],
  ...extra,
});

const PUBLISHED: PublishedView = {
  asOf: '2025-01-01',
  companies: [
    view('amazon', 'Amazon'),
    view('twitch', 'Twitch', { parent: 'amazon' }),
    view('geo-group', 'The GEO Group', { status: 'active' }),
    view('carahsoft', 'Carahsoft Technology', {
      watchdogLists: [{ source: 'companies-that-work-with-ice', list: 'listed' }],
      evidence: [{ url: 'https://companies-that-work-with-ice.com/', title: 'Companies that work with ICE', date: '2020-02-17', kind: 'watchdog-list' }],
    }),
    view('palantir', 'Palantir Technologies', {
      status: 'ended',
      partnership: [{ status: 'declined', since: '2020-02-17', until: null, source: 'https://techqueria.org/no-tech-for-ice/' }],
    }),
    view('cisco', 'Cisco Systems'),
  ],
};

const checker = createChecker(INDEX, PUBLISHED);
const one = (name: string, asOf?: string, extra: { uei?: string; website?: string } = {}) => checker.check([{ name, line: 1, ...extra }], { asOf }).rows[0]!;

describe('createChecker', () => {
  it('decides the status as of the date asked, from the award timeline', () => {
    expect(one('GEO Group, Inc., The')).toMatchObject({ outcome: 'match', companyId: 'geo-group', relation: 'itself', status: 'active', attention: true });
    expect(one('THE GEO GROUP, INC.', '2025-07-01')).toMatchObject({ status: 'ended', attention: false });
    // Before the award started the company had no ICE record at all.
    expect(one('THE GEO GROUP, INC.', '2019-12-31')).toMatchObject({ status: 'no-record', note: expect.stringContaining(NO_RECORD_NOTE) });
    expect(one('whatever', undefined, { uei: 'geouei123456' })).toMatchObject({ companyId: 'geo-group', method: 'uei', confidence: 1 });
    // An identifier counts only on the dates the registry says it was the company's.
    expect(one('whatever', '2021-06-01', { uei: 'OLDUEI123456' })).toMatchObject({ companyId: 'geo-group', method: 'uei' });
    expect(one('whatever', undefined, { uei: 'OLDUEI123456' })).toMatchObject({ outcome: 'none' });
  });

  it('names brands and units, and says when a status comes through a parent or a reseller channel', () => {
    expect(one('AWS')).toMatchObject({ companyId: 'amazon', relation: 'brand', status: 'active', decidedBy: { via: 'reseller-channel' } });
    expect(one('Amazon Web Services')).toMatchObject({ companyId: 'amazon', relation: 'unit' });
    const twitch = one('Twitch Interactive, Inc.');
    expect(twitch).toMatchObject({ companyId: 'twitch', relation: 'itself', status: 'active', decidedBy: { companyId: 'amazon', via: 'parent' } });
    expect(twitch.note).toContain('Through its parent Amazon');
    expect(one('Twitch', '2022-01-01')).toMatchObject({ status: 'no-record', decidedBy: { companyId: 'twitch', via: 'itself' } });
  });

  it('ranks a policy entry above ended contracts and keeps both in the note and evidence', () => {
    const row = one('Palantir');
    expect(row).toMatchObject({ status: 'declined', relation: 'brand', attention: true });
    expect(row.note).toContain('none active');
    expect(row.evidence.map((e) => e.url)).toEqual(['https://techqueria.org/no-tech-for-ice/', 'https://www.usaspending.gov/award/CONT_P']);
    // Before the policy page listed it, only the ended award speaks.
    expect(one('Palantir', '2020-01-01')).toMatchObject({ status: 'ended', attention: false });
    expect(one('Carahsoft Technology Corp')).toMatchObject({ status: 'watchdogs-only', attention: true });
  });

  it('never gives a fuzzy resemblance a status, and never matches a false friend', () => {
    const row = one('Palantir Technologie Services');
    expect(row).toMatchObject({ outcome: 'possible', status: null, companyId: null, attention: true });
    expect(row.candidates[0]).toMatchObject({ companyId: 'palantir' });
    expect(row.note).toMatch(/^Possible match — check/);
    expect(one('Cisco-Eagle')).toMatchObject({ outcome: 'none', status: 'no-record', attention: false });
    expect(one('Acme Widgets')).toMatchObject({ outcome: 'none', note: NO_RECORD_NOTE });
  });

  it('matches a website to the registry website of a company, subdomains included', () => {
    expect(one('Some Cloud Team', undefined, { website: 'aws.amazon.com/gov' })).toMatchObject({ companyId: 'amazon', method: 'website', confidence: 0.95 });
    expect(one('Some Cloud Team', undefined, { website: 'notamazon.com' })).toMatchObject({ outcome: 'none' });
    expect(websiteHost('HTTPS://WWW.Example.org/path')).toBe('example.org');
    expect(websiteHost('not a url at all')).toBeUndefined();
  });

  it('summarises how many names need attention, and says "no record" is not a clearance', () => {
    const result = checker.check(['AWS', 'Acme', 'Cisco-Eagle', 'Palantir Technologie Services', 'Palantir'].map((name, i) => ({ name, line: i + 1 })));
    expect(result.summary).toMatchObject({ checked: 5, attention: 3, matched: 2, possible: 1, noRecord: 2 });
    expect(result.summaryLine).toBe(
      '5 names checked as of 2025-01-01: 3 need attention (1 active ICE contract, 1 declined (policy list), 1 possible match — check); 2 with no ICE record found in these sources (not a clearance).',
    );
    expect(renderTable(result)).toContain('it is not a clearance');
    expect(renderCsv(result).split('\n')[0]).toBe('line,name,outcome,company_id,company,relation,status,decided_by,via,confidence,method,attention,note,evidence_urls,candidates');
  });
});
