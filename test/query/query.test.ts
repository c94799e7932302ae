/**
 * `icewatch query`: SQL over the committed data (read, never written), answers checked against the files
 * themselves, and every way a statement could write or read elsewhere refused.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { renderQuery, runQuery } from '../../scripts/query/query.ts';
import { IcewatchError, SourceFormatError, UsageError } from '../../scripts/util/errors.ts';
import { REPO } from '../pipeline/recorded-data.ts';

const DATA = join(REPO, 'data');
const scratch: string[] = [];
afterAll(async () => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));

describe('icewatch query', { timeout: 60_000 }, () => {
  it('answers "Palantir ICE obligations by fiscal year" as awards.csv has them', async () => {
    const result = await runQuery(DATA, "SELECT fiscal_year, sum(obligated) AS obligated, count(*) AS awards FROM awards WHERE company_id = 'palantir' AND company_kind = 'registry' GROUP BY ALL ORDER BY 1");
    const csv = parse(await readFile(join(DATA, 'published/v1/awards.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const expected = new Map<number, { obligated: number; awards: number }>();
    for (const row of csv.filter((r) => r.company_id === 'palantir')) {
      const start = row.start!;
      const fy = Number(start.slice(0, 4)) + (Number(start.slice(5, 7)) >= 10 ? 1 : 0);
      const e = expected.get(fy) ?? { obligated: 0, awards: 0 };
      e.obligated += Number(row.obligated);
      e.awards += 1;
      expected.set(fy, e);
    }
    expect(result.rows.length).toBeGreaterThan(0);
    expect(result.rows.map((r) => [r.fiscal_year, Math.round(Number(r.obligated) * 100), Number(r.awards)])).toEqual(
      [...expected].sort((a, b) => a[0] - b[0]).map(([fy, e]) => [fy, Math.round(e.obligated * 100), e.awards]),
    );
  });

  it('reads every award of the award stores, as many as their manifests count', async () => {
    let counted = 0;
    for (const source of ['usaspending', 'usaspending-download', 'fpds']) {
      counted += (JSON.parse(await readFile(join(DATA, 'snapshots', source, 'manifest.json'), 'utf8')) as { recordCount: number }).recordCount;
    }
    const result = await runQuery(DATA, 'SELECT source, count(*) AS n FROM snapshot_awards GROUP BY ALL ORDER BY source');
    expect(result.rows.reduce((n, r) => n + Number(r.n), 0)).toBe(counted);
  });

  it('refuses every statement that is not a read, and reads no other file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-query-'));
    scratch.push(dir);
    const refused = async (sql: string) => runQuery(DATA, sql).then(() => undefined, (e: unknown) => e as Error);
    for (const sql of [
      `COPY (SELECT 1) TO '${dir}/out.csv'`,
      `EXPLAIN ANALYZE COPY (SELECT 'x' AS x) TO '${dir}/out.csv'`,
      `EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1`,
      `ATTACH '${dir}/x.db'`,
      'CREATE TABLE t AS SELECT 1',
      'INSTALL httpfs',
      'SELECT 1; SELECT 2',
    ]) {
      // Refused by statement type, or by the file switch when binding the statement already needs a file.
      expect(await refused(sql), sql).toBeInstanceOf(IcewatchError);
    }
    expect((await refused("SELECT * FROM read_csv('/etc/passwd')"))?.message).toMatch(/file system operations are disabled/);
    expect((await refused(`SELECT * FROM read_parquet('${join(DATA, 'snapshots/usaspending/*.parquet')}')`))?.message).toMatch(/disabled/);
    expect(await refused('EXPLAIN ANALYZE CREATE TABLE t2 AS SELECT 1')).toBeInstanceOf(UsageError);
    expect((await refused("SELECT * FROM nope"))).toBeInstanceOf(IcewatchError);
    // The OS temp folder (where DuckDB spills by default, and which it keeps open) is closed too.
    await writeFile(join(dir, 'secret.txt'), 'secret');
    expect((await refused(`SELECT * FROM read_text('${join(dir, 'secret.txt')}')`))?.message).toMatch(/disabled/);
    expect((await refused(`SELECT * FROM glob('${tmpdir()}/*')`))?.message).toMatch(/disabled/);
    expect(await readdir(dir)).toEqual(['secret.txt']);
  });

  it('renders a table with no control character, formula-safe CSV and JSON', async () => {
    const result = { columns: ['name', 'n'], rows: [{ name: '=HYPERLINK("x")\u001b[31m', n: 1 }], missing: [] };
    expect(renderQuery(result, 'table')).not.toMatch(/\u001b/);
    expect(renderQuery(result, 'csv')).toContain(`"'=HYPERLINK(""x"")`);
    expect(JSON.parse(renderQuery(result, 'json'))).toEqual(result.rows);
  });

  it('on a data folder never published, says what is missing; a damaged store is an error, not fewer rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-query-'));
    scratch.push(dir);
    await cp(join(DATA, 'snapshots'), join(dir, 'snapshots'), { recursive: true });
    const error = await runQuery(dir, 'SELECT count(*) FROM awards').then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/not loaded: awards, companies, obligations; run `icewatch publish` first/);
    expect((await runQuery(dir, 'SELECT count(*) AS n FROM snapshot_awards')).rows[0]!.n).toBeGreaterThan(0);
    await rm(join(dir, 'snapshots', 'usaspending', 'fy2015.parquet'));
    await expect(runQuery(dir, 'SELECT count(*) FROM snapshot_awards')).rejects.toBeInstanceOf(SourceFormatError);
  });
});
