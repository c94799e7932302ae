import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Match } from '../../scripts/match/types.ts';
import type { AttributedAward } from '../../scripts/plan/attribute.ts';
import type { Candidate } from '../../scripts/plan/types.ts';
import { AWARDS_CSV_COLUMNS } from '../../scripts/publish/awards-csv-sql.ts';
import { PUBLISHED_AWARD_COLUMNS, publishedAwardCells, publishedAwardRows, writePublishedAwardTables, type PublishedAwardRow } from '../../scripts/publish/awards-parquet.ts';
import { csvChunks } from '../../scripts/publish/csv.ts';
import { formatAmount } from '../../scripts/publish/format.ts';
import { withEngine } from '../../scripts/store/engine.ts';
import { award } from '../plan/fixtures.ts';

const direct = (companyId: string): Match => ({ companyId, relation: 'direct', confidence: 1, method: 'legal-name', reason: 'test' });

function attributed(key: string, name: string, match: Match): AttributedAward {
  return { award: award({ awardKey: key, recipient: { name } }), match };
}

function candidate(companyId: string, keys: string[]): Candidate {
  return {
    companyId,
    name: companyId.toUpperCase(),
    confidence: 1,
    match: { relation: 'direct', confidence: 1, method: 'legal-name', reason: 'test' },
    awards: keys.map((k) => ({ awardKey: k, piid: k, kind: 'contract', source: 'usaspending', recipientName: companyId.toUpperCase(), url: `https://www.usaspending.gov/award/${k}`, active: false })),
    mentions: [],
    totalObligated: 0,
    because: ['tech-scope-award'],
    isNew: true,
  };
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tables(rows: Iterable<PublishedAwardRow>): Promise<{ parquet: Buffer; csv: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-awards-tables-'));
  dirs.push(dir);
  const files = await writePublishedAwardTables(rows, dir);
  return { parquet: await readFile(files.parquet), csv: await readFile(files.csv, 'utf8'), file: files.parquet };
}

async function rowsOf(file: string): Promise<Array<{ company_kind: string; company_id: string; award_key: string; relation: string }>> {
  return withEngine((engine) => engine.all(`SELECT company_kind, company_id, award_key, relation FROM read_parquet('${file}')`));
}

describe('awards.parquet', () => {
  const a1 = attributed('K2', 'ACME', direct('acme'));
  const a2 = attributed('K1', 'ACME', direct('acme'));
  const viaReseller: AttributedAward = { ...attributed('K0', 'RESELLER INC', direct('acme')), match: { ...direct('acme'), relation: 'via-reseller' } };
  const b1 = attributed('K9', 'BETA', direct('beta'));
  const active = () => true;

  it('is in registry-then-candidate, company, award order however its inputs come, and the same bytes for the same rows', async () => {
    const forward = await tables(publishedAwardRows([['acme', [a2, a1]], ['beta', [b1]], ['acme', [viaReseller]]], [candidate('zed', ['K5', 'K3']), candidate('yak', ['K4'])], active));
    const backward = await tables(publishedAwardRows([['beta', [b1]], ['acme', [viaReseller, a1]], ['acme', [a2]]], [candidate('yak', ['K4']), candidate('zed', ['K3', 'K5'])], active));
    expect(backward.parquet.equals(forward.parquet)).toBe(true);
    expect(backward.csv).toBe(forward.csv);
    expect((await rowsOf(forward.file)).map((r) => `${r.company_kind} ${r.company_id} ${r.award_key} ${r.relation}`)).toEqual([
      'registry acme K0 via-reseller',
      'registry acme K1 direct',
      'registry acme K2 direct',
      'registry beta K9 direct',
      'candidate yak K4 direct',
      'candidate zed K3 direct',
      'candidate zed K5 direct',
    ]);
    // awards.csv is the registry's rows only.
    expect(forward.csv.trim().split('\n').slice(1).map((line) => line.split(',')[4])).toEqual(['K0', 'K1', 'K2', 'K9']);
  });

  it("writes awards.csv as the project's JavaScript CSV writer writes the same cells, hostile text and odd numbers included", async () => {
    const hostile = [
      '=cmd|calc',
      '=HYPERLINK("x")',
      '+1',
      '-12.50',
      '-1-2',
      '@SUM(A1)',
      '\tleading tab',
      '\rleading return',
      'comma, inside',
      'PART # 5320831',
      '#leading hash',
      'semi; colon | pipe',
      'quote " inside',
      'line\nbreak',
      'cr\ronly',
      'crlf\r\nend',
      'nul\u0000bell\u0007del\u007fc1\u0085',
      '\u0000=after a control',
      '\u0001',
      ' leading space ',
      'Ünïcödé 東京 🚀',
      '',
    ];
    const amounts: Array<number | undefined> = [1234567.891, -0, 0, -0.004, -1500.5, 0.1 + 0.2, 999999999999.99, undefined, 25000];
    const rows: PublishedAwardRow[] = hostile.map((text, i) => ({
      companyId: `c-${i}`,
      companyKind: 'registry',
      relation: i % 2 ? 'direct' : 'via-reseller',
      confidence: [1, 0.95, 0.9, 0.875, 0.7][i % 5]!,
      method: 'legal-name',
      award: {
        awardKey: `K${i}`,
        piid: text,
        ...(i % 3 ? { parentPiid: text } : {}),
        kind: 'contract',
        source: 'usaspending',
        recipientName: text || 'NAME',
        ...(i % 2 ? { recipientUei: text } : {}),
        ...(amounts[i % amounts.length] === undefined ? {} : { obligated: amounts[i % amounts.length]! }),
        ...(i % 4 ? { potential: -(amounts[(i + 1) % amounts.length] ?? 0) } : {}),
        ...(i % 2 ? { start: '2020-01-01', end: '2021-09-30' } : {}),
        description: text,
        naics: i % 2 ? '541512' : text,
        active: i % 2 === 0,
        url: `https://www.usaspending.gov/award/K${i}`,
      },
    }));
    rows.push({ ...rows[0]!, companyId: 'candidate-only', companyKind: 'candidate' });
    // The reference: csvChunks over the same cells, each formatted as the JavaScript writers format them.
    const at = (name: string) => PUBLISHED_AWARD_COLUMNS.findIndex(([column]) => column === name);
    const expected = [
      ...csvChunks(
        AWARDS_CSV_COLUMNS.map(([header]) => header),
        rows
          .filter((r) => r.companyKind === 'registry')
          .map((row) => {
            const cells = publishedAwardCells(row);
            return AWARDS_CSV_COLUMNS.map(([, staged, as]) => {
              const value = cells[at(staged)];
              if (as === 'confidence') return (value as number).toFixed(2);
              if (as === 'amount') return formatAmount(value as number | undefined);
              return value;
            });
          }),
      ),
    ].join('');
    const { csv } = await tables(rows);
    expect(csv.split('\n')).toEqual(expected.split('\n'));
    expect(csv).toBe(expected);
  });

  it('writes a header-only awards.csv when the registry has no awards', async () => {
    const { csv } = await tables(publishedAwardRows([], [candidate('zed', ['K1'])], active));
    expect(csv).toBe('company_id,relation,confidence,match_method,award_key,piid,parent_piid,kind,recipient_name,recipient_uei,recipient_duns,obligated,potential,start,end,last_date_to_order,active,naics,psc,description,source,url\n');
  });
});
