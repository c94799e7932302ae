/**
 * Damaged CSV through the two CSV paths, imported onto a seeded snapshot with `updateSource({ from })`
 * (what `icewatch fetch --from` does): the USAspending download parser (usaspending-download) and the
 * FY2013–17 history import (usaspending). A bad row is skipped and reported with file, line and
 * column; a bad file is refused; either way every record already in the snapshot stays.
 *
 * The parser-level details of these files are pinned in test/sources/usaspending-download/parse.test.ts
 * and test/sources/usaspending/history.test.ts; here the point is what reaches the snapshot.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as toCsv } from 'csv-stringify/sync';
import { expect } from 'vitest';
import { recordKey, type SourceRecord } from '../../scripts/records.ts';
import { readSnapshot, type Snapshot } from '../../scripts/snapshots/store.ts';
import { updateSource, type UpdateSourceResult } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import type { RowIssue } from '../../scripts/sources/types.ts';
import { HISTORY_COLUMNS } from '../../scripts/sources/usaspending/history.ts';
import { SourceFormatError } from '../../scripts/util/errors.ts';
import { ownFixture, sharedFixture } from '../helpers/shared-fixtures.ts';
import { scratchDir, snapshotState } from './fs-state.ts';
import { faultCase, type CaseContext } from './ledger.ts';
import { logTo, NOW, snapshotOnly, type World } from './world.ts';

const AREA = 'CSV: damaged files';
const PRIME = sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');
const FY14 = sharedFixture('ice-history/fy14_ICE_transactions_selected_vendors.NOHEADER.csv');

type Accepted = { records: string[]; rowIssues: Array<Partial<RowIssue>> };
type Refused = { message: RegExp; line?: number; file?: string };

interface CsvCase {
  name: string;
  sourceId: 'usaspending' | 'usaspending-download';
  /** The file to import (made at run time when it derives from a recording). */
  file(): Promise<string>;
  accept?: (result: UpdateSourceResult) => Promise<Accepted> | Accepted;
  refuse?: Refused;
}

async function madeFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(await scratchDir('csv'), name);
  await writeFile(path, content);
  return path;
}

/** Records that importing `file` into an empty data directory gives: what a clean import yields. */
async function cleanImport(sourceId: string, file: string): Promise<SourceRecord[]> {
  const dataDir = await scratchDir('csv-clean');
  return (await updateSource({ source: sources.get(sourceId)!, dataDir, from: [file], now: NOW, log: logTo() })).records;
}

/** The first `n` records of the history export, written back with a BOM and CRLF and LF alternating. */
async function historyBomMixedEol(n: number): Promise<{ mixed: string; clean: string }> {
  const rows = (parseCsv(await readFile(FY14), { relax_column_count: true }) as string[][]).slice(0, n);
  const lines = rows.map((row) => toCsv([row], { record_delimiter: '' }));
  const mixed = `\uFEFF${lines.map((line, i) => `${line}${i % 2 === 0 ? '\r\n' : '\n'}`).join('')}`;
  return { mixed: await madeFile('fy14_bom_mixed_eol.NOHEADER.csv', mixed), clean: await madeFile('fy14_clean.NOHEADER.csv', `${lines.join('\n')}\n`) };
}

const CASES: CsvCase[] = [
  {
    name: 'download CSV with spreadsheet-mangled amounts and dates',
    sourceId: 'usaspending-download',
    file: async () => ownFixture('csv/prime-spreadsheet-mangled.csv'),
    accept: () => ({
      records: ['CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-'],
      rowIssues: [
        { file: 'prime-spreadsheet-mangled.csv', line: 3, field: 'total_obligated_amount' },
        { file: 'prime-spreadsheet-mangled.csv', line: 4, field: 'period_of_performance_start_date' },
      ],
    }),
  },
  {
    name: 'download CSV with a row whose columns shifted',
    sourceId: 'usaspending-download',
    file: async () => ownFixture('csv/prime-shifted-columns.csv'),
    accept: () => ({
      records: ['CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-', 'CONT_AWD_70CDCR22P00000014_7012_-NONE-_-NONE-'],
      rowIssues: [{ file: 'prime-shifted-columns.csv', line: 3 }],
    }),
  },
  {
    name: 'download CSV with a BOM, columns reordered, CRLF/LF mixed and a bare LF inside quotes',
    sourceId: 'usaspending-download',
    file: async () => ownFixture('csv/prime-reordered-bom-mixed-eol.csv'),
    accept: async (result) => {
      // The same three awards, field for field, as the unmodified recording gives.
      const clean = (await cleanImport('usaspending-download', PRIME)).slice(0, 3);
      const byKey = new Map(result.records.map((r) => [recordKey(r), r]));
      for (const record of clean) expect(byKey.get(recordKey(record))).toEqual(record);
      return { records: clean.map(recordKey), rowIssues: [] };
    },
  },
  {
    name: 'download CSV whose quoting breaks (a quote never closes)',
    sourceId: 'usaspending-download',
    file: async () => {
      const [header, first] = (await readFile(PRIME, 'utf8')).split('\r\n');
      return madeFile('broken_Contracts_PrimeAwardSummaries_1.csv', `${header}\r\n${first}\r\nCONT_AWD_X_7012_-NONE-_-NONE-,X,"unterminated\r\n`);
    },
    // csv-parse reports the line where it gave up: for a quote that never closes, the end of the file
    // (line 4), one past the line the broken record starts on (3).
    refuse: { message: /not valid CSV: Quote Not Closed/, line: 4, file: 'broken_Contracts_PrimeAwardSummaries_1.csv' },
  },
  {
    name: 'download CSV that lost required columns',
    sourceId: 'usaspending-download',
    file: async () => ownFixture('csv/prime-missing-columns.csv'),
    refuse: { message: /header lacks required column\(s\): recipient_uei, last_modified_date/, line: 1, file: 'prime-missing-columns.csv' },
  },
  {
    name: 'download CSV re-saved by a spreadsheet: every start date M/D/YYYY',
    sourceId: 'usaspending-download',
    file: async () => {
      const rows = parseCsv(await readFile(PRIME), { bom: true }) as string[][];
      const column = rows[0]!.indexOf('period_of_performance_start_date');
      for (const row of rows.slice(1)) {
        const [y, m, d] = row[column]!.slice(0, 10).split('-').map(Number);
        row[column] = `${m}/${d}/${y}`;
      }
      return madeFile('resaved_Contracts_PrimeAwardSummaries_1.csv', toCsv(rows, { record_delimiter: '\r\n' }));
    },
    refuse: { message: /every row was rejected \(5 row issues\).*period_of_performance_start_date.*is a slash date/, line: 2, file: 'resaved_Contracts_PrimeAwardSummaries_1.csv' },
  },
  {
    name: 'history export with serial dates, a missing cell and a rounded DUNS',
    sourceId: 'usaspending',
    file: async () => ownFixture('csv/history-damaged.NOHEADER.csv'),
    accept: () => ({
      records: ['CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730'],
      rowIssues: [
        { file: 'history-damaged.NOHEADER.csv', line: 2, field: 'action_date' },
        { file: 'history-damaged.NOHEADER.csv', line: 3 },
        { file: 'history-damaged.NOHEADER.csv', line: 4, field: 'recipient_duns' },
      ],
    }),
  },
  {
    name: 'history export with a BOM and CRLF/LF mixed',
    sourceId: 'usaspending',
    file: async () => (await historyBomMixedEol(8)).mixed,
    accept: async (result) => {
      const clean = await cleanImport('usaspending', (await historyBomMixedEol(8)).clean);
      expect(clean.length).toBeGreaterThan(0);
      const byKey = new Map(result.records.map((r) => [recordKey(r), r]));
      // Upserted over the seeded five-year fold: the keys are there, and a fresh import of the file agrees with a clean one.
      for (const record of clean) expect(byKey.has(recordKey(record))).toBe(true);
      const fresh = await cleanImport('usaspending', (await historyBomMixedEol(8)).mixed);
      expect(fresh).toEqual(clean);
      return { records: clean.map(recordKey), rowIssues: [] };
    },
  },
  {
    name: 'history export with a header row added',
    sourceId: 'usaspending',
    file: async () => madeFile('with-header.csv', `${HISTORY_COLUMNS.join(',')}\n${(await readFile(FY14, 'utf8')).split('\n').slice(0, 3).join('\n')}\n`),
    refuse: { message: /this CSV has a header row/, line: 1, file: 'with-header.csv' },
  },
  {
    name: 'history export re-saved by a spreadsheet: every action date a serial number',
    sourceId: 'usaspending',
    file: async () => {
      const rows = (parseCsv(await readFile(FY14), { relax_column_count: true }) as string[][]).slice(0, 6);
      const column = HISTORY_COLUMNS.indexOf('action_date');
      for (const row of rows) row[column] = '41779';
      return madeFile('fy14_serial_dates.NOHEADER.csv', toCsv(rows, { record_delimiter: '\n' }));
    },
    refuse: { message: /every row was rejected \(6 row issues\).*"41779" looks like a spreadsheet serial date/, line: 1, file: 'fy14_serial_dates.NOHEADER.csv' },
  },
];

function keepsPrevious(c: CaseContext, previous: Snapshot, result: UpdateSourceResult): void {
  const now = new Set(result.records.map(recordKey));
  const missing = previous.records.filter((r) => !now.has(recordKey(r)));
  c.keeps('every record of the seeded snapshot is still there', missing.length === 0, missing.map(recordKey).slice(0, 5).join(', '));
}

export function registerCsvFaults(world: () => World): void {
  for (const cc of CASES) {
    faultCase(AREA, `${cc.sourceId}: ${cc.name}`, async (c) => {
      const dataDir = await snapshotOnly(world(), cc.sourceId);
      const source = sources.get(cc.sourceId)!;
      const previous = (await readSnapshot(dataDir, cc.sourceId)) as Snapshot;
      const before = await snapshotState(dataDir, cc.sourceId);
      const file = await cc.file();
      const run = () => updateSource({ source, dataDir, from: [file], now: NOW, log: logTo() });

      if (cc.refuse) {
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SourceFormatError);
        const e = error as SourceFormatError;
        expect(e.sourceId).toBe(cc.sourceId);
        expect(e.message).toMatch(cc.refuse.message);
        if (cc.refuse.line !== undefined) expect(e.details.line).toBe(cc.refuse.line);
        if (cc.refuse.file !== undefined) expect(e.details.file).toBe(cc.refuse.file);
        expect(e.message).toContain(`${basename(file)}, line ${e.details.line}`);
        c.nothingLost('snapshot', before, await snapshotState(dataDir, cc.sourceId));
        return;
      }

      const result = await run();
      const expected = await cc.accept!(result);
      expect(result.rowIssues.map((i) => ({ file: i.file, line: i.line, ...(i.field ? { field: i.field } : {}) }))).toEqual(expected.rowIssues);
      for (const issue of result.rowIssues) expect(issue.message.length).toBeGreaterThan(10);
      expect(result.meta.rowIssues).toBe(expected.rowIssues.length);
      const keys = new Set(result.records.map(recordKey));
      for (const key of expected.records) expect(keys.has(key), key).toBe(true);
      keepsPrevious(c, previous, result);
      // The import is an upsert: it can only add or refresh records.
      expect(result.removed).toBe(0);
      expect(result.records.length).toBe(previous.records.length + result.added);
      // Importing the same file again changes nothing.
      const again = await run();
      expect(again.changed).toBe(false);
    });
  }
}
