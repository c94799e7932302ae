import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFilesAtomic } from '../../scripts/util/atomic-fs.ts';

function* lines(n: number, tag = ''): Generator<string> {
  for (let i = 0; i < n; i++) yield `{"n":${i}${tag}}\n`;
}

describe('writeFilesAtomic with chunked content', () => {
  it('streams a large file, then leaves it untouched when the chunks are the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-chunks-'));
    const path = join(dir, 'big.jsonl');
    expect(await writeFilesAtomic([{ path, content: { chunks: () => lines(50_000) } }])).toEqual([path]);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(50_001);
    expect(text.startsWith('{"n":0}\n{"n":1}\n')).toBe(true);
    const mtime = (await stat(path)).mtimeMs;
    expect(await writeFilesAtomic([{ path, content: { chunks: () => lines(50_000) } }])).toEqual([]);
    expect((await stat(path)).mtimeMs).toBe(mtime);
    expect((await readdir(dir)).sort()).toEqual(['big.jsonl']);
  });

  it('writes chunked and string files as one group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-chunks-'));
    const records = join(dir, 'x.jsonl');
    const meta = join(dir, 'x.meta.json');
    await writeFile(records, 'old\n');
    await writeFile(meta, '{"old":true}\n');
    const written = await writeFilesAtomic([
      { path: records, content: { chunks: () => lines(3, ',"v":2') } },
      { path: meta, content: '{"v":2}\n' },
    ]);
    expect(written).toEqual([records, meta]);
    expect(await readFile(records, 'utf8')).toBe('{"n":0,"v":2}\n{"n":1,"v":2}\n{"n":2,"v":2}\n');
    expect(await readFile(meta, 'utf8')).toBe('{"v":2}\n');
  });

  it('leaves the old file whole when producing the chunks fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-chunks-'));
    const path = join(dir, 'x.jsonl');
    await writeFile(path, 'old\n');
    function* failing(): Generator<string> {
      yield 'new line 1\n';
      throw new Error('record 2 could not be serialised');
    }
    await expect(writeFilesAtomic([{ path, content: { chunks: failing } }])).rejects.toThrow('record 2 could not be serialised');
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['x.jsonl']);
  });

  it('renders lazy text in turn, one file at a time, and skips a file whose text is unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-chunks-'));
    const order: string[] = [];
    const lazy = (name: string, text: string) => ({
      path: join(dir, name),
      content: {
        render: () => {
          order.push(name);
          return text;
        },
      },
    });
    expect(await writeFilesAtomic([lazy('a.html', 'A'), lazy('b.html', 'B')])).toEqual([join(dir, 'a.html'), join(dir, 'b.html')]);
    expect(order).toEqual(['a.html', 'b.html']);
    const before = (await stat(join(dir, 'a.html'))).mtimeMs;
    expect(await writeFilesAtomic([lazy('a.html', 'A'), lazy('b.html', 'B2')])).toEqual([join(dir, 'b.html')]);
    expect((await stat(join(dir, 'a.html'))).mtimeMs).toBe(before);
    expect(await readFile(join(dir, 'b.html'), 'utf8')).toBe('B2');
    // A page that cannot be rendered stops the group before anything is renamed.
    const failing = { path: join(dir, 'c.html'), content: { render: () => { throw new Error('page c failed'); } } };
    await expect(writeFilesAtomic([lazy('a.html', 'A3'), failing])).rejects.toThrow('page c failed');
    expect(await readFile(join(dir, 'a.html'), 'utf8')).toBe('A');
    expect((await readdir(dir)).sort()).toEqual(['a.html', 'b.html']);
  });
});
