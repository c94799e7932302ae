import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sources } from '../../scripts/sources/index.ts';
import { sourcesMarkdown } from '../../scripts/sources/markdown.ts';

describe('the README source table', () => {
  it('is exactly what `sources --markdown` generates from the declarations, limits included', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const table = sourcesMarkdown(sources.values());
    expect(readme).toContain(table);
    expect(table).toContain('latest time_period date: 2027-09-30');
    expect(table).toContain('entries per page: 10');
  });

  it('escapes a pipe in a declaration so the table cannot be broken', () => {
    const [first] = sources.values();
    const table = sourcesMarkdown([{ ...first!, title: 'a | b', limits: [{ name: 'x|y', value: 1, reference: 'r' }] }]);
    expect(table.split('\n')[2]).toContain('a \\| b');
    expect(table.split('\n')[2]).toContain('x\\|y: 1');
  });
});
