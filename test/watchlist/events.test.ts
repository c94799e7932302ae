import { describe, expect, it } from 'vitest';
import type { AwardEvidence, Plan } from '../../scripts/plan/types.ts';
import type { Registry } from '../../scripts/registry/schema.ts';
import { resolveWatchlist, watchlistEvents } from '../../scripts/watchlist/events.ts';
import type { Watchlist } from '../../scripts/watchlist/load.ts';
import { planWatchlist, renderWatchlistFeed } from '../../scripts/watchlist/outputs.ts';
import { createMatcher } from '../../scripts/match/matcher.ts';
import { REGISTRY } from '../match/registry-fixture.ts';
import { assertAtom } from '../feeds/atom-assert.ts';

const registry: Registry = { companies: REGISTRY, byId: new Map(REGISTRY.map((c) => [c.id, c])), dismissed: [] };
const watchlist: Watchlist = {
  id: 'sponsors',
  file: 'data/watchlists/sponsors.yaml',
  title: 'Sponsors <b>2026</b>',
  issue: true,
  companies: [{ name: 'GitHub' }, { name: 'Acme Analytics LLC', uei: 'ACMEUEI12345' }, { name: 'Palantir USG, Inc.' }],
};

const evidence = (key: string, recipientName: string, extra: Partial<AwardEvidence> = {}): AwardEvidence => ({
  awardKey: key,
  piid: key,
  kind: 'contract',
  source: 'usaspending',
  recipientName,
  obligated: 100,
  active: true,
  url: `https://www.usaspending.gov/award/${key}`,
  ...extra,
});

const plan = (over: Partial<Plan>): Plan =>
  ({ asOf: '2026-12-01', newAwards: [], transitions: [], listChanges: [], candidates: [], proposals: [], reviewQueue: [], sources: [], ...over }) as unknown as Plan;

describe('watch-list events', () => {
  it('resolves watched names to registry companies and their parents, confident matches only', () => {
    const targets = resolveWatchlist(watchlist, registry, createMatcher(REGISTRY));
    expect(Object.fromEntries(targets)).toEqual({
      github: { watched: 'GitHub', via: 'itself' },
      microsoft: { watched: 'GitHub', via: 'parent' },
      palantir: { watched: 'Palantir USG, Inc.', via: 'itself' },
    });
  });

  it('reports awards, status changes, listings and candidates that touch the list, nothing else', () => {
    const events = watchlistEvents(
      watchlist,
      registry,
      plan({
        newAwards: [
          { companyId: 'microsoft', relation: 'direct', confidence: 1, reason: 'duns', award: evidence('CONT_MS', 'MICROSOFT CORPORATION') },
          { companyId: 'oracle', relation: 'direct', confidence: 1, reason: 'duns', award: evidence('CONT_OR', 'ORACLE AMERICA, INC.') },
        ],
        transitions: [{ companyId: 'palantir', name: 'Palantir', from: 'ended', to: 'active', awards: [] }],
        listChanges: [{ source: 'twc-top-contractors', list: 'top', added: ['Palantir Technologies Inc.', 'Oracle'], removed: [], needsReview: false }],
        candidates: [
          { companyId: 'acme-analytics', name: 'ACME ANALYTICS, L.L.C.', isNew: true, awards: [evidence('CONT_AC', 'ACME ANALYTICS, L.L.C.')], totalObligated: 100 } as never,
          { companyId: 'acme-old', name: 'Acme Analytics LLC', isNew: false, awards: [], totalObligated: 0 } as never,
        ],
      }),
    );
    expect(events.map((e) => [e.kind, e.companyId, e.watched, e.title])).toEqual([
      ['new-award', 'microsoft', 'GitHub', 'New ICE award: Microsoft (parent of watched GitHub)'],
      ['new-candidate', 'acme-analytics', 'Acme Analytics LLC', 'New ICE contractor candidate: ACME ANALYTICS, L.L.C.'],
      ['new-listing', 'palantir', 'Palantir USG, Inc.', 'New watchdog listing: Palantir on twc-top-contractors'],
      ['status-change', 'palantir', 'Palantir USG, Inc.', 'Status change: Palantir ended → active'],
    ]);
  });

  it('adds only unseen events to the history; the feed is valid Atom and escapes outside text', () => {
    const p = plan({ newAwards: [{ companyId: 'github', relation: 'direct', confidence: 1, reason: 'x', award: evidence('CONT_GH', 'GITHUB <script>alert(1)</script>\u202e') }] });
    const first = planWatchlist(watchlist, { registry, plan: p, dataDir: '/d' });
    expect(first.newEvents).toHaveLength(1);
    expect(first.files.map((f) => f.path)).toEqual(['/d/published/v1/watchlists/sponsors.xml', '/d/state/watchlists/sponsors.json']);
    const feed = first.files[0]!.content;
    assertAtom(feed);
    expect(feed).not.toContain('<script>');
    expect(feed).not.toContain('\u202e');
    expect(feed).toContain('&lt;script&gt;');
    expect(first.issue?.comment?.body).toContain('GITHUB \\<script\\>');

    const again = planWatchlist(watchlist, { registry, plan: p, dataDir: '/d', previous: first.state });
    expect(again.newEvents).toEqual([]);
    expect(again.issue?.comment).toBeUndefined();
    expect(again.files.map((f) => f.path)).toEqual(['/d/published/v1/watchlists/sponsors.xml']);
    expect(again.files[0]!.content).toBe(feed);
  });

  it('an empty list’s feed keeps the date it was created', () => {
    const state = { schemaVersion: 1 as const, watchlist: 'sponsors', created: '2026-01-05', events: [] };
    const feed = renderWatchlistFeed(watchlist, state);
    expect(assertAtom(feed)).toEqual({ entryIds: [], updated: '2026-01-05T00:00:00Z' });
  });
});
