/**
 * The download held to USAspending's own contract: the 2025-03-31 subaward column rename (files from
 * either side parse) and the status's total_rows (a zip with fewer rows is partial).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../../scripts/records.ts';
import { parseDownloadInputs } from '../../../scripts/sources/usaspending-download/parse.ts';
import { DOWNLOAD_COLUMN_RENAMES } from '../../../scripts/sources/usaspending-download/schema.ts';
import { createUsaspendingDownloadSource } from '../../../scripts/sources/usaspending-download/index.ts';
import type { RawInput } from '../../../scripts/sources/types.ts';
import { SourceFormatError } from '../../../scripts/util/errors.ts';
import { createHttpClient } from '../../../scripts/util/http.ts';
import { json, startLocalServer, text } from '../../helpers/local-server.ts';
import { sharedFixture } from '../../helpers/shared-fixtures.ts';
import { makeZip } from './make-zip.ts';

const SUBAWARDS = sharedFixture('usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv');
const FSRS = 'subaward_fsrs_report_last_modified_date';
const SAM = 'subaward_sam_report_last_modified_date';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icewatch-usd-contract-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function input(path: string, extra: Partial<RawInput> = {}): RawInput {
  return { path, origin: path, retrievedAt: '2025-04-02T00:00:00.000Z', ...extra };
}

/** The recording with its header renamed as a download made after 2025-03-31 spells it. */
async function renamedCopy(name: string, rename: (header: string) => string): Promise<string> {
  const content = await readFile(SUBAWARDS, 'utf8');
  const end = content.indexOf('\n');
  const path = join(dir, name);
  await writeFile(path, rename(content.slice(0, end)) + content.slice(end));
  return path;
}

describe('renamed download columns', () => {
  it('declares the fsrs → sam rename once, with its date', () => {
    expect(DOWNLOAD_COLUMN_RENAMES.find((r) => r.current === SAM)).toMatchObject({ previous: FSRS, since: '2025-03-31' });
  });

  it('defect 2: a current subaward file (subaward_sam_report_*) parses like one from before the rename', async () => {
    const header = (await readFile(SUBAWARDS, 'utf8')).split('\n')[0]!;
    expect(header).toContain(FSRS);
    const current = await renamedCopy('ICE_Contracts_Subawards_2025-04-02_H10M00S00_1.csv', (h) => h.replaceAll('subaward_fsrs_report_', 'subaward_sam_report_'));
    const before = await parseDownloadInputs([input(SUBAWARDS)]);
    const after = await parseDownloadInputs([input(current)]);
    expect(after.rowIssues).toEqual([]);
    expect(after.records).toHaveLength(159);
    expect(after.records).toEqual(before.records);
    // The report date still decides which row of an award wins.
    expect((after.records as AwardRecord[]).every((r) => r.awardKey.startsWith('CONT_'))).toBe(true);
  });

  it('a header with neither name names the missing column and its old name', async () => {
    const neither = await renamedCopy('ICE_Contracts_Subawards_2025-04-02_H10M00S00_2.csv', (h) => h.replace(FSRS, 'subaward_report_last_modified'));
    const error = await parseDownloadInputs([input(neither)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceFormatError);
    expect((error as Error).message).toContain(`header lacks required column(s): ${SAM} (called ${FSRS} before 2025-03-31)`);
    expect((error as SourceFormatError).details).toMatchObject({ line: 1 });
  });
});

describe('download status total_rows', () => {
  it('a zip holding fewer rows than its status says is a shortfall; the same count is complete', async () => {
    const zip = await makeZip(join(dir, 'ICE_2025.zip'), [{ name: 'ICE_Contracts_Subawards_2025-03-28_H03M23S17_1.csv', path: SUBAWARDS }]);
    const complete = await parseDownloadInputs([input(zip, { expectedRows: 482 })]);
    expect(complete.shortfalls).toBeUndefined();
    const short = await parseDownloadInputs([input(zip, { expectedRows: 500 })]);
    expect(short.shortfalls).toEqual([{ what: 'ICE_2025.zip (download status total_rows)', expected: 500, got: 482 }]);
    expect(short.records).toHaveLength(159);
  });

  it('the fetch hands total_rows from the finished status to the parser', async () => {
    const zip = await makeZip(join(dir, 'ICE_fetch.zip'), [{ name: 'ICE_Contracts_Subawards_2025-03-28_H03M23S17_1.csv', path: SUBAWARDS }]);
    const server = await startLocalServer();
    try {
      const name = 'ICE_fetch.zip';
      server.route('POST /api/v2/bulk_download/awards/', json({ status_url: server.url(`/api/v2/download/status?file_name=${name}`), file_name: name, file_url: `/files/${name}`, download_request: {} }));
      server.route('/api/v2/download/status', json({ status: 'finished', message: null, file_name: name, file_url: `/files/${name}`, total_size: 100.5, total_columns: 118, total_rows: 600, seconds_elapsed: '3.2' }));
      server.route(`/files/${name}`, text(await readFile(zip), 200, { 'content-type': 'application/zip' }));
      const source = createUsaspendingDownloadSource({ baseUrl: server.origin, startDate: '2025-10-01', pollIntervalMs: 1, maxPollIntervalMs: 1, sleep: async () => {} });
      const http = createHttpClient({ sourceId: source.id, allowedHosts: source.hosts, allowLoopbackHttp: true, retries: 0 });
      const work = await mkdtemp(join(dir, 'work-'));
      const fetched = await source.fetch({ http, workDir: work, now: new Date('2025-11-01T00:00:00Z'), log: () => {} });
      expect(fetched.inputs[0]).toMatchObject({ expectedRows: 600 });
      const parsed = await source.parse(fetched.inputs, { log: () => {} });
      expect(parsed.shortfalls).toEqual([{ what: '01-ICE_fetch.zip (download status total_rows)', expected: 600, got: 482 }]);
    } finally {
      await server.close();
    }
  });
});
