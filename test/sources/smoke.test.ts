/**
 * `icewatch smoke --live` against local servers: the sources are built with a base URL override
 * (a function parameter), never an environment variable.
 */
import { describe, expect, it } from 'vitest';
import { createFpdsSource } from '../../scripts/sources/fpds/index.ts';
import { runSmoke, smokeSummary, smokeTable } from '../../scripts/sources/smoke.ts';
import type { SourceDefinition } from '../../scripts/sources/types.ts';
import { createUsaspendingDownloadSource } from '../../scripts/sources/usaspending-download/index.ts';
import { createUsaspendingSource } from '../../scripts/sources/usaspending/index.ts';
import { createHttpClient } from '../../scripts/util/http.ts';
import { json, startLocalServer, text } from '../helpers/local-server.ts';
import { makeAwards, startUsaspendingServer } from '../helpers/usaspending-server.ts';
import { madePage, tenEntries } from './fpds/feed-pages.ts';

const NOW = new Date('2026-11-20T12:00:00Z');

function httpFor(source: SourceDefinition) {
  return createHttpClient({ sourceId: source.id, allowedHosts: source.hosts, allowLoopbackHttp: true, retries: 0, sleep: async () => {} });
}

describe('smoke --live', () => {
  it('reads one page and the count of each source and says what a full fetch would do', async () => {
    const api = await startUsaspendingServer({ awards: [...makeAwards(250, 'contracts'), ...makeAwards(31, 'idvs')] });
    api.server.route('POST /api/v2/download/count/', json({ calculated_count: 281, maximum_limit: 500000, spending_level: 'awards', rows_gt_limit: false, messages: [] }));
    const feed = await startLocalServer();
    feed.route('/ezsearch/FEEDS/ATOM', (res, ctx) => {
      const url = new URL(ctx.request.path, feed.origin);
      const start = Number(url.searchParams.get('start') ?? '0');
      const last = new URL(url);
      last.searchParams.set('start', '30');
      return text(start === 0 ? madePage(tenEntries(1), { next: last.toString(), last: last.toString() }) : madePage(tenEntries(31).slice(0, 7)), 200, { 'content-type': 'application/atom+xml' })(res, ctx);
    });
    try {
      const sources = [
        createUsaspendingSource({ baseUrl: api.origin, lookupParents: false }),
        createUsaspendingDownloadSource({ baseUrl: api.origin }),
        createFpdsSource({ baseUrl: feed.origin }),
      ];
      const reports = await runSmoke({ sources, httpFor, now: NOW, log: () => {} });
      expect(reports.map((r) => [r.source, r.status, r.rows, r.count])).toEqual([
        ['usaspending', 'ok', 100, 281],
        ['usaspending-download', 'ok', 0, 281],
        ['fpds', 'ok', 10, 37],
      ]);
      expect(reports[0]?.wouldFetch).toBe('full crawl: contracts: 250 awards in 3 page(s); idvs: 31 awards in 1 page(s) (cursor paging from page 2)');
      expect(reports[2]?.wouldFetch).toContain('37 actions in 4 page(s), then FEEDNAME=DELETED');
      // One search page and one count: a smoke run is two requests, not a crawl.
      expect(api.searchBodies()).toHaveLength(1);
      expect(api.countBodies()).toHaveLength(1);
      const table = smokeTable(reports);
      expect(table.split('\n')[0]).toMatch(/^\| source +\| status +\| request/);
      expect(smokeSummary(reports)).toBe('smoke: all 3 source(s) answered as their contracts say');
    } finally {
      await api.close();
      await feed.close();
    }
  });

  it('a contract change is reported per source with a clear summary, and the others still answer', async () => {
    const api = await startUsaspendingServer({ awards: makeAwards(5, 'contracts') });
    // The count endpoint renamed its keys.
    api.server.route('POST /api/v2/search/spending_by_award_count/', json({ results: { contract: 5, idv: 0 }, spending_level: 'awards' }));
    const feed = await startLocalServer({ '/ezsearch/FEEDS/ATOM': text('<html><body>maintenance</body></html>', 200, { 'content-type': 'text/html' }) });
    try {
      const reports = await runSmoke({
        sources: [createUsaspendingSource({ baseUrl: api.origin, lookupParents: false }), createFpdsSource({ baseUrl: feed.origin })],
        httpFor,
        now: NOW,
        log: () => {},
      });
      expect(reports.map((r) => r.status)).toEqual(['changed', 'changed']);
      expect(reports[0]?.message).toMatch(/field results\.contracts: spending_by_award_count has the wrong shape/);
      expect(reports[1]?.message).toMatch(/not an ATOM feed/);
      expect(smokeSummary(reports)).toMatch(/^smoke: 2 of 2 source\(s\) need attention \(changed: the contract differs; unavailable: no answer\):\n- usaspending changed: /);
    } finally {
      await api.close();
      await feed.close();
    }
  });

  it('a service that does not answer is unavailable, not changed', async () => {
    const feed = await startLocalServer({ '/ezsearch/FEEDS/ATOM': text('down', 404) });
    try {
      const [report] = await runSmoke({ sources: [createFpdsSource({ baseUrl: feed.origin })], httpFor, now: NOW, log: () => {} });
      expect(report).toMatchObject({ source: 'fpds', status: 'unavailable', message: expect.stringContaining('HTTP 404') });
    } finally {
      await feed.close();
    }
  });
});
