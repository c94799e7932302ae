import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWatchlists, parseWatchlistYaml } from '../../scripts/watchlist/load.ts';
import { loadValidWatchlists } from '../../scripts/watchlist/run-watchlists.ts';
import { RegistryError } from '../../scripts/util/errors.ts';

const at = (problems: Array<{ line: number; rule: string; message: string }>) => problems.map((p) => `${p.line} ${p.rule}: ${p.message}`);

describe('watch-list files', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads a valid list', () => {
    const { watchlist, problems } = parseWatchlistYaml('title: Sponsors\ncompanies:\n  - name: AWS\n    uei: abcdefabcdef\n', 'data/watchlists/sponsors.yaml');
    expect(problems).toEqual([]);
    expect(watchlist).toMatchObject({ id: 'sponsors', title: 'Sponsors', issue: false, companies: [{ name: 'AWS', uei: 'abcdefabcdef' }] });
  });

  it('names the line of each problem, like the registry', () => {
    const text = ['title: Sponsors', 'isue: true', 'companies:', '  - name: AWS', '  - nam: Twitch', '  - name: aws', '  - name: Palantir', '    uei: 123'].join('\n');
    const { watchlist, problems } = parseWatchlistYaml(text, 'sponsors.yaml');
    expect(watchlist).toBeUndefined();
    expect(at(problems)).toEqual([
      expect.stringMatching(/^2 unknown-key: unknown key "isue" \(did you mean "issue"\?\)/),
      '5 missing-field: missing required field "companies[1].name"',
      expect.stringMatching(/^5 unknown-key: unknown key "nam" in companies\[1\]/),
      "8 schema: companies[3].uei: Invalid input: expected string, received number (put it in quotes: '123')",
    ]);
    const dup = parseWatchlistYaml('title: S\ncompanies:\n  - name: AWS\n  - name: aws\n', 'sponsors.yaml');
    expect(at(dup.problems)).toEqual(['4 duplicate-name: "aws" is listed twice (first at companies[0])']);
  });

  it('refuses a file name that cannot be a feed URL, YAML errors and empty files', () => {
    expect(at(parseWatchlistYaml('title: S\ncompanies: [{name: A}]\n', 'My List.yaml').problems)[0]).toMatch(/^1 file-name:/);
    expect(at(parseWatchlistYaml('title: [unclosed\n', 'x.yaml').problems)[0]).toMatch(/yaml-syntax/);
    expect(at(parseWatchlistYaml('# nothing\n', 'x.yaml').problems)).toEqual(['1 schema: file is empty']);
  });

  it('loads a folder, and a broken list stops the run with FILE:LINE problems', async () => {
    dir = await mkdtemp(join(tmpdir(), 'icewatch-watch-'));
    expect(await loadWatchlists(dir)).toEqual({ watchlists: [], problems: [] });
    await mkdir(join(dir, 'watchlists'));
    await writeFile(join(dir, 'watchlists', 'a.yaml'), 'title: A\ncompanies:\n  - name: AWS\n');
    await writeFile(join(dir, 'watchlists', 'b.yaml'), 'title: B\ncompanies: []\n');
    const loaded = await loadWatchlists(dir);
    expect(loaded.watchlists.map((w) => w.id)).toEqual(['a']);
    expect(loaded.problems).toEqual([expect.objectContaining({ file: join(dir, 'watchlists', 'b.yaml'), line: 2, severity: 'error' })]);
    await expect(loadValidWatchlists(dir)).rejects.toBeInstanceOf(RegistryError);
  });
});

describe('watch-list history on disk', () => {
  it('refuses a damaged history instead of re-announcing old events', async () => {
    const { planWatchlists } = await import('../../scripts/watchlist/run-watchlists.ts');
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-watch-state-'));
    try {
      await mkdir(join(dir, 'state', 'watchlists'), { recursive: true });
      await writeFile(join(dir, 'state', 'watchlists', 'a.json'), '{"schemaVersion":1,"events":[');
      const watchlist = parseWatchlistYaml('title: A\ncompanies:\n  - name: AWS\n', 'a.yaml').watchlist!;
      const registry = { companies: [], byId: new Map(), dismissed: [] };
      const plan = { asOf: '2026-12-01', newAwards: [], transitions: [], listChanges: [], candidates: [] } as never;
      await expect(planWatchlists(dir, registry, plan, [watchlist])).rejects.toThrow(/a\.json: not a watch-list history this version reads; restore it from git/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
