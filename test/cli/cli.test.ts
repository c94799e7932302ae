import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedFixture } from '../helpers/shared-fixtures.ts';
import { REPO, recordedDataDir, removeDir } from '../pipeline/recorded-data.ts';

const run = promisify(execFile);
const TSX = join(REPO, 'node_modules/.bin/tsx');

async function icewatch(args: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // No GITHUB_TOKEN: the CLI must never try to write to GitHub from a test.
    const { stdout, stderr } = await run(TSX, [join(REPO, 'scripts/cli.ts'), ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      maxBuffer: 20 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function treeHash(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

describe('icewatch CLI', { timeout: 60_000 }, () => {
  let work: string;
  beforeAll(async () => {
    work = await recordedDataDir();
  }, 60_000);
  afterAll(async () => removeDir(work));

  it('validates the seed registry (exit 0) and names file:line for a broken one (exit 1)', async () => {
    const ok = await icewatch(['validate']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('registry: 0 error(s)');
    const broken = await mkdtemp(join(tmpdir(), 'icewatch-broken-'));
    await cp(join(REPO, 'data/registry'), join(broken, 'registry'), { recursive: true });
    const file = join(broken, 'registry/companies/palantir.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('name: Palantir Technologies', 'name: Palantir Technologies\nticker: PLTR'));
    const bad = await icewatch(['validate', '--data', broken]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/registry\/companies\/palantir\.yaml:\d+: .*ticker/);
    await removeDir(broken);
  });

  it('rejects unknown commands and flags with the usage (exit 2)', async () => {
    const cmd = await icewatch(['frobnicate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "frobnicate"');
    const flag = await icewatch(['run', '--ofline']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown flag "--ofline"');
    expect(flag.stderr).toContain('--as-of');
    const date = await icewatch(['run', '--offline', '--as-of', '27/11/2026']);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain('--as-of expects a real calendar date as YYYY-MM-DD');
    // Issue 15 item 13: JavaScript reads 2026-02-31 as March 3rd; it is a usage error, not a crash.
    const impossible = await icewatch(['run', '--offline', '--as-of', '2026-02-31']);
    expect(impossible.code).toBe(2);
    expect(impossible.stderr).toContain('--as-of expects a real calendar date as YYYY-MM-DD, got "2026-02-31"');
    expect(impossible.stderr).not.toContain('unexpected error');
    const help = await icewatch(['fetch', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--from');
  });

  it('smoke refuses to run without --live, and an unknown source, before any request (exit 2)', async () => {
    const bare = await icewatch(['smoke']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('run it as `smoke --live`');
    const unknown = await icewatch(['smoke', '--live', '--sources', 'usaspending,nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown source(s): nope');
  });

  it('imports recordings of each procurement format through fetch --from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-fetch-'));
    const fpds = await icewatch(['fetch', '--data', dir, '--source', 'fpds', '--from', sharedFixture('fpds/raw_PUBLIC_v1.5.2_LAST_MOD_DATE_2020-04-02_page1_kapangyu-gsa.xml')]);
    expect(fpds.code).toBe(0);
    expect(fpds.stdout).toMatch(/^fpds: \d+ records/m);
    const api = await icewatch(['fetch', '--data', dir, '--source', 'usaspending', '--from', sharedFixture('usaspending/api/nasa_spending_by_award_contracts.json')]);
    expect(api.code).toBe(0);
    expect(api.stdout).toMatch(/^usaspending: \d+ records \(\d+ added/m);
    const dl = await icewatch(['fetch', '--data', dir, '--source', 'usaspending-download', '--from', sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv')]);
    expect(dl.stdout).toMatch(/^usaspending-download: 5 records/m);
    const list = await icewatch(['fetch', '--data', dir, '--source', 'companies-that-work-with-ice', '--from', sharedFixture('watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md')]);
    expect(list.stdout).toMatch(/^companies-that-work-with-ice: 180 records/m);
    const missing = await icewatch(['fetch', '--data', dir, '--source', 'fpds', '--from', join(dir, 'nope.xml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.xml');
    await removeDir(dir);
  });

  it('imports a recorded transactions year through fetch --from', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-fetch-tx-'));
    const tx = await icewatch(['fetch', '--data', dir, '--source', 'usaspending-transactions', '--from', sharedFixture('usaspending/transactions/CBP_ICE_FY2026_Contract_Obligations.csv')]);
    // 2,821 ICE transactions and the year's coverage record (CBP rows skipped: not configured).
    expect(tx.code).toBe(0);
    expect(tx.stdout).toMatch(/^usaspending-transactions: 2822 records/m);
    await removeDir(dir);
  });

  it('evaluates the labelled matching set with precision 1 and recall 1', async () => {
    const result = await icewatch(['match', '--evaluate', '--input', join(REPO, '../shared/matching/dev-cases.csv')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^overall\s+16\s+16\s+16\s+1\.000\s+1\.000$/m);
    expect(result.stdout).toContain('false alarms: 0');
    const lines = await icewatch(['match', '--input', join(REPO, '../shared/matching/dev-cases.csv')]);
    const rows = lines.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(20);
    expect(rows[0].matches[0]).toMatchObject({ companyId: 'palantir', relation: 'direct' });
  });

  it('runs offline end to end, then a second run changes no file', async () => {
    const reports = join(work, 'reports');
    const first = await icewatch(['run', '--offline', '--as-of', '2026-11-27', '--data', work, '--reports', reports]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/usaspending\s+stale/);
    expect(first.stdout).toContain('dry run:');
    const files = await treeHash(work);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'published/v1/companies.json',
        'published/v1/companies.md',
        'published/v1/awards.csv',
        'reports/2026-11-27.md',
        'reports/latest.md',
        // The dry run writes as many as a real run keeps open (issue 15 item 6), in the plan's order.
        'reports/proposals/icewatch/add-alpha-omega-integration/pr.md',
        'state/last-run.json',
      ]),
    );
    const second = await icewatch(['run', '--offline', '--as-of', '2026-11-27', '--data', work, '--reports', reports]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('no file changed');
    expect(await treeHash(work)).toEqual(files);
  });
});
