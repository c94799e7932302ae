/**
 * The legacy history export through DuckDB's reader against csv-parse: the real FY2013–FY2017 files and
 * variants made from them (a rejected row after a quoted line break, a transaction repeated, a short row,
 * a BOM, CRLF) must give exactly the records and row issues, with their lines, that csv-parse gives.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_COLUMNS, parseHistoryCsv } from '../../../scripts/sources/usaspending/history.ts';
import type { RawInput } from '../../../scripts/sources/types.ts';
import { engineTime } from '../../../scripts/store/engine.ts';
import { sharedFixture } from '../../helpers/shared-fixtures.ts';

const YEARS = ['fy13', 'fy14', 'fy15', 'fy16', 'fy17'] as const;
const historyFile = (year: string) => sharedFixture(`ice-history/${year}_ICE_transactions_selected_vendors.NOHEADER.csv`);
const input = (path: string): RawInput => ({ path, origin: path, retrievedAt: '2025-01-01T00:00:00.000Z' });

async function both(...paths: string[]) {
  const logs: string[] = [];
  const before = engineTime();
  const engine = await parseHistoryCsv(paths.map(input), { log: (m) => logs.push(m) });
  const engineMs = engineTime() - before;
  const plain = await parseHistoryCsv(paths.map(input), undefined, { engine: false });
  return { engine, plain, engineMs, fellBack: logs.filter((l) => l.includes('read with csv-parse')) };
}

/** Splits a history row into its cells (every cell of the export is quoted or bare, no quoted commas here). */
function cellsOf(line: string): string[] {
  return line.match(/"(?:[^"]|"")*"|[^,]+|(?<=,)(?=,|$)|^(?=,)/g)!;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icewatch-history-engine-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the history export through the engine', () => {
  it('reads every real file, alone and together, exactly as csv-parse does, and does the reading itself', async () => {
    for (const year of YEARS) {
      const { engine, plain, engineMs, fellBack } = await both(historyFile(year));
      expect(engine).toEqual(plain);
      expect(engine.records.length).toBeGreaterThan(0);
      expect(engineMs).toBeGreaterThan(0);
      expect(fellBack).toEqual([]);
    }
    const all = await both(...YEARS.map(historyFile));
    expect(all.engine).toEqual(all.plain);
    expect(all.fellBack).toEqual([]);
  });

  it('names a rejected row and a repeated transaction by their lines after a quoted line break', async () => {
    const lines = (await readFile(historyFile('fy13'), 'utf8')).split(/\r?\n/).filter((l) => l !== '');
    expect(cellsOf(lines[0]!)).toHaveLength(HISTORY_COLUMNS.length);
    const description = HISTORY_COLUMNS.indexOf('award_description');
    const actionDate = HISTORY_COLUMNS.indexOf('action_date');
    const edit = (line: string, column: number, value: string) => {
      const cells = cellsOf(line);
      cells[column] = value;
      return cells.join(',');
    };
    const rows = [edit(lines[0]!, description, '"TWO\nLINES"'), lines[1]!, edit(lines[2]!, actionDate, '45744'), lines[1]!, ...lines.slice(3)];
    const path = join(dir, 'fy13_edited.NOHEADER.csv');
    // LF throughout, as the export has it (a bare LF inside a CRLF file is "mixed" to the engine: csv-parse's).
    await writeFile(path, `\ufeff${rows.join('\n')}\n`);
    const { engine, plain, fellBack } = await both(path);
    expect(fellBack).toEqual([]);
    expect(engine).toEqual(plain);
    // Row 1 spans lines 1–2, so the bad date is on line 4 and the repeat of row 2 on line 5.
    expect(engine.rowIssues).toEqual([
      expect.objectContaining({ line: 4, field: 'action_date' }),
      expect.objectContaining({ line: 5, message: expect.stringMatching(/already read; counted once/) }),
    ]);
  });

  it('leaves a file with a short row to csv-parse, which names it', async () => {
    const lines = (await readFile(historyFile('fy14'), 'utf8')).split(/\r?\n/).filter((l) => l !== '');
    const path = join(dir, 'fy14_short.NOHEADER.csv');
    await writeFile(path, `${[lines[0], cellsOf(lines[1]!).slice(0, 200).join(','), ...lines.slice(2)].join('\n')}\n`);
    const { engine, plain, fellBack } = await both(path);
    expect(fellBack).toHaveLength(1);
    expect(engine).toEqual(plain);
    expect(engine.rowIssues).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/row has 200 field\(s\), the header has 259/) })]);
  });

  it('leaves a CRLF file with a bare line break in a quoted cell to csv-parse, with the same result', async () => {
    const lines = (await readFile(historyFile('fy15'), 'utf8')).split(/\r?\n/).filter((l) => l !== '');
    const description = HISTORY_COLUMNS.indexOf('award_description');
    const cells = cellsOf(lines[0]!);
    cells[description] = '"TWO\nLINES"';
    const path = join(dir, 'fy15_mixed.NOHEADER.csv');
    await writeFile(path, `${[cells.join(','), ...lines.slice(1)].join('\r\n')}\r\n`);
    const { engine, plain, fellBack } = await both(path);
    expect(fellBack).toHaveLength(1);
    expect(engine).toEqual(plain);
    expect(engine.rowIssues).toEqual([]);
  });
});
