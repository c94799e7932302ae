/**
 * The partitioned award store (scripts/store/): exact round trip, byte-identical files for identical input
 * whatever the thread count, the split of a partition past the size cap, what a write changed (computed by
 * the engine), and a folder that has been damaged, linked, half-written or left with strays.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../scripts/records.ts';
import { readSnapshot, sortRecords, writeSnapshot } from '../../scripts/snapshots/store.ts';
import { readAwardStore } from '../../scripts/store/award-store-read.ts';
import { writeAwardStore } from '../../scripts/store/award-store-write.ts';
import { MANIFEST_FILE, storeDir } from '../../scripts/store/partition-files.ts';
import { SourceFormatError } from '../../scripts/util/errors.ts';

const SOURCE = 'usaspending-download';
const META = { retrievedAt: '2026-03-01T12:00:00.000Z', origins: ['test'], rowIssues: 0 };
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-store-'));
  dirs.push(dir);
  return dir;
}

/** Made by the project for these tests: awards over many fiscal years, with the text a real feed can carry. */
function awards(n: number, seed = 0): AwardRecord[] {
  const hostile = ['', 'a "quoted" name', 'two\nlines', 'CRLF\r\nhere', '=HYPERLINK("x")', 'comma, and ;semicolon', 'Ünïcödé 名前 🚀', '\\N', 'NULL'];
  return Array.from({ length: n }, (_, i) => {
    const k = i + seed;
    const year = 2008 + (k % 19);
    const key = `CONT_AWD_70CDCR${String(k).padStart(6, '0')}_7012_-NONE-_-NONE-`;
    const record: AwardRecord = {
      recordType: 'award',
      source: SOURCE,
      awardKey: key,
      piid: `70CDCR${String(k).padStart(6, '0')}`,
      kind: k % 5 === 0 ? 'idv' : 'contract',
      recipient: { name: `${hostile[k % hostile.length]} VENDOR ${k}`, ...(k % 3 ? { uei: `UEI${k}`.padEnd(12, 'X') } : {}) },
      amounts: { obligated: k % 7 === 0 ? 0.30000000000000004 : k * 1000.5 - 77, ...(k % 4 ? { potential: -k } : {}) },
      // Every tenth award has no start: the fy-unknown partition.
      ...(k % 10 === 9 ? {} : { start: `${year}-${String((k % 12) + 1).padStart(2, '0')}-15` }),
      ...(k % 2 ? { end: `${year + 2}-01-31` } : {}),
      awardingSubAgency: 'U.S. Immigration and Customs Enforcement',
      awardingAgencyCode: '7012',
      ...(k % 6 === 0 ? { description: hostile[(k + 3) % hostile.length]! } : {}),
      url: k % 11 === 0 ? `https://example.org/award/${k}` : `https://www.usaspending.gov/award/${key}`,
    };
    return record;
  });
}

async function filesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  return out;
}

/** Rewrites a partition and its manifest entry to match, as someone editing the store by hand would. */
async function rewriteWithManifest(folder: string, name: string, text: string): Promise<void> {
  await writeFile(join(folder, name), text);
  const manifest = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as { partitions: Array<{ file: string; bytes: number; sha256: string }>; contentHash: string };
  const entry = manifest.partitions.find((p) => p.file === name)!;
  entry.bytes = Buffer.byteLength(text);
  entry.sha256 = createHash('sha256').update(text).digest('hex');
  manifest.contentHash = createHash('sha256').update(manifest.partitions.map((p) => `${p.file} ${p.sha256}\n`).join('')).digest('hex');
  await writeFile(join(folder, MANIFEST_FILE), JSON.stringify(manifest));
}

describe('the award store', { timeout: 60_000 }, () => {
  it('reads back exactly the records it was given, sorted by key, Parquet for settled years and text for the moving ones', async () => {
    const dir = await dataDir();
    const records = awards(400);
    const meta = await writeSnapshot(dir, SOURCE, [...records].reverse(), META, { layout: 'award-partitions' });
    const back = await readSnapshot(dir, SOURCE);
    expect(back?.records).toEqual(sortRecords(records));
    expect(back?.meta).toEqual(meta);
    const names = await readdir(storeDir(dir, SOURCE));
    // FY of the fetch is 2026: FY2025 onwards (and unknown starts) are CSV text, earlier years Parquet.
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'fy2008.parquet', 'fy2024.parquet', 'fy2025.csv', 'fy2026.csv', 'fy2027.csv', 'fy-unknown.csv']));
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
    expect(meta.partitions!.reduce((n, p) => n + p.records, 0)).toBe(400);
    expect(meta.lastChange).toBeUndefined();
    // The text partitions are what git diffs: sorted rows with a header.
    const csv = await readFile(join(storeDir(dir, SOURCE), 'fy2026.csv'), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^award_key,source,piid,/);
  });

  it('writes byte-identical files for identical input, with one thread or two', async () => {
    const records = awards(1_500);
    const [a, b] = [await dataDir(), await dataDir()];
    await writeAwardStore(a, SOURCE, records, META, { threads: 1 });
    await writeAwardStore(b, SOURCE, [...records].reverse(), META, { threads: 2 });
    expect(await filesOf(storeDir(a, SOURCE))).toEqual(await filesOf(storeDir(b, SOURCE)));
  });

  it('splits a partition past the size cap into equal runs of keys, and reads them back as one', async () => {
    const dir = await dataDir();
    const records = awards(2_000).map((r) => ({ ...r, start: '2019-05-01' }));
    const meta = await writeAwardStore(dir, SOURCE, records, META, { maxPartitionBytes: 12_000 });
    const parts = meta.partitions!.map((p) => p.file);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.every((f) => /^fy2019-p\d\d\.parquet$/.test(f))).toBe(true);
    for (const p of meta.partitions!) expect(p.bytes).toBeLessThanOrEqual(12_000);
    expect((await readAwardStore(dir, SOURCE))?.records).toEqual(sortRecords(records));
  });

  it('says, per fiscal year, which keys a write added, removed and changed, and leaves unchanged partitions untouched', async () => {
    const dir = await dataDir();
    const records = awards(300);
    await writeAwardStore(dir, SOURCE, records, META);
    const folder = storeDir(dir, SOURCE);
    const inode = async (name: string) => (await stat(join(folder, name))).ino;
    const untouched = await inode('fy2010.parquet');
    const target = records.find((r) => r.start?.startsWith('2020-03'))!;
    const gone = records.find((r) => r.start?.startsWith('2021-02'))!;
    const next = records
      .filter((r) => r !== gone)
      .map((r) => (r === target ? { ...r, amounts: { ...r.amounts, obligated: 1 } } : r))
      .concat(awards(1, 9_000).map((r) => ({ ...r, start: '2021-01-01' })));
    const meta = await writeAwardStore(dir, SOURCE, next, { ...META, retrievedAt: '2026-03-02T12:00:00.000Z' });
    expect(meta.lastChange).toEqual([
      { fiscalYear: 2020, added: 0, removed: 0, changed: 1, addedKeys: [], removedKeys: [], changedKeys: [target.awardKey] },
      { fiscalYear: 2021, added: 1, removed: 1, changed: 0, addedKeys: [next.at(-1)!.awardKey], removedKeys: [gone.awardKey], changedKeys: [] },
    ]);
    expect(await inode('fy2010.parquet')).toBe(untouched);
    const again = await writeAwardStore(dir, SOURCE, next, { ...META, retrievedAt: '2026-03-03T12:00:00.000Z' });
    expect(again.lastChange).toEqual([]);
  });

  it('migrates a legacy JSONL snapshot: the first partitioned write replaces it', async () => {
    const dir = await dataDir();
    const records = awards(50);
    await writeSnapshot(dir, SOURCE, records, META);
    expect(await readdir(join(dir, 'snapshots'))).toEqual([`${SOURCE}.jsonl`, `${SOURCE}.meta.json`]);
    const previous = await readSnapshot(dir, SOURCE);
    await writeSnapshot(dir, SOURCE, previous!.records, previous!.meta, { layout: 'award-partitions' });
    expect(await readdir(join(dir, 'snapshots'))).toEqual([SOURCE]);
    expect((await readSnapshot(dir, SOURCE))?.records).toEqual(sortRecords(records));
    // Later writes without a layout keep the store (a JSONL beside it would never be read).
    await writeSnapshot(dir, SOURCE, records.slice(0, 40), META);
    expect(await readdir(join(dir, 'snapshots'))).toEqual([SOURCE]);
    expect((await readSnapshot(dir, SOURCE))?.records).toHaveLength(40);
  });
});

describe('a damaged award store', { timeout: 60_000 }, () => {
  async function written(): Promise<{ dir: string; folder: string }> {
    const dir = await dataDir();
    await writeAwardStore(dir, SOURCE, awards(300), META);
    return { dir, folder: storeDir(dir, SOURCE) };
  }
  async function refusal(dir: string): Promise<SourceFormatError> {
    const error = await readSnapshot(dir, SOURCE).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceFormatError);
    return error as SourceFormatError;
  }

  it('refuses a truncated Parquet partition and one with a flipped byte, naming the file', async () => {
    const { dir, folder } = await written();
    const file = join(folder, 'fy2012.parquet');
    const bytes = await readFile(file);
    await truncate(file, bytes.length - 10);
    expect((await refusal(dir)).message).toMatch(/fy2012\.parquet has \d+ bytes where the manifest says \d+.*git checkout -- data\/snapshots\/usaspending-download\//);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    await writeFile(file, flipped);
    expect((await refusal(dir)).message).toMatch(/fy2012\.parquet has sha256 [0-9a-f]{12}… where the manifest says/);
  });

  it('refuses a partition replaced by a symbolic link, and a folder that is one', async () => {
    const { dir, folder } = await written();
    const elsewhere = join(await dataDir(), 'outside.parquet');
    await cp(join(folder, 'fy2012.parquet'), elsewhere);
    await rm(join(folder, 'fy2012.parquet'));
    await symlink(elsewhere, join(folder, 'fy2012.parquet'));
    expect((await refusal(dir)).message).toMatch(/is a symbolic link/);
    const other = await dataDir();
    await mkdir(join(other, 'snapshots'));
    const healthy = await written();
    await symlink(healthy.folder, join(other, 'snapshots', SOURCE));
    expect((await refusal(other)).message).toMatch(/must be a plain folder, not a symbolic link/);
  });

  it('refuses a missing partition and a manifest that names a file outside the folder; ignores, then removes, a stray one', async () => {
    const { dir, folder } = await written();
    await writeFile(join(folder, 'fy1999.parquet'), 'stray');
    expect((await readSnapshot(dir, SOURCE))?.records).toHaveLength(300);
    await writeAwardStore(dir, SOURCE, awards(300), META);
    expect(await readdir(folder)).not.toContain('fy1999.parquet');

    const manifest = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as { partitions: Array<{ file: string }> };
    manifest.partitions[0]!.file = '../../outside.parquet';
    const original = await readFile(join(folder, MANIFEST_FILE), 'utf8');
    await writeFile(join(folder, MANIFEST_FILE), JSON.stringify(manifest));
    expect((await refusal(dir)).message).toMatch(/"\.\.\/\.\.\/outside\.parquet" is not a partition file name/);
    await writeFile(join(folder, MANIFEST_FILE), original);
    await rm(join(folder, 'fy2013.parquet'));
    expect((await refusal(dir)).message).toMatch(/fy2013\.parquet is missing/);
  });

  it('rolls a commit forward when its writer died after renaming partitions, and keeps the old store when it died before', async () => {
    const { dir, folder } = await written();
    const before = await filesOf(folder);
    // The crash state, built by hand with a real dead process id: B's partitions half renamed, B's manifest staged.
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('exit', () => resolve(child.pid!));
    });
    const next = awards(300).map((r, i) => (i % 50 === 0 ? { ...r, amounts: { obligated: 42 } } : r));
    const b = await dataDir();
    await cp(join(dir, 'snapshots'), join(b, 'snapshots'), { recursive: true });
    const meta = await writeAwardStore(b, SOURCE, next, META);
    const changed = meta.partitions!.filter((p) => before[p.file] !== p.sha256).map((p) => p.file);
    expect(changed.length).toBeGreaterThanOrEqual(2);
    const crashed = await dataDir();
    await cp(join(dir, 'snapshots'), join(crashed, 'snapshots'), { recursive: true });
    const crashedFolder = storeDir(crashed, SOURCE);
    const newFolder = storeDir(b, SOURCE);
    // Killed before any rename: the old store is still the committed one.
    await link(join(newFolder, MANIFEST_FILE), join(crashedFolder, `.${MANIFEST_FILE}.${dead}.0000abcd.tmp`));
    await link(join(newFolder, changed[0]!), join(crashedFolder, `.${changed[0]}.${dead}.0000abce.tmp`));
    expect((await readSnapshot(crashed, SOURCE))?.records).toEqual(sortRecords(awards(300)));
    expect((await readdir(crashedFolder)).filter((n) => n.startsWith('.'))).toEqual([]);
    // Killed after renaming the first changed partition: the next read finishes the commit.
    await cp(join(newFolder, changed[0]!), join(crashedFolder, changed[0]!));
    for (const [i, file] of changed.slice(1).entries()) await cp(join(newFolder, file), join(crashedFolder, `.${file}.${dead}.${String(i).padStart(8, '0')}.tmp`));
    await cp(join(newFolder, MANIFEST_FILE), join(crashedFolder, `.${MANIFEST_FILE}.${dead}.0000abcd.tmp`));
    // The writer's backups of the old files lie beside them; they are never taken for what it staged.
    await link(join(crashedFolder, MANIFEST_FILE), join(crashedFolder, `.${MANIFEST_FILE}.old.${dead}.0000abcf.tmp`));
    await cp(join(folder, changed[0]!), join(crashedFolder, `.${changed[0]}.old.${dead}.0000abd0.tmp`));
    const rolled = await readSnapshot(crashed, SOURCE);
    expect(rolled?.records).toEqual(sortRecords(next));
    expect(await filesOf(crashedFolder)).toEqual(await filesOf(newFolder));
  });

  it('does not roll forward a staged manifest whose writer is still alive', async () => {
    const { dir, folder } = await written();
    const manifest = join(folder, MANIFEST_FILE);
    await rename(manifest, join(folder, `.${MANIFEST_FILE}.${process.ppid}.0000abcd.tmp`));
    expect((await refusal(dir)).message).toMatch(new RegExp(`a write of the award store by process ${process.ppid} is in progress; try again`));
  });

  it('refuses a text partition whose header was reordered, and a row moved into another year\'s file, even with the manifest updated to match', async () => {
    const { dir, folder } = await written();
    const file = join(folder, 'fy2026.csv');
    const retag = (text: string) => rewriteWithManifest(folder, 'fy2026.csv', text);
    const original = await readFile(file, 'utf8');
    const [header, ...rows] = original.split('\n');
    const names = header!.split(',');
    const swapped = [names[6], ...names.slice(1, 6), names[0], ...names.slice(7)].join(',');
    await retag([swapped, ...rows].join('\n'));
    expect((await refusal(dir)).message).toMatch(/fy2026\.csv does not start with the award columns' header/);
    const moved = rows.map((r, i) => (i === 0 ? r.replace(/,2026-0\d-15,/, ',1999-01-15,') : r));
    expect(moved[0]).not.toBe(rows[0]);
    await retag([header, ...moved].join('\n'));
    expect((await refusal(dir)).message).toMatch(/is in the file of fiscal year 2026 but did not start in it/);
  });

  it('refuses an edited row the record schema refuses (unknown kind, empty PIID), naming award and field, manifest updated or not', async () => {
    const { dir, folder } = await written();
    const file = join(folder, 'fy2026.csv');
    const original = await readFile(file, 'utf8');
    const retag = (text: string) => rewriteWithManifest(folder, 'fy2026.csv', text);
    const [header, ...rows] = original.split('\n');
    const names = header!.split(',');
    // A row without quoted cells, so that splitting at commas gives its columns.
    const at = rows.findIndex((r) => !r.includes('"') && r.split(',').length === names.length);
    const first = rows[at]!;
    const edit = (column: string, value: string) => {
      const cells = first.split(',');
      cells[names.indexOf(column)] = value;
      return [header, ...rows.slice(0, at), cells.join(','), ...rows.slice(at + 1)].join('\n');
    };
    const key = first.split(',')[0]!;
    await retag(edit('kind', 'grant'));
    const kind = await refusal(dir);
    expect(kind.message).toContain(`award ${key}`);
    expect(kind.message).toContain('field kind');
    await retag(edit('piid', '""'));
    const piid = (await refusal(dir)).message;
    expect(piid).toContain('field piid');
    expect(piid).toContain(`award ${key}`);
    // A link of its own is the schema's to judge: a valid one reads back as written.
    await retag(edit('url', 'https://example.org/award/1'));
    const back = await readAwardStore(dir, SOURCE);
    expect(back?.records.find((r) => r.recordType === 'award' && r.awardKey === key)).toMatchObject({ url: 'https://example.org/award/1' });
  });

  it('refuses at write time what it could not read back, and writes nothing', async () => {
    const dir = await dataDir();
    for (const bad of [{ start: '0999-06-01' }, { start: '2023-02-30' }, { amounts: { obligated: Number.NaN } }]) {
      const error = await writeAwardStore(dir, SOURCE, [...awards(10), { ...awards(1, 77)[0]!, ...bad }], META).then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).toMatch(/award CONT_AWD_70CDCR000077_7012_-NONE-_-NONE- cannot be stored .*nothing was written/);
    }
    expect(await readdir(join(dir, 'snapshots')).catch(() => [])).toEqual([]);
    expect(await readSnapshot(dir, SOURCE)).toBeUndefined();
  });

  it('keeps text exactly, a leading byte-order mark included', async () => {
    const dir = await dataDir();
    const records = awards(30).map((r, i) => (i < 3 ? { ...r, description: '\uFEFFServices', recipient: { ...r.recipient, name: `\uFEFF${r.recipient.name}` } } : r));
    await writeAwardStore(dir, SOURCE, records, META);
    expect((await readSnapshot(dir, SOURCE))?.records).toEqual(sortRecords(records));
  });

  it('keeps every split part under the cap when long rows bunch together', async () => {
    const dir = await dataDir();
    const records = awards(900).map((r, i) => ({ ...r, start: '2019-05-01', ...(i >= 100 && i < 200 ? { description: 'x'.repeat(3_000) } : {}) }));
    const meta = await writeAwardStore(dir, SOURCE, records, META, { maxPartitionBytes: 60_000 });
    for (const p of meta.partitions!) expect(p.bytes, p.file).toBeLessThanOrEqual(60_000);
    expect((await readAwardStore(dir, SOURCE))?.records).toHaveLength(900);
  });

  it('reads a first write killed before its manifest as no store (the legacy snapshot still counts), and sweeps its files', async () => {
    const dir = await dataDir();
    await writeSnapshot(dir, SOURCE, awards(20), META);
    const folder = storeDir(dir, SOURCE);
    await mkdir(folder);
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('exit', () => resolve(child.pid!));
    });
    await writeFile(join(folder, `.fy2019.parquet.${dead}.0000abcd.tmp`), 'half');
    // A leftover named with this process's own id (a restarted container reuses small ids) is a leftover too.
    await writeFile(join(folder, `.fy2020.parquet.${process.pid}.0000abce.tmp`), 'half');
    expect((await readSnapshot(dir, SOURCE))?.records).toHaveLength(20);
    expect(await readdir(folder)).toEqual([]);
  });
});
