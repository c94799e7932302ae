import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MentionRecord } from '../../scripts/records.ts';
import { readSnapshot, snapshotPaths, writeSnapshot } from '../../scripts/snapshots/store.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-store-'));
  dirs.push(dir);
  return dir;
}

function mention(i: number): MentionRecord {
  // Multi-byte text in every record, so some character straddles each 1 MiB read of the file.
  return { recordType: 'mention', source: 'test-list', list: 'listed', name: `Compañía ${String(i).padStart(6, '0')} 東京 ${'é'.repeat(i % 7)}` };
}

/** Rewrites the records file and its meta's hash and count, as a snapshot written that way would have them. */
async function rewrite(dir: string, text: string, count: number): Promise<void> {
  const paths = snapshotPaths(dir, 'test-list');
  await writeFile(paths.records, text);
  const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as Record<string, unknown>;
  meta.contentHash = createHash('sha256').update(text).digest('hex');
  meta.recordCount = count;
  await writeFile(paths.meta, JSON.stringify(meta));
}

describe('readSnapshot of a JSONL snapshot', () => {
  it('reads back every record of a file read in many chunks, multi-byte characters across chunk ends included', async () => {
    const dir = await dataDir();
    const records = Array.from({ length: 30_000 }, (_, i) => mention(i));
    await writeSnapshot(dir, 'test-list', records, { retrievedAt: '2026-12-04T00:00:00Z', origins: ['test'], rowIssues: 0 });
    expect((await readFile(snapshotPaths(dir, 'test-list').records)).length).toBeGreaterThan(2 * 1024 * 1024);
    const back = await readSnapshot(dir, 'test-list');
    expect(back?.records.length).toBe(records.length);
    expect(new Set(back?.records.map((r) => (r as MentionRecord).name))).toEqual(new Set(records.map((r) => r.name)));
  });

  it('reads CRLF line ends and a last line without one', async () => {
    const dir = await dataDir();
    await writeSnapshot(dir, 'test-list', [mention(1)], { retrievedAt: '2026-12-04T00:00:00Z', origins: ['test'], rowIssues: 0 });
    const lines = [mention(1), mention(2), mention(3)].map((r) => JSON.stringify(r));
    await rewrite(dir, `${lines[0]}\r\n${lines[1]}\r\n${lines[2]}`, 3);
    const back = await readSnapshot(dir, 'test-list');
    expect(back?.records.map((r) => (r as MentionRecord).name)).toEqual([mention(1).name, mention(2).name, mention(3).name]);
  });

  it('refuses a line far longer than any record, naming the file, instead of growing one string without end', async () => {
    const dir = await dataDir();
    await writeSnapshot(dir, 'test-list', [mention(1)], { retrievedAt: '2026-12-04T00:00:00Z', origins: ['test'], rowIssues: 0 });
    await rewrite(dir, `{"recordType":"mention","name":"${'x'.repeat(9 * 1024 * 1024)}"}\n`, 1);
    await expect(readSnapshot(dir, 'test-list')).rejects.toThrow(/test-list\.jsonl[\s\S]*a line longer than|a line longer than[\s\S]*test-list\.jsonl/);
  });
});
