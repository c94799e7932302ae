/**
 * The engine reader against csv-parse: on the real recordings and on made variants, parsing through DuckDB
 * must give exactly the records, row issues (with their lines) and row counts that csv-parse gives, and a
 * file the engine refuses must still be read, by csv-parse.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineCsvRefused, readColumnsWithEngine } from '../../../scripts/sources/usaspending-download/engine-csv.ts';
import { parseDownloadInputs } from '../../../scripts/sources/usaspending-download/parse.ts';
import { engineTime } from '../../../scripts/store/engine.ts';
import { ownFixture } from '../../helpers/shared-fixtures.ts';
import { makeZip } from './make-zip.ts';
import { input, MN_SUBAWARDS, PRIME, SUBAWARDS } from './recordings.ts';


/** Both readers on the same inputs; `fellBack` lists the files the engine refused. */
async function both(...paths: string[]) {
  const logs: string[] = [];
  const before = engineTime();
  const engine = await parseDownloadInputs(paths.map(input), { log: (m) => logs.push(m) });
  const engineMs = engineTime() - before;
  const plain = await parseDownloadInputs(paths.map(input), undefined, { engine: false });
  return { engine, plain, engineMs, fellBack: logs.filter((l) => l.includes('read with csv-parse')) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icewatch-engine-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the engine CSV reader', () => {
  it('reads the real recordings exactly as csv-parse does, and does the reading itself', async () => {
    for (const path of [PRIME, SUBAWARDS, MN_SUBAWARDS]) {
      const { engine, plain, engineMs, fellBack } = await both(path);
      expect(engine).toEqual(plain);
      expect(engine.records.length).toBeGreaterThan(0);
      expect(engineMs).toBeGreaterThan(0);
      expect(fellBack).toEqual([]);
    }
    const all = await both(PRIME, SUBAWARDS, MN_SUBAWARDS);
    expect(all.engine).toEqual(all.plain);
  });

  it('reads a zip entry through a temp file with the same result', async () => {
    const zip = await makeZip(join(dir, 'ICE_2025.zip'), [
      { name: 'ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv', path: PRIME },
      { name: 'ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv', path: SUBAWARDS },
    ]);
    const { engine, plain, engineMs, fellBack } = await both(zip);
    expect(engine).toEqual(plain);
    expect(engineMs).toBeGreaterThan(0);
    expect(fellBack).toEqual([]);
  });

  it('reads a zip entry as a stream when it cannot be staged on disk', async () => {
    const zip = await makeZip(join(dir, 'ICE_2025b.zip'), [{ name: 'ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv', path: PRIME }]);
    const plain = await parseDownloadInputs([input(zip)], undefined, { engine: false });
    const logs: string[] = [];
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'no-such-folder');
    try {
      expect(await parseDownloadInputs([input(zip)], { log: (m) => logs.push(m) })).toEqual(plain);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(logs.some((l) => l.includes('could not stage the entry on disk') && l.includes('ENOENT'))).toBe(true);
  });

  it('names a bad row by its line even after a quoted line break, as csv-parse does', async () => {
    const text = await readFile(PRIME, 'utf8');
    const [header, ...rows] = text.split('\r\n').filter((l) => l !== '');
    const cells = header!.split(',');
    const description = cells.indexOf('prime_award_base_transaction_description');
    const start = cells.indexOf('period_of_performance_start_date');
    // Real rows quote every cell: the first row's description gets a line break, the third a bad date.
    const edit = (row: string, column: number, value: string) => {
      const fields = row.match(/"(?:[^"]|"")*"|[^,]+|(?<=,)(?=,|$)|^(?=,)/g)!;
      fields[column] = value;
      return fields.join(',');
    };
    const edited = [header, edit(rows[0]!, description, '"FIREARMS\r\nRANGE RENTAL"'), rows[1], edit(rows[2]!, start, '"2022-13-45"'), ...rows.slice(3)].join('\r\n') + '\r\n';
    const path = join(dir, 'ICE_edited_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');
    await writeFile(path, edited);
    const { engine, plain, fellBack } = await both(path);
    expect(fellBack).toEqual([]);
    expect(engine).toEqual(plain);
    expect(engine.rowIssues).toHaveLength(1);
    // Header on 1, rows 1 and 2 on 2–3 and 4 (the break), the bad row on 5.
    expect(engine.rowIssues[0]).toMatchObject({ line: 5, field: 'period_of_performance_start_date' });
    expect(engine.records).toHaveLength(rows.length - 1);
  });

  it('gives the same result as csv-parse on the made variants, leaving the ones it refuses to csv-parse', async () => {
    const refusedBy: Record<string, boolean> = {};
    for (const name of ['prime-shifted-columns.csv', 'prime-reordered-bom-mixed-eol.csv', 'prime-spreadsheet-mangled.csv', 'prime-missing-columns.csv']) {
      const path = join(dir, `ICE_${name.replace('.csv', '')}_Contracts_PrimeAwardSummaries_1.csv`);
      await writeFile(path, await readFile(ownFixture(`csv/${name}`)));
      const logs: string[] = [];
      const engine = await parseDownloadInputs([input(path)], { log: (m) => logs.push(m) }).then((r) => r, (e: Error) => e.message);
      const plain = await parseDownloadInputs([input(path)], undefined, { engine: false }).then((r) => r, (e: Error) => e.message);
      expect(engine, name).toEqual(plain);
      refusedBy[name] = logs.some((l) => l.includes('read with csv-parse'));
    }
    // A shifted row (285 fields) and mixed line endings are refused; bad values in well-formed rows are
    // the engine's to read (their lines come from csv-parse); a missing header column fails before either.
    expect(refusedBy).toEqual({
      'prime-shifted-columns.csv': true,
      'prime-reordered-bom-mixed-eol.csv': true,
      'prime-spreadsheet-mangled.csv': false,
      'prime-missing-columns.csv': false,
    });
  });

  it('refuses what it cannot read the strict way, so the caller falls back', async () => {
    const cases: Array<[string, string]> = [
      ['short.csv', 'a,b\n1\n'],
      ['long.csv', 'a,b\n1,2,3\n'],
      ['mixed.csv', 'a,b\r\n1,2\n3,4\r\n'],
      ['open.csv', 'a,b\n1,"never closed\n2,3\n'],
    ];
    for (const [name, content] of cases) {
      const path = join(dir, name);
      await writeFile(path, content);
      const read = async () => {
        for await (const _ of readColumnsWithEngine(path, 2, [0, 1]));
      };
      await expect(read(), name).rejects.toBeInstanceOf(EngineCsvRefused);
    }
    // A path the engine would read as a glob pattern is never handed to it.
    await expect((async () => {
      for await (const _ of readColumnsWithEngine(join(dir, 'ICE[1].csv'), 2, [0, 1]));
    })()).rejects.toBeInstanceOf(EngineCsvRefused);
    const ok = join(dir, 'ok.csv');
    await writeFile(ok, '\ufeffa,b,c\r\n1,,"x ""y"""\r\n\r\n4,5,6\r\n');
    const rows: string[][] = [];
    for await (const row of readColumnsWithEngine(ok, 3, [2, -1, 0])) rows.push(row);
    expect(rows).toEqual([['x "y"', '', '1'], ['6', '', '4']]);
  });
});
