import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwardRecord, MentionRecord } from '../../scripts/records.ts';
import { readSnapshot, snapshotPaths } from '../../scripts/snapshots/store.ts';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { defineSource, type ParseResult, type SourceDefinition } from '../../scripts/sources/types.ts';
import { SourceFormatError, SourceUnavailableError } from '../../scripts/util/errors.ts';
import type { HttpClient } from '../../scripts/util/http.ts';

const now = new Date('2026-11-27T12:00:00Z');
const noHttp = {} as HttpClient;

function mention(name: string, list = 'listed'): MentionRecord {
  return { recordType: 'mention', source: 'test-list', list, name };
}

function listSource(behaviour: () => Promise<ParseResult>, mode: 'replace' | 'upsert' = 'replace'): SourceDefinition {
  return defineSource({
    id: 'test-list',
    title: 'Test list',
    homepage: 'https://example.org/',
    kind: 'watchdog',
    hosts: ['example.org'],
    mode,
    importFormats: 'text',
    async fetch(ctx) {
      const path = join(ctx.workDir, 'page.txt');
      await writeFile(path, 'x');
      return { inputs: [{ path, origin: 'https://example.org/list', retrievedAt: ctx.now.toISOString() }] };
    },
    parse: behaviour,
  });
}

async function seeded(names: string[]): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-snap-'));
  await updateSource({
    source: listSource(async () => ({ records: names.map((n) => mention(n)), rowIssues: [] })),
    dataDir,
    http: noHttp,
    now,
  });
  return dataDir;
}

const manyNames = Array.from({ length: 20 }, (_, i) => `Company ${String(i).padStart(2, '0')}`);

describe('updateSource', () => {
  it('writes sorted records and a meta with count and hash', async () => {
    const dataDir = await seeded(['Zeta Corp', 'Alpha Inc']);
    const text = await readFile(snapshotPaths(dataDir, 'test-list').records, 'utf8');
    expect(text.trim().split('\n').map((l) => JSON.parse(l).name)).toEqual(['Alpha Inc', 'Zeta Corp']);
    const snap = await readSnapshot(dataDir, 'test-list');
    expect(snap?.meta.recordCount).toBe(2);
    expect(snap?.meta.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(snap?.meta.origins).toEqual(['https://example.org/list']);
  });

  it('keeps the previous snapshot byte for byte when the fetch fails', async () => {
    const dataDir = await seeded(manyNames);
    const paths = snapshotPaths(dataDir, 'test-list');
    const before = [await readFile(paths.records, 'utf8'), await readFile(paths.meta, 'utf8')];
    const failing = listSource(async () => {
      throw new SourceUnavailableError('test-list', '503 after 4 attempts');
    });
    await expect(updateSource({ source: failing, dataDir, http: noHttp, now: new Date('2026-11-28T00:00:00Z') })).rejects.toThrow(
      SourceUnavailableError,
    );
    expect([await readFile(paths.records, 'utf8'), await readFile(paths.meta, 'utf8')]).toEqual(before);
  });

  it('refuses a parse that yields far fewer records than the last snapshot', async () => {
    const dataDir = await seeded(manyNames);
    const paths = snapshotPaths(dataDir, 'test-list');
    const before = await readFile(paths.records, 'utf8');
    const shrunk = listSource(async () => ({ records: [mention('Company 00')], rowIssues: [] }));
    await expect(updateSource({ source: shrunk, dataDir, http: noHttp, now })).rejects.toThrow(/yielded 1 records where the last snapshot has 20/);
    expect(await readFile(paths.records, 'utf8')).toBe(before);
  });

  it('accepts an empty list when the parser reports it as a real state', async () => {
    const dataDir = await seeded(manyNames);
    const emptied = listSource(async () => ({ records: [], rowIssues: [], state: 'lists-removed', lists: [] }));
    const result = await updateSource({ source: emptied, dataDir, http: noHttp, now });
    expect(result.removed).toBe(20);
    expect(result.meta.state).toBe('lists-removed');
    expect((await readSnapshot(dataDir, 'test-list'))?.records).toEqual([]);
  });

  it('rejects an invalid record from a parser without writing', async () => {
    const dataDir = await seeded(['Alpha Inc']);
    const bad = listSource(async () => ({ records: [{ recordType: 'mention', source: 'test-list', list: '', name: 'X' } as MentionRecord], rowIssues: [] }));
    await expect(updateSource({ source: bad, dataDir, http: noHttp, now })).rejects.toThrow(SourceFormatError);
    expect((await readSnapshot(dataDir, 'test-list'))?.records.map((r) => (r as MentionRecord).name)).toEqual(['Alpha Inc']);
  });

  it('upserts imports into a keyed history instead of replacing it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-snap-'));
    const file = join(dataDir, 'import.txt');
    await writeFile(file, 'x');
    let names = ['One'];
    const source = listSource(async () => ({ records: names.map((n) => mention(n)), rowIssues: [] }), 'upsert');
    await updateSource({ source, dataDir, from: [file], now });
    names = ['Two'];
    const second = await updateSource({ source, dataDir, from: [file], now });
    expect(second.added).toBe(1);
    expect(second.records.map((r) => (r as MentionRecord).name).sort()).toEqual(['One', 'Two']);
  });

  it('reports a missing --from file by name', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-snap-'));
    const source = listSource(async () => ({ records: [], rowIssues: [] }));
    await expect(updateSource({ source, dataDir, from: ['/nonexistent/file.md'], now })).rejects.toThrow(/\/nonexistent\/file\.md/);
  });

  it('names the line of a corrupt snapshot instead of treating it as empty', async () => {
    const dataDir = await seeded(['Alpha Inc', 'Beta LLC']);
    const paths = snapshotPaths(dataDir, 'test-list');
    await writeFile(paths.records, '{"recordType":"mention","source":"test-list","list":"listed","name":"A"}\n{broken\n');
    await expect(readSnapshot(dataDir, 'test-list')).rejects.toThrow(/line 2/);
  });
});

describe('updateSource with lists', () => {
  const listed = (records: MentionRecord[], lists: string[]) => listSource(async () => ({ records, rowIssues: [], lists }));

  it('accepts a list the page no longer has, but not a list that lost most of its names', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-snap-'));
    const big = manyNames.map((n) => mention(n, 'never-reached-out'));
    await updateSource({ source: listed([...big, mention('Acme', 'declined')], ['declined', 'never-reached-out']), dataDir, http: noHttp, now });
    // The page dropped the whole list: a real change.
    const dropped = await updateSource({ source: listed([mention('Acme', 'declined')], ['declined']), dataDir, http: noHttp, now });
    expect(dropped.removed).toBe(20);
    // Back to a long list, then the same list with 2 of its 20 names: a broken parse.
    await updateSource({ source: listed([...big, mention('Acme', 'declined')], ['declined', 'never-reached-out']), dataDir, http: noHttp, now });
    await expect(
      updateSource({ source: listed([big[0]!, big[1]!, mention('Acme', 'declined')], ['declined', 'never-reached-out']), dataDir, http: noHttp, now }),
    ).rejects.toThrow(/yielded 2 records on list never-reached-out where the last snapshot has 20/);
  });

  it('refuses a fetch that would drop most of one fiscal year of an award store, unless a maintainer accepts it', async () => {
    const award = (i: number, start: string): AwardRecord => ({
      recordType: 'award',
      source: 'test-awards',
      awardKey: `CONT_AWD_T${String(i).padStart(3, '0')}_7012_-NONE-_-NONE-`,
      piid: `T${i}`,
      kind: 'contract',
      recipient: { name: `VENDOR ${i}` },
      amounts: { obligated: i },
      start,
      url: `https://www.usaspending.gov/award/CONT_AWD_T${String(i).padStart(3, '0')}_7012_-NONE-_-NONE-`,
    });
    // 200 awards in FY2015, 12 in FY2020: losing 8 of the 12 is under 4 % of the store but most of FY2020.
    const all = [...Array.from({ length: 200 }, (_, i) => award(i, '2015-01-01')), ...Array.from({ length: 12 }, (_, i) => award(500 + i, '2020-01-01'))];
    let fresh = all;
    const source = defineSource({
      id: 'test-awards',
      title: 'Test awards',
      homepage: 'https://example.org/',
      kind: 'procurement',
      hosts: ['example.org'],
      mode: 'replace',
      storage: 'award-partitions',
      importFormats: 'text',
      async fetch(ctx) {
        const path = join(ctx.workDir, 'page.txt');
        await writeFile(path, 'x');
        return { inputs: [{ path, origin: 'https://example.org/awards', retrievedAt: ctx.now.toISOString() }] };
      },
      parse: async () => ({ records: fresh, rowIssues: [] }),
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'icewatch-snap-'));
    await updateSource({ source, dataDir, http: noHttp, now });
    fresh = all.filter((a) => !['CONT_AWD_T500', 'CONT_AWD_T501', 'CONT_AWD_T502', 'CONT_AWD_T503', 'CONT_AWD_T504', 'CONT_AWD_T505', 'CONT_AWD_T506', 'CONT_AWD_T507'].some((k) => a.awardKey.startsWith(k)));
    const refused = await updateSource({ source, dataDir, http: noHttp, now }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SourceFormatError);
    expect((refused as Error).message).toMatch(/would keep 4 of the 12 awards of fiscal year FY2020 in the award store; refusing/);
    expect((await readSnapshot(dataDir, 'test-awards'))?.records).toHaveLength(212);
    const accepted = await updateSource({ source, dataDir, http: noHttp, now, acceptChange: true });
    expect(accepted.records).toHaveLength(204);
    expect(accepted.meta.lastChange).toEqual([
      { fiscalYear: 2020, added: 0, removed: 8, changed: 0, addedKeys: [], removedKeys: all.slice(200, 208).map((a) => a.awardKey), changedKeys: [] },
    ]);
  });
});
