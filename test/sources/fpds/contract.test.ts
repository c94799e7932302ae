/**
 * FPDS held to FPDS's own feed contract and its reference loader (data-act-broker-backend
 * pull_fpds_data.py): end of feed, the DELETED feed, messy real entries, hostile XML.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceHealth } from '../../../scripts/pipeline/health.ts';
import type { Config } from '../../../scripts/config.ts';
import type { AwardRecord } from '../../../scripts/records.ts';
import { updateSource } from '../../../scripts/snapshots/update-source.ts';
import { createFpdsSource, fpdsSource } from '../../../scripts/sources/fpds/index.ts';
import { parseFpdsInputs } from '../../../scripts/sources/fpds/parse.ts';
import type { RawInput } from '../../../scripts/sources/types.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { createHttpClient } from '../../../scripts/util/http.ts';
import { startLocalServer, text } from '../../helpers/local-server.ts';
import type { LocalServer } from '../../helpers/local-server.ts';
import { ownFixture } from '../../helpers/shared-fixtures.ts';
import { madePage, tenEntries } from './feed-pages.ts';
import type { MadeEntry } from './feed-pages.ts';

const FEED_PATH = '/ezsearch/FEEDS/ATOM';
const NOW = new Date('2026-04-12T05:00:00Z');

let dir: string;
let server: LocalServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icewatch-fpds-contract-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

function input(path: string): RawInput {
  return { path, origin: path, retrievedAt: NOW.toISOString() };
}

async function parseFiles(...paths: string[]) {
  const logs: string[] = [];
  const result = await parseFpdsInputs(paths.map(input), { log: (m) => logs.push(m) });
  return { ...result, awards: result.records as AwardRecord[], logs };
}

/** A link of the feed itself: same query, another start. */
function feedLink(origin: string, url: URL, start: number, feedName = url.searchParams.get('FEEDNAME') ?? 'PUBLIC'): string {
  const link = new URL(FEED_PATH, origin);
  link.searchParams.set('FEEDNAME', feedName);
  link.searchParams.set('VERSION', url.searchParams.get('VERSION') ?? '');
  link.searchParams.set('q', url.searchParams.get('q') ?? '');
  link.searchParams.set('start', String(start));
  return link.toString();
}

type Pages = (url: URL, start: number) => string;

async function serve(published: Pages, deleted: Pages = () => madePage([])): Promise<LocalServer> {
  const local = await startLocalServer();
  local.route(FEED_PATH, (res, ctx) => {
    const url = new URL(ctx.request.path, local.origin);
    const start = Number(url.searchParams.get('start') ?? '0');
    const body = url.searchParams.get('FEEDNAME') === 'DELETED' ? deleted(url, start) : published(url, start);
    return text(body, 200, { 'content-type': 'application/atom+xml;charset=UTF-8' })(res, ctx);
  });
  return local;
}

function client() {
  return createHttpClient({ sourceId: 'fpds', allowedHosts: ['127.0.0.1'], allowLoopbackHttp: true, retries: 0, sleep: async () => {} });
}

function publicStarts(local: LocalServer): (string | null)[] {
  return local.requestsTo(FEED_PATH).filter((r) => r.query.get('FEEDNAME') === 'PUBLIC').map((r) => r.query.get('start'));
}

describe('defect 3: the end of the feed, as FPDS\'s loader decides it', () => {
  it('a short last page that links to itself ends the walk instead of failing it', async () => {
    server = await serve((url, start) =>
      start === 0
        ? madePage(tenEntries(1), { next: feedLink(server!.origin, url, 10), last: feedLink(server!.origin, url, 10) })
        : madePage(tenEntries(11).slice(0, 4), { next: feedLink(server!.origin, url, 10), last: feedLink(server!.origin, url, 10) }),
    );
    const result = await createFpdsSource({ baseUrl: server.origin }).fetch({ http: client(), workDir: dir, now: NOW, log: () => {} });
    expect(publicStarts(server)).toEqual([null, '10']);
    expect(result.shortfalls).toBeUndefined();
    const parsed = await fpdsSource.parse(result.inputs, { log: () => {} });
    expect(parsed.records).toHaveLength(14);
  });

  it('a full page at the start of rel="last" is the end, whatever its next link says', async () => {
    server = await serve((url, start) => madePage(tenEntries(start + 1), { next: feedLink(server!.origin, url, start === 10 ? 10 : start + 10), last: feedLink(server!.origin, url, 10) }));
    const result = await createFpdsSource({ baseUrl: server.origin }).fetch({ http: client(), workDir: dir, now: NOW, log: () => {} });
    expect(publicStarts(server)).toEqual([null, '10']);
    expect(result.inputs.filter((i) => i.origin.includes('FEEDNAME=PUBLIC'))).toHaveLength(2);
  });

  it('stops on a page of fewer than 10 entries even when it links onwards', async () => {
    server = await serve((url, start) => madePage(start === 0 ? tenEntries(1).slice(0, 9) : tenEntries(11), { next: feedLink(server!.origin, url, start + 10) }));
    const logs: string[] = [];
    await createFpdsSource({ baseUrl: server.origin }).fetch({ http: client(), workDir: dir, now: NOW, log: (m) => logs.push(m) });
    expect(publicStarts(server)).toEqual([null]);
    expect(logs.some((m) => m.includes('has 9 entries (< 10): the last page'))).toBe(true);
  });

  it('a walk that ends before what the first page\'s rel="last" promised is partial', async () => {
    // Page 1 promises a last page at start 20; the feed then ends short at start 10 (actions vanished mid-walk).
    server = await serve((url, start) =>
      start === 0 ? madePage(tenEntries(1), { next: feedLink(server!.origin, url, 10), last: feedLink(server!.origin, url, 20) }) : madePage(tenEntries(11).slice(0, 3)),
    );
    const result = await createFpdsSource({ baseUrl: server.origin }).fetch({ http: client(), workDir: dir, now: NOW, log: () => {} });
    expect(result.shortfalls).toEqual([{ what: 'FEEDNAME=PUBLIC entries (rel="last")', expected: 23, got: 13 }]);
  });

  it('refuses a window whose rel="last" starts past the 400,000 entries FPDS returns', async () => {
    server = await serve((url) => madePage(tenEntries(1), { next: feedLink(server!.origin, url, 10), last: feedLink(server!.origin, url, 400_000) }));
    const error = await createFpdsSource({ baseUrl: server.origin }).fetch({ http: client(), workDir: dir, now: NOW, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toMatch(/at most 400000 entries per query/);
  });
});

describe('defect 4: FEEDNAME=DELETED removes its actions', () => {
  const order = (piid: string, extra: Partial<MadeEntry> = {}): MadeEntry => ({ piid, lastModified: '2026-04-01 10:00:00', ...extra });

  it('reads the DELETED feed for the same agency and window, and removes a deleted award from the snapshot with the removal reported', async () => {
    const kept = '70CDCR26F99996001';
    const gone = '70CDCR26F99996002';
    const dataDir = join(dir, 'data');
    // First run: both orders published.
    server = await serve(() => madePage([order(kept), order(gone)]));
    const src = createFpdsSource({ baseUrl: server.origin });
    const first = await updateSource({ source: src, dataDir, http: client(), now: new Date('2026-04-02T05:00:00Z') });
    expect(first.records).toHaveLength(2);
    await server.close();

    // Next run: FPDS deleted the base action of the second order (its lastModifiedDate moves on).
    server = await serve(
      () => madePage([order(kept, { modNumber: 'P00001', lastModified: '2026-04-05 09:00:00', total: '300.00' })]),
      () => madePage([order(gone, { lastModified: '2026-04-06 12:00:00' })]),
    );
    const src2 = createFpdsSource({ baseUrl: server.origin });
    const second = await updateSource({ source: src2, dataDir, http: client(), now: NOW });
    const requests = server.requestsTo(FEED_PATH);
    const queries = new Map(requests.map((r) => [r.query.get('FEEDNAME'), r.query.get('q')]));
    // Same agency and window, with the one-day overlap before the checkpoint (2026-04-02).
    expect(queries.get('PUBLIC')).toBe('CONTRACTING_AGENCY_ID:"7012" LAST_MOD_DATE:[2026/04/01,2026/04/12]');
    expect(queries.get('DELETED')).toBe(queries.get('PUBLIC'));
    const goneKey = `CONT_AWD_${gone}_7012_70CDCR26D99990100_7012`;
    expect(second.removals).toEqual([{ key: goneKey, reason: `FPDS deleted the base action of ${gone} on 2026-04-06 (FEEDNAME=DELETED)` }]);
    expect(second.removed).toBe(1);
    expect((second.records as AwardRecord[]).map((r) => r.piid)).toEqual([kept]);
    expect(second.meta.removals).toEqual(second.removals);
    const config = { health: { staleAfterDays: { procurement: 7, watchdog: 30 } } } as unknown as Config;
    const health = sourceHealth(src2, second.meta, { result: 'fetched' }, config, NOW);
    expect(health.state).toBe('ok');
    expect(health.message).toContain(`removed 1 record(s) deleted upstream: ${goneKey}`);
  });

  it('keeps an action that was published again after its deletion, and drops a deleted one read in the same window', async () => {
    const pageOf = (entries: MadeEntry[]) => {
      const path = join(dir, `p-${Math.random().toString(36).slice(2)}.xml`);
      return writeFile(path, madePage(entries)).then(() => path);
    };
    const published = await pageOf([order('70CDCR26F99996010', { lastModified: '2026-04-08 10:00:00' }), order('70CDCR26F99996011')]);
    const deletedPath = join(dir, 'fpds-deleted-page-0001.xml');
    await writeFile(deletedPath, madePage([order('70CDCR26F99996010', { lastModified: '2026-04-07 10:00:00' }), order('70CDCR26F99996011', { lastModified: '2026-04-02 10:00:00' })]));
    const { awards, removals } = await parseFiles(published, deletedPath);
    expect(awards.map((a) => a.piid)).toEqual(['70CDCR26F99996010']);
    expect(removals?.map((r) => r.key)).toEqual(['CONT_AWD_70CDCR26F99996011_7012_70CDCR26D99990100_7012']);
  });
});

describe('the DELETED feed and kinds this source does not read', () => {
  it('a deleted Other Transaction award removes nothing and is not a refused row', async () => {
    const path = join(dir, 'fpds-deleted-page-0001.xml');
    await writeFile(
      path,
      `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>made</title>
  <entry><title>OT</title><content type="application/xml"><ns1:OtherTransactionAward xmlns:ns1="https://www.fpds.gov/FPDS"><ns1:contractDetail/></ns1:OtherTransactionAward></content></entry>
</feed>`,
    );
    const logs: string[] = [];
    const result = await parseFpdsInputs([input(path)], { log: (m) => logs.push(m) });
    expect(result.rowIssues).toEqual([]);
    expect(result.records).toEqual([]);
    expect(result.removals).toBeUndefined();
    expect(logs.some((m) => m.includes('DELETED feed: entry 0 (OT): unsupported FPDS content type OtherTransactionAward'))).toBe(true);
  });
});

describe('issue 13: messy real FPDS entries', () => {
  it('an empty vendorHeader takes the names under entityIdentifiers instead of refusing the entry', async () => {
    const { awards, rowIssues } = await parseFiles(ownFixture('fpds/vendor-header-empty.xml'));
    expect(rowIssues).toEqual([]);
    expect(awards.map((a) => a.recipient)).toEqual([
      { name: 'EXAMPLE EMPTY HEADER LLC', uei: 'EXMPLUEI7001', parentName: 'EXAMPLE PARENT HOLDINGS INC', parentUei: 'EXMPLPAR7000' },
      { name: 'EXAMPLE EMPTY NAME CORP', uei: 'EXMPLUEI7002', parentName: 'EXAMPLE EMPTY NAME CORP' },
    ]);
  });

  it('Atom elements under an ns0: prefix parse the same as the default namespace', async () => {
    const plain = await parseFiles(ownFixture('fpds/vendor-header-empty.xml'));
    const prefixed = await parseFiles(ownFixture('fpds/atom-ns0-prefix.xml'));
    expect(prefixed.rowIssues).toEqual([]);
    expect(prefixed.awards).toEqual(plain.awards);
    expect(prefixed.awards).toHaveLength(2);
  });

  it('a modification read without its base never replaces the base award\'s description in the snapshot', async () => {
    const dataDir = join(dir, 'data');
    await updateSource({ source: fpdsSource, dataDir, from: [ownFixture('fpds/base-award.xml')], now: new Date('2026-03-04T00:00:00Z') });
    const after = await updateSource({ source: fpdsSource, dataDir, from: [ownFixture('fpds/modification-only.xml')], now: NOW });
    const award = (after.records as AwardRecord[])[0]!;
    expect(award.description).toBe('DETENTION FACILITY MEDICAL STAFFING SERVICES');
    // The rest of the award follows the modification.
    expect(award.amounts.obligated).toBe(150);
    expect(award.lastModified).toBe('2026-04-10');
    // An award first seen through a modification still gets that description (nothing better is known).
    const fresh = await parseFiles(ownFixture('fpds/modification-only.xml'));
    expect(fresh.awards[0]?.description).toBe('EXERCISE OPTION PERIOD 1');
  });
});

describe('issue 15: hostile XML gets a typed error', () => {
  it('refuses a feed with a DOCTYPE or external entity, unread', async () => {
    const error = await parseFiles(ownFixture('fpds/doctype-external-entity.xml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toMatch(/declares a DOCTYPE \(feed\).*refused unread/);
    expect((error as SourceFormatError).details.line).toBe(4);
    expect((error as Error).message).not.toContain('root:');
  });

  it('200,000 nested tags are a clear SourceFormatError, not a stack overflow', async () => {
    const path = join(dir, 'deep.xml');
    await writeFile(path, `<feed xmlns="http://www.w3.org/2005/Atom"><entry><content>${'<x>'.repeat(200_000)}${'</x>'.repeat(200_000)}</content></entry></feed>`);
    const error = await parseFiles(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toContain('nested more than 64 deep');
    expect((await readFile(path, 'utf8')).match(/<x>/g)).toHaveLength(200_000);
  });
});
