import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFilesAtomic } from '../../scripts/util/atomic-fs.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The id of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

describe('writeFilesAtomic leftovers', () => {
  it("removes a dead run's temp files of the files it writes, and nothing else", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-atomic-'));
    dirs.push(dir);
    const dead = deadPid();
    const live = process.ppid;
    const names = [
      `.a.html.${dead}.0123abcd.tmp`, // a dead run's, for a file written now: removed
      `.b.v1.json.${dead}.89abcdef.tmp`, // the same, for a name with dots in it: removed
      `.b.v1.json.${live}.01234567.tmp`, // a live process's: its own business, kept
      `.c.html.${dead}.0123abcd.tmp`, // a dead run's, for a file not written now: kept
      '.a.html.notes.txt', // not a temp name: kept
    ];
    for (const name of names) await writeFile(join(dir, name), 'partial');
    const written = await writeFilesAtomic([
      { path: join(dir, 'a.html'), content: '<p>a</p>\n' },
      { path: join(dir, 'b.v1.json'), content: '{}\n' },
      { path: join(dir, 'sub', 'd.html'), content: 'd\n' },
    ]);
    expect(written.sort()).toEqual([join(dir, 'a.html'), join(dir, 'b.v1.json'), join(dir, 'sub', 'd.html')]);
    expect((await readdir(dir)).sort()).toEqual(
      ['.a.html.notes.txt', `.b.v1.json.${live}.01234567.tmp`, `.c.html.${dead}.0123abcd.tmp`, 'a.html', 'b.v1.json', 'sub'].sort(),
    );
    expect(await readFile(join(dir, 'sub', 'd.html'), 'utf8')).toBe('d\n');
  });
});

describe('writeFilesAtomic with made files', () => {
  it('copies a file another writer made into place, leaves it alone when the bytes are the same, and refuses one that is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-atomic-'));
    dirs.push(dir);
    const made = join(dir, 'made.bin');
    const target = join(dir, 'out', 'table.parquet');
    await writeFile(made, Buffer.from([1, 2, 3, 0, 255]));
    expect(await writeFilesAtomic([{ path: target, content: { file: made } }])).toEqual([target]);
    expect(await readFile(target)).toEqual(Buffer.from([1, 2, 3, 0, 255]));
    expect(await writeFilesAtomic([{ path: target, content: { file: made } }])).toEqual([]);
    await writeFile(made, 'changed');
    const beside = join(dir, 'out', 'beside.txt');
    expect((await writeFilesAtomic([{ path: target, content: { file: made } }, { path: beside, content: 'b' }])).sort()).toEqual([beside, target].sort());
    expect(await readFile(target, 'utf8')).toBe('changed');
    // A group with a made file that is missing writes nothing, and says which file it was for.
    await rm(made);
    await expect(writeFilesAtomic([{ path: beside, content: 'new b' }, { path: target, content: { file: made } }])).rejects.toThrow(/table\.parquet|made\.bin/);
    expect(await readFile(beside, 'utf8')).toBe('b');
    expect(await readFile(target, 'utf8')).toBe('changed');
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['beside.txt', 'table.parquet']);
  });
});
