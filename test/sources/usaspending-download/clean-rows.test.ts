/**
 * Clean rows skip zod (schema.ts rowParser): the same cell rules decide, so for every row the result must be
 * exactly what the zod schema alone gives. Held to the real recordings row by row, and to a clean row with
 * one cell at a time replaced by the variants a spreadsheet, a hostile source or a truncation produce.
 */
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexHeader, pickColumns, readCsvRows } from '../../../scripts/sources/usaspending-download/csv-reader.ts';
import {
  PRIME_COLUMNS,
  PRIME_REQUIRED_COLUMNS,
  SUBAWARD_COLUMNS,
  SUBAWARD_REQUIRED_COLUMNS,
  DOWNLOAD_COLUMN_RENAMES,
  primeRow,
  subawardRow,
} from '../../../scripts/sources/usaspending-download/schema.ts';
import { toPlainText } from '../../../scripts/util/sanitize.ts';
import { MN_SUBAWARDS, PRIME, SUBAWARDS } from './recordings.ts';

type Parser = typeof primeRow | typeof subawardRow;

function zodOnly(parser: Parser, cells: Record<string, string>) {
  const parsed = parser.schema.safeParse(cells);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, issues: parsed.error.issues.map((i) => [i.path.join('.'), i.message]) };
}

function viaParser(parser: Parser, cells: Record<string, string>) {
  const parsed = parser.parse(cells);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, issues: parsed.error.issues.map((i) => [i.path.join('.'), i.message]) };
}

async function rowsOf(path: string, required: readonly string[], columns: readonly string[]): Promise<Array<Record<string, string>>> {
  const place = { sourceId: 'usaspending-download', file: path };
  const rows: Array<Record<string, string>> = [];
  let index: Map<string, number> | undefined;
  for await (const row of readCsvRows(createReadStream(path), place)) {
    if (!index) index = indexHeader(row.fields, required, place, DOWNLOAD_COLUMN_RENAMES);
    else rows.push(pickColumns(row.fields, index, columns));
  }
  return rows;
}

// What a cell can hold besides a clean value: each is put in every column of a clean row in turn.
const VARIANTS = [
  '',
  ' ',
  '\t',
  '0',
  '-0',
  '-0.00',
  '12.5',
  ' 12.5 ',
  '1,234.00',
  '$1,234',
  '1.23E+06',
  '#VALUE!',
  '########',
  '2025-02-30',
  '2024-02-29',
  '2025-03-28 00:00:00+00',
  '2025-03-28T25:00:00Z',
  '3/28/2025',
  '45744',
  '000123',
  '1234567890',
  'abcdefghijkl',
  'ABCDEFGHIJK1',
  'award',
  'IDV',
  ' idv ',
  'CONT_AWD_X_7012_-NONE-_-NONE-',
  'CONT_IDV_Y_7012',
  'CONT_AWD_ bad',
  'ACME  CORP',
  ' ACME CORP',
  'ACME CORP ',
  'ACME\tCORP',
  'ACME\nCORP',
  'ACME\u00a0CORP',
  'ACME\u200bCORP',
  'ACME\u202eCORP',
  '\ufeffACME',
  'ACMÉ CORP',
  'ＡＣＭＥ',
  '😀 ACME',
  'A'.repeat(60),
  'A'.repeat(61),
  'A '.repeat(150),
  'B'.repeat(301),
  `${'C'.repeat(299)}😀`,
];

describe('clean rows without zod', () => {
  it('give exactly what the zod schema gives on every row of the real recordings', async () => {
    const files: Array<[string, Parser, readonly string[], readonly string[]]> = [
      [PRIME, primeRow, PRIME_REQUIRED_COLUMNS, PRIME_COLUMNS],
      [SUBAWARDS, subawardRow, SUBAWARD_REQUIRED_COLUMNS, SUBAWARD_COLUMNS],
      [MN_SUBAWARDS, subawardRow, SUBAWARD_REQUIRED_COLUMNS, SUBAWARD_COLUMNS],
    ];
    for (const [path, parser, required, columns] of files) {
      const rows = await rowsOf(path, required, columns);
      expect(rows.length).toBeGreaterThan(0);
      let clean = 0;
      for (const cells of rows) {
        const got = viaParser(parser, cells);
        expect(got).toEqual(zodOnly(parser, cells));
        if (got.success) clean++;
      }
      expect(clean).toBeGreaterThan(0);
    }
  });

  it('agree with the zod schema whatever one cell holds', async () => {
    for (const [path, parser, required, columns] of [
      [PRIME, primeRow, PRIME_REQUIRED_COLUMNS, PRIME_COLUMNS],
      [SUBAWARDS, subawardRow, SUBAWARD_REQUIRED_COLUMNS, SUBAWARD_COLUMNS],
    ] as const) {
      const base = (await rowsOf(path, required, columns)).find((cells) => parser.parse(cells).success)!;
      let rejected = 0;
      for (const column of columns) {
        for (const value of VARIANTS) {
          const cells = { ...base, [column]: value };
          const got = viaParser(parser, cells);
          expect({ column, value, got }).toEqual({ column, value, got: zodOnly(parser, cells) });
          if (!got.success) rejected++;
        }
      }
      // The variants do reach both outcomes: some rows are rejected, with the zod schema's reasons.
      expect(rejected).toBeGreaterThan(columns.length);
    }
  });
});

describe('toPlainText on text that is already plain', () => {
  it('returns what the full cleaning returns', () => {
    // A zero-width space forces the full path (it is removed there), so both must give the same text.
    const samples = ['ACME CORP', 'a', 'A  B', ' A', 'A ', 'A\tB', 'x'.repeat(300), 'x'.repeat(301), 'IGF::OT::IGF', '"Q" & <b>', '~!@#$%^&*()_+'];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 12);
      samples.push(Array.from({ length }, () => ' \t!Az~'.charAt(Math.floor(random() * 6))).join(''));
    }
    for (const text of samples) {
      for (const limit of [5, 300]) expect([text, limit, toPlainText(text, limit)]).toEqual([text, limit, toPlainText(`\u200b${text}`, limit)]);
    }
  });
});
