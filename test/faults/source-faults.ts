/**
 * Every source against every network and body fault, through `updateSource` (the only path that
 * replaces a snapshot) with the real HTTP client and a local server; then, per source, the same faults
 * through `runPipeline`, where a failing source must leave every file (snapshots, published outputs,
 * state, reports) byte-identical.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { recordKey } from '../../scripts/records.ts';
import { readSnapshot, type Snapshot } from '../../scripts/snapshots/store.ts';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import { techqueriaSource } from '../../scripts/sources/techqueria/index.ts';
import type { SourceDefinition } from '../../scripts/sources/types.ts';
import { SourceUnavailableError } from '../../scripts/util/errors.ts';
import { createHttpClient, type HttpClient } from '../../scripts/util/http.ts';
import { hang, startLocalServer, text, tooManyRequests, truncated, type Handler, type LocalServer } from '../helpers/local-server.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';
import { madePage, tenEntries } from '../sources/fpds/feed-pages.ts';
import { copyOf, scratchDir, snapshotState, treeState } from './fs-state.ts';
import { faultCase } from './ledger.ts';
import { expectRefusal, RIGS, thinBulletLists, type BodyFault, type SourceRig } from './source-rigs.ts';
import { AS_OF, dirsOf, logTo, NOW, snapshotOnly, type World } from './world.ts';

export type NetworkFault = '429 storm' | 'repeated 500s' | 'connection resets' | 'slow body' | 'truncated body' | 'trickling body';

const RETRY_AFTER_SECONDS = 7;

interface NetworkFaultSpec {
  handler: Handler;
  /** What the final error says about the last attempt. */
  message: RegExp;
  status?: number;
  retries: number;
  bodyTimeoutMs?: number;
  requestDeadlineMs?: number;
}

export const NETWORK_FAULTS: Record<NetworkFault, NetworkFaultSpec> = {
  '429 storm': {
    handler: tooManyRequests(RETRY_AFTER_SECONDS),
    message: /HTTP 429 from \S+: rate limited \(gave up after 3 attempts\)$/,
    status: 429,
    retries: 2,
  },
  'repeated 500s': {
    handler: text('upstream error', 500),
    message: /HTTP 500 from \S+: upstream error \(gave up after 3 attempts\)$/,
    status: 500,
    retries: 2,
  },
  'connection resets': {
    handler: (res) => {
      res.socket?.destroy();
    },
    message: /connection closed early \(truncated body\) \(UND_ERR_SOCKET\) at \S+ \(gave up after 3 attempts\)$/,
    retries: 2,
  },
  // undici's body timer ticks about every half second, so each stalled attempt costs ~0.5–1 s of idle
  // time: one attempt here (retrying a stall is covered in test/util/http.test.ts).
  'slow body': {
    handler: hang(true),
    message: /timed out \(UND_ERR_BODY_TIMEOUT\) at \S+ \(gave up after 1 attempt\)$/,
    retries: 0,
    bodyTimeoutMs: 50,
  },
  // Issue 15 item 15: a byte every 100 ms never trips the per-chunk timer; the request's total deadline ends it.
  'trickling body': {
    handler: (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed || res.writableEnded ? clearInterval(timer) : res.write(' ')), 100);
      res.on('close', () => clearInterval(timer));
    },
    message: /exceeded the request's total deadline of 1 s \(the server answered too slowly, or kept the body trickling\); try again later$/,
    retries: 0,
    bodyTimeoutMs: 1_000,
    requestDeadlineMs: 700,
  },
  'truncated body': {
    handler: truncated('{"results":[{"Award ID":"70CDCR26C0'),
    message: /connection closed early \(truncated body\) \(UND_ERR_SOCKET\) at \S+ \(gave up after 3 attempts\)$/,
    retries: 2,
  },
};

const BODY_FAULTS: Record<BodyFault, string> = {
  'wrong-shape': 'wrong-shape body',
  'empty-200': 'empty body with 200',
  'valid-but-empty': 'well-formed but empty page',
  'five-percent': 'page with 5% of its usual rows',
};

interface Rigged {
  server: LocalServer;
  source: SourceDefinition;
  http: HttpClient;
  waits: number[];
}

async function rigged(rig: SourceRig, data: Handler, options: { retries: number; bodyTimeoutMs?: number; requestDeadlineMs?: number }, log: (m: string) => void): Promise<Rigged> {
  const server = await startLocalServer();
  rig.install(server, data);
  const source = rig.source(server);
  const waits: number[] = [];
  const http = createHttpClient({
    sourceId: source.id,
    allowedHosts: source.hosts,
    allowLoopbackHttp: true,
    retries: options.retries,
    retryBaseMs: 5,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 5_000,
    ...(options.requestDeadlineMs ? { requestDeadlineMs: options.requestDeadlineMs } : {}),
    connectTimeoutMs: 5_000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    log,
    ...(rig.dispatcher ? { dispatcher: rig.dispatcher(server) } : {}),
  });
  return { server, source, http, waits };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

function expectUnavailable(error: unknown, rig: SourceRig, server: LocalServer, spec: NetworkFaultSpec): SourceUnavailableError {
  expect(error).toBeInstanceOf(SourceUnavailableError);
  const e = error as SourceUnavailableError;
  expect(e.sourceId).toBe(rig.id);
  expect(e.message.startsWith(`source ${rig.id} unavailable: `)).toBe(true);
  expect(e.message).toMatch(spec.message);
  // The message names the URL of the request that failed (the first copy, for sources with a fallback).
  expect(e.message).toContain(rig.dataUrl(server));
  expect(e.details.attempts).toBe(spec.retries + 1);
  if (spec.status !== undefined) expect(e.details.status).toBe(spec.status);
  return e;
}

function sourceMapWith(source: SourceDefinition): ReadonlyMap<string, SourceDefinition> {
  return new Map([...sources.values()].map((s) => [s.id, s.id === source.id ? source : s]));
}

function networkFaultCase(world: () => World, rig: SourceRig, fault: NetworkFault, spec: NetworkFaultSpec, concurrent = false): void {
  faultCase(
    `sources: ${fault}`,
    `${rig.id}: ${fault}`,
    async (c) => {
      const dataDir = await snapshotOnly(world(), rig.id);
      const before = await snapshotState(dataDir, rig.id);
      const log = logTo();
      const { server, source, http, waits } = await rigged(rig, spec.handler, spec, log);
      try {
        const error = await failure(updateSource({ source, dataDir, http, now: NOW, log }));
        expectUnavailable(error, rig, server, spec);
        // Every copy the source knows was tried, each until the retries ran out.
        const attempts = server.requests.filter((r) => rig.dataPaths.includes(r.pathname));
        expect(attempts).toHaveLength((spec.retries + 1) * rig.dataPaths.length);
        if (fault === '429 storm') expect(waits).toEqual(Array(spec.retries * rig.dataPaths.length).fill(RETRY_AFTER_SECONDS * 1000));
        c.nothingLost('snapshot', before, await snapshotState(dataDir, rig.id));
      } finally {
        await server.close();
      }
    },
    undefined,
    { concurrent },
  );
}

export function registerSourceFaults(world: () => World): void {
  // A stalled body costs each attempt up to a second of undici's body timer: the six run side by side.
  describe('slow bodies, all sources at once', () => {
    for (const rig of RIGS) networkFaultCase(world, rig, 'slow body', NETWORK_FAULTS['slow body'], true);
  });
  describe('trickling bodies, all sources at once', () => {
    for (const rig of RIGS) networkFaultCase(world, rig, 'trickling body', NETWORK_FAULTS['trickling body'], true);
  });

  for (const rig of RIGS) {
    describe(rig.id, () => {
      for (const [fault, spec] of Object.entries(NETWORK_FAULTS) as Array<[NetworkFault, NetworkFaultSpec]>) {
        if (fault !== 'slow body' && fault !== 'trickling body') networkFaultCase(world, rig, fault, spec);
      }

      for (const [fault, label] of Object.entries(BODY_FAULTS) as Array<[BodyFault, string]>) {
        faultCase(`sources: ${label}`, `${rig.id}: ${label}`, async (c) => {
          const dataDir = await snapshotOnly(world(), rig.id);
          const before = await snapshotState(dataDir, rig.id);
          const previous = (await readSnapshot(dataDir, rig.id)) as Snapshot;
          expect(previous.records.length).toBe(world().seeded[rig.id]);
          const bodyCase = await rig.body(fault, previous);
          const log = logTo();
          const { server, source, http } = await rigged(rig, bodyCase.data ?? text('not used in this case', 500), { retries: 1 }, log);
          for (const [route, handler] of Object.entries(bodyCase.routes ?? {})) server.route(route, handler);
          try {
            const outcome = bodyCase.outcome;
            if ('refuse' in outcome) {
              const error = await failure(updateSource({ source, dataDir, http, now: NOW, log }));
              expectRefusal(error, rig.id, outcome.refuse);
              c.nothingLost('snapshot', before, await snapshotState(dataDir, rig.id));
            } else {
              const result = await updateSource({ source, dataDir, http, now: NOW, log });
              c.accepted(outcome.accept);
              outcome.check(result, previous);
              if (result.meta.state === undefined) {
                const kept = new Set(result.records.map(recordKey));
                const missing = previous.records.filter((r) => !kept.has(recordKey(r)));
                c.keeps('every previous record is still in the snapshot', missing.length === 0, missing.map(recordKey).join(', '));
              }
              // Accepted or not, what is on disk is what updateSource returned.
              const stored = (await readSnapshot(dataDir, rig.id)) as Snapshot;
              expect(stored.meta).toEqual(result.meta);
              expect(stored.records.map(recordKey)).toEqual(result.records.map(recordKey).sort());
            }
          } finally {
            await server.close();
          }
        });
      }

      if (rig.id === 'techqueria') {
        // Lists too short for a per-list share rule on their own (8 and 2 names): the page as a whole
        // still lost 80% of its names, which is a broken page, not two lists that shrank.
        faultCase('sources: page with 5% of its usual rows', 'techqueria: short lists (Declined 8, Past Partners 2) cut to one entry each', async (c) => {
          const dataDir = join(await scratchDir('techqueria-short'), 'data');
          const recording = sharedFixture('watchdogs/techqueria/no-tech-for-ice.2020-02-27.a128a908.with-clearview-palantir.md');
          const seeded = await updateSource({ source: techqueriaSource, dataDir, from: [recording], now: NOW, log: logTo() });
          expect(seeded.records).toHaveLength(10);
          const before = await snapshotState(dataDir, rig.id);
          const page = thinBulletLists(await readFile(recording, 'utf8'), 1);
          const log = logTo();
          const { server, source, http } = await rigged(rig, text(page, 200, { 'content-type': 'text/plain; charset=utf-8' }), { retries: 0 }, log);
          try {
            const error = await failure(updateSource({ source, dataDir, http, now: NOW, log }));
            expectRefusal(error, rig.id, { message: /parse yielded 2 records .*where the last snapshot has 10; refusing to replace it/ });
            c.nothingLost('snapshot', before, await snapshotState(dataDir, rig.id));
          } finally {
            await server.close();
          }
        });
      }

      if (rig.id === 'fpds') {
        // Incremental sources accept small windows, but a page whose every entry is rejected is a broken
        // page: taking it would move the checkpoint past actions that were never read.
        faultCase('sources: page with 5% of its usual rows', 'fpds: a page whose every entry is rejected keeps the checkpoint', async (c) => {
          const dataDir = await snapshotOnly(world(), rig.id);
          const seeded = (await readSnapshot(dataDir, rig.id)) as Snapshot;
          const before = await snapshotState(dataDir, rig.id);
          const page = madePage(tenEntries(1).map((e) => ({ ...e, obligated: 'n/a', signed: 'yesterday' })));
          const log = logTo();
          const { server, source, http } = await rigged(rig, text(page, 200, { 'content-type': 'application/atom+xml' }), { retries: 0 }, log);
          try {
            const error = await failure(updateSource({ source, dataDir, http, now: NOW, log }));
            expectRefusal(error, rig.id, { message: /every row was rejected \(10 row issues\); the first: .*skipped/, path: 'entry[0]/award/relevantContractDates/signedDate' });
            c.nothingLost('snapshot (records and checkpoint)', before, await snapshotState(dataDir, rig.id));
            expect((await readSnapshot(dataDir, rig.id))?.meta.checkpoint).toBe(seeded.meta.checkpoint);
          } finally {
            await server.close();
          }
        });
      }

      // End to end: the pipeline keeps going, marks the source stale, and writes nothing at all.
      const pipelineFaults: Array<{ label: string; handler: () => Promise<{ data: Handler; routes?: Record<string, Handler> }>; message: RegExp }> = [
        { label: 'repeated 500s', handler: async () => ({ data: NETWORK_FAULTS['repeated 500s'].handler }), message: /HTTP 500 .*gave up after 3 attempts/ },
        rig.id === 'fpds'
          ? {
              label: 'wrong-shape body',
              handler: async () => rig.body('wrong-shape', (await readSnapshot(dirsOf(world().root).dataDir, rig.id)) as Snapshot).then((b) => ({ data: b.data!, ...(b.routes ? { routes: b.routes } : {}) })),
              message: /not an ATOM feed/,
            }
          : {
              label: 'page with 5% of its usual rows',
              handler: async () => rig.body('five-percent', (await readSnapshot(dirsOf(world().root).dataDir, rig.id)) as Snapshot).then((b) => ({ data: b.data! })),
              message: /parse yielded \d+ records (on list \S+ )?where the last snapshot has \d+/,
            },
      ];
      for (const pf of pipelineFaults) {
        faultCase('pipeline: one source failing', `${rig.id}: ${pf.label} through runPipeline`, async (c) => {
          const root = await copyOf(world().root, `${rig.id}-pipeline`);
          const { dataDir, reportsDir } = dirsOf(root);
          const before = await treeState(root);
          const { data, routes } = await pf.handler();
          const lines: string[] = [];
          const log = logTo(lines);
          const { server, source, http } = await rigged(rig, data, { retries: 2 }, log);
          for (const [route, handler] of Object.entries(routes ?? {})) server.route(route, handler);
          try {
            const run = await runPipeline({ dataDir, reportsDir, asOf: AS_OF, now: NOW, offline: false, only: [rig.id], log, httpFor: () => http, sourceMap: sourceMapWith(source) });
            const health = run.health.find((h) => h.source === rig.id);
            expect(health?.state).toBe('stale');
            expect(health?.message).toMatch(pf.message);
            expect(health?.records).toBe(world().seeded[rig.id]);
            expect(lines.some((l) => l.startsWith(`${rig.id}: `) && l.endsWith(' — keeping the last good snapshot'))).toBe(true);
            expect(run.written).toEqual([]);
            c.nothingLost('data/ and reports/', before, await treeState(root));
          } finally {
            await server.close();
          }
        });
      }
    });
  }
}
