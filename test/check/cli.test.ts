/**
 * `icewatch check` as a person runs it, over the committed published data: names as arguments or from a
 * file, the three formats, exit 0 with the summary line, and errors that name the file and line. Also: the
 * published award timeline reproduces every published status at the published date.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckIndex } from '../../scripts/check/check-index.ts';
import { REPO_ROOT as REPO, runCli } from '../helpers/cli-run.ts';
import { ownFixture } from '../helpers/shared-fixtures.ts';

const check = (args: string[]) => runCli(['check', ...args]);

describe('icewatch check', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icewatch-check-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('checks names given as arguments and prints a table with the summary line (exit 0)', async () => {
    const r = await check(['AWS', 'Cisco-Eagle', 'The GEO Group, Inc.']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^AWS\s+Amazon \(brand\)/m);
    expect(r.stdout).toMatch(/^Cisco-Eagle\s+—\s+no record/m);
    expect(r.stdout).toContain('it is not a clearance');
    expect(r.stdout.trimEnd().split('\n').pop()).toMatch(/^3 names checked as of \d{4}-\d{2}-\d{2}: \d need attention/);
  });

  it('reads a CSV with website and UEI columns; JSON and CSV on stdout, the summary on stderr', async () => {
    const file = ownFixture('check/partners.csv');
    const json = await check(['--file', file, '--format', 'json']);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { rows: Array<{ line: number; input: string; companyId: string | null; outcome: string }>; summaryLine: string };
    expect(result.rows.map((r) => [r.line, r.input, r.companyId, r.outcome])).toEqual([
      [2, 'Amazon Web Services', 'amazon', 'match'],
      [3, 'Booz Allen Hamilton Inc.', 'booz-allen-hamilton', 'match'],
      [4, 'Palantir USG Inc', 'palantir', 'match'],
      [5, 'Mozilla Foundation', null, 'none'],
      [6, 'Cisco-Eagle, Inc.', null, 'none'],
      [7, 'GitHub', 'github', 'match'],
    ]);
    expect(json.stderr.trim()).toBe(result.summaryLine);
    const csv = await check(['--file', file, '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('line,name,outcome,company_id,company,relation,status,decided_by,via,confidence,method,attention,note,evidence_urls,candidates');
  });

  it('answers as of another date', async () => {
    const r = JSON.parse((await check(['GEO Group', '--as-of', '2015-01-01', '--format', 'json'])).stdout) as { asOf: string; rows: Array<{ status: string }> };
    expect(r.asOf).toBe('2015-01-01');
    expect(r.rows[0]!.status).not.toBe('active');
  });

  it('fails with a usage error without names, and names the file and line of a bad input', async () => {
    const none = await check([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give names to check');
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'website,uei\nexample.org,\n');
    const r = await check(['--file', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: line 1: no name column`);
    expect((await check(['x', '--format', 'xml'])).code).toBe(2);
    expect((await check(['--file', join(dir, 'missing.txt')])).stderr).toMatch(/missing\.txt: cannot read \(ENOENT\)/);
  });

  it('fails plainly when the published data is missing', async () => {
    const r = await check(['AWS', '--data', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/check-index\.json: cannot read \(ENOENT\); run `icewatch publish` first/);
  });
});

describe('check-index.json', () => {
  it('reproduces every published status at the published date from its award timeline', async () => {
    const dir = join(REPO, 'data/published/v1');
    const index = JSON.parse(await readFile(join(dir, 'check-index.json'), 'utf8')) as CheckIndex;
    const published = JSON.parse(await readFile(join(dir, 'companies.json'), 'utf8')) as { asOf: string; companies: Array<{ id: string; status: string; ice: { awardCount: number } }> };
    expect(index.asOf).toBe(published.asOf);
    expect(index.companies.map((c) => c.id)).toEqual(published.companies.map((c) => c.id));
    for (const c of published.companies) {
      const awards = (index.awards[c.id] ?? []).filter((a) => a[1] === null || a[1] <= published.asOf);
      const status = awards.some((a) => a[2] !== null && a[2] >= published.asOf) ? 'active' : awards.length ? 'ended' : 'no-record';
      // Statuses decided by transactions (no dated award) are not in the award timeline; the checker reads them from companies.json.
      const byTransactions = c.status === 'recent-obligations' || (c.status === 'ended' && status === 'no-record');
      if (!byTransactions) expect([c.id, status]).toEqual([c.id, c.status]);
      expect([c.id, awards.length]).toEqual([c.id, c.ice.awardCount]);
    }
  });
});
