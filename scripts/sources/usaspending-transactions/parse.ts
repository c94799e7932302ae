/**
 * Turns raw files into transaction records and per-listing coverage records. What a file is, is read
 * from its content, so a live fetch and `fetch --from` share this parser:
 * - a listing manifest (written by the live fetch): the count the API gave for a listing and its pages;
 * - a spending_by_transaction page (`results` + `page_metadata`);
 * - the dashboard CSV (the recordings): one row per transaction, ICE and CBP in one file.
 *
 * Completeness of a recorded year is derived from the file's own evidence, never from its name: the
 * dashboard pages through a listing sorted by amount, descending, until hasNext is false. A listing that
 * ran to its end therefore finishes with the de-obligations (every complete ICE year has hundreds). A
 * year is declared complete only when its rows are in descending order, include at least one negative
 * amount, and their count is not an exact multiple of the page size (a fetch that stops early stops on a
 * page boundary). Anything else is stored `complete: false` with its rows as a lower bound. A complete
 * year that happens to end on a page boundary is marked incomplete: wrong in the safe direction.
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import type { Config } from '../../config.ts';
import { type CoverageRecord, type SourceRecord, type TransactionRecord } from '../../records.ts';
import { SourceFormatError } from '../../util/errors.ts';
import type { ParseContext, ParseResult, RawInput, RowIssue } from '../types.ts';
import { naicsCodeForTitle } from './naics-titles.ts';
import { compact } from '../../util/compact.ts';
import {
  DASHBOARD_COLUMNS,
  KNOWN_AGENCIES,
  LISTING_MARKER,
  PAGE_SIZE,
  TRANSACTIONS_SOURCE_ID,
  apiPageSchema,
  apiRowSchema,
  dashboardRowSchema,
  firstIssue,
  listingManifestSchema,
  type AwardGroup,
  type ListingManifest,
} from './schema.ts';

/** U.S. federal fiscal year: FY2026 runs 2025-10-01 to 2026-09-30. */
export function fiscalYearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 10 ? year + 1 : year;
}

export function groupOfAwardKey(awardKey: string): AwardGroup {
  return awardKey.startsWith('CONT_IDV_') ? 'idvs' : 'contracts';
}

/** The configured sub-tiers by FPDS code (ICE only without a config). */
function configuredAgencies(config: Config | undefined): Map<string, string> {
  const list = config?.agencies ?? [{ code: KNOWN_AGENCIES.ICE!.code, name: KNOWN_AGENCIES.ICE!.name }];
  return new Map(list.map((a) => [a.code, a.name]));
}

/** Identical rows are real (a listing can hold the same action twice); the counter keeps them apart. */
class KeyCounter {
  private seen = new Map<string, number>();
  /** `base` is `<awardKey>\0<rest>`; the stored key is `<rest>|n` (the award key is a field of its own). */
  next(base: string): string {
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    return `${base.slice(base.indexOf('\u0000') + 1)}|${n}`;
  }
}

function transactionKey(awardKey: string, mod: string | undefined, actionDate: string, obligated: number): string {
  return `${awardKey}\u0000${mod ?? ''}|${actionDate}|${Math.round(obligated * 100)}`;
}

async function head(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

interface Listing {
  manifest: ListingManifest;
  rows: number;
  rejected: number;
  through?: string;
}

export async function parseTransactions(inputs: RawInput[], ctx: ParseContext): Promise<ParseResult> {
  const agencies = configuredAgencies(ctx.config);
  const records: SourceRecord[] = [];
  const rowIssues: RowIssue[] = [];
  const keys = new KeyCounter();
  const jsonInputs: Array<{ input: RawInput; data: unknown }> = [];
  const csvInputs: RawInput[] = [];
  for (const input of inputs) {
    const start = (await head(input.path)).trimStart();
    if (start.startsWith('{')) {
      const text = (await readFile(input.path, 'utf8')).replace(/^\uFEFF/, '');
      try {
        jsonInputs.push({ input, data: JSON.parse(text) });
      } catch (error) {
        throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, `not valid JSON (${(error as Error).message})`, { file: input.origin });
      }
    } else csvInputs.push(input);
  }

  // Manifests first: they say which listing each page belongs to.
  const listingOfPage = new Map<string, Listing>();
  const listings: Listing[] = [];
  for (const { input, data } of jsonInputs) {
    if (!data || typeof data !== 'object' || (data as { kind?: unknown }).kind !== LISTING_MARKER) continue;
    const manifest = listingManifestSchema.safeParse(data);
    if (!manifest.success) {
      const { path, message } = firstIssue(manifest.error);
      throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, `listing manifest has the wrong shape: ${message}`, { file: input.origin, path });
    }
    const listing: Listing = { manifest: manifest.data, rows: 0, rejected: 0 };
    listings.push(listing);
    for (const page of manifest.data.pages) listingOfPage.set(page, listing);
  }

  for (const { input, data } of jsonInputs) {
    if (data && typeof data === 'object' && (data as { kind?: unknown }).kind === LISTING_MARKER) continue;
    const frame = apiPageSchema.safeParse(data);
    if (!frame.success) {
      const { path, message } = firstIssue(frame.error);
      throw new SourceFormatError(
        TRANSACTIONS_SOURCE_ID,
        `not a spending_by_transaction page (expected results and page_metadata.hasNext): ${message}`,
        { file: input.origin, path },
      );
    }
    const listing = listingOfPage.get(basename(input.path));
    frame.data.results.forEach((raw, index) => {
      const row = apiRowSchema.safeParse(raw);
      if (!row.success) {
        const { path, message } = firstIssue(row.error);
        rowIssues.push({ file: input.origin, line: index + 1, field: `results[${index}].${path}`, message });
        if (listing) listing.rejected += 1;
        return;
      }
      const r = row.data;
      const code =
        listing?.manifest.awardingAgencyCode ??
        [...agencies].find(([, name]) => name.toLowerCase() === (r['Awarding Sub Agency'] ?? '').toLowerCase())?.[0];
      if (!code || !agencies.has(code)) return;
      const awardKey = r.generated_internal_id;
      const naicsCode = r.NAICS?.code?.trim() || undefined;
      const pscCode = r.PSC?.code?.trim() || undefined;
      const record = compact<TransactionRecord>({
        recordType: 'transaction',
        source: TRANSACTIONS_SOURCE_ID,
        key: keys.next(transactionKey(awardKey, r.Mod, r['Action Date'], r['Transaction Amount'])),
        awardKey,
        piid: r['Award ID'],
        kind: groupOfAwardKey(awardKey) === 'idvs' ? 'idv' : 'contract',
        fiscalYear: fiscalYearOf(r['Action Date']),
        actionDate: r['Action Date'],
        mod: r.Mod,
        obligated: r['Transaction Amount'],
        recipient: compact({ name: r['Recipient Name'], uei: r['Recipient UEI'], recipientId: r.recipient_id }),
        awardingAgencyCode: code,
        awardType: r['Award Type'],
        naics: naicsCode,
        naicsDescription: r.NAICS?.description?.trim() || undefined,
        psc: pscCode,
        pscDescription: r.PSC?.description?.trim() || undefined,
        description: r['Transaction Description'],
      });
      records.push(record);
      if (listing) {
        listing.rows += 1;
        if (!listing.through || record.actionDate > listing.through) listing.through = record.actionDate;
      }
    });
  }

  for (const listing of listings) records.push(coverageOfListing(listing));

  for (const input of csvInputs) {
    const result = await parseDashboardCsv(input, agencies, keys);
    records.push(...result.records);
    rowIssues.push(...result.rowIssues);
    for (const skipped of result.skippedAgencies) ctx.log(`${TRANSACTIONS_SOURCE_ID}: ${input.origin}: ${skipped}`);
  }
  return { records, rowIssues };
}

function coverageOfListing(listing: Listing): CoverageRecord {
  const m = listing.manifest;
  const complete = !m.stoppedEarly && listing.rejected === 0 && listing.rows >= m.expected;
  const reasons = [
    `spending_by_transaction_count says ${m.expected}; the listing returned ${listing.rows}`,
    ...(listing.rejected > 0 ? [`${listing.rejected} row(s) rejected`] : []),
    ...(m.stoppedEarly ? [m.stoppedEarly] : []),
  ];
  return compact<CoverageRecord>({
    recordType: 'coverage',
    source: TRANSACTIONS_SOURCE_ID,
    awardingAgencyCode: m.awardingAgencyCode,
    fiscalYear: m.fiscalYear,
    group: m.group,
    rows: listing.rows,
    expected: m.expected,
    complete,
    through: listing.through,
    basis: `live listing retrieved ${m.retrievedAt.slice(0, 10)}: ${reasons.join('; ')}`,
  });
}

interface YearEvidence {
  rows: number;
  negatives: number;
  descending: boolean;
  last?: number;
  through?: string;
}

async function parseDashboardCsv(
  input: RawInput,
  agencies: Map<string, string>,
  keys: KeyCounter,
): Promise<{ records: SourceRecord[]; rowIssues: RowIssue[]; skippedAgencies: string[] }> {
  const records: SourceRecord[] = [];
  const rowIssues: RowIssue[] = [];
  const evidence = new Map<string, YearEvidence>();
  const skipped = new Map<string, number>();
  const parser = createReadStream(input.path).pipe(
    parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  let header: string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = record.map((c) => c.trim());
      if (DASHBOARD_COLUMNS.some((c, i) => header![i] !== c)) {
        throw new SourceFormatError(
          TRANSACTIONS_SOURCE_ID,
          `not a transactions CSV this source knows: expected the columns ${DASHBOARD_COLUMNS.join(', ')}; got ${header.slice(0, 12).join(', ').slice(0, 300)}`,
          { file: input.origin, line: 1 },
        );
      }
      continue;
    }
    const line = info.lines;
    if (record.length !== header.length) {
      rowIssues.push({ file: input.origin, line, message: `expected ${header.length} fields, got ${record.length}` });
      continue;
    }
    const row = dashboardRowSchema.safeParse(Object.fromEntries(header.map((h, i) => [h, record[i]])));
    if (!row.success) {
      const { path, message } = firstIssue(row.error);
      rowIssues.push({ file: input.origin, line, field: path, message });
      continue;
    }
    const r = row.data;
    const agency = KNOWN_AGENCIES[r.Agency.toUpperCase()];
    if (!agency) {
      rowIssues.push({ file: input.origin, line, field: 'Agency', message: `unknown agency ${JSON.stringify(r.Agency.slice(0, 20))} (expected ICE or CBP)` });
      continue;
    }
    if (!agencies.has(agency.code)) {
      skipped.set(r.Agency, (skipped.get(r.Agency) ?? 0) + 1);
      continue;
    }
    const awardKey = r['Generated Award ID'];
    const fiscalYear = fiscalYearOf(r['Action Date']);
    const obligated = r['Federal Action Obligation'];
    records.push(
      compact<TransactionRecord>({
        recordType: 'transaction',
        source: TRANSACTIONS_SOURCE_ID,
        key: keys.next(transactionKey(awardKey, r.Modification, r['Action Date'], obligated)),
        awardKey,
        piid: r['Award ID'],
        kind: groupOfAwardKey(awardKey) === 'idvs' ? 'idv' : 'contract',
        fiscalYear,
        actionDate: r['Action Date'],
        mod: r.Modification,
        obligated,
        recipient: { name: r['Recipient Name'] },
        awardingAgencyCode: agency.code,
        naics: naicsCodeForTitle(r['NAICS Description']),
        naicsDescription: r['NAICS Description'],
        pscDescription: r['Product/Service Description'],
        description: r['Transaction Description'],
      }),
    );
    const id = `${agency.code}/${fiscalYear}`;
    const e = evidence.get(id) ?? { rows: 0, negatives: 0, descending: true };
    e.rows += 1;
    if (obligated < 0) e.negatives += 1;
    if (e.last !== undefined && obligated > e.last) e.descending = false;
    e.last = obligated;
    if (!e.through || r['Action Date'] > e.through) e.through = r['Action Date'];
    evidence.set(id, e);
  }
  if (!header) throw new SourceFormatError(TRANSACTIONS_SOURCE_ID, 'empty file: no header', { file: input.origin });
  for (const [id, e] of [...evidence].sort(([a], [b]) => a.localeCompare(b))) {
    const [code, year] = id.split('/') as [string, string];
    records.push(recordedCoverage(code, Number(year), e, input.origin));
  }
  return {
    records,
    rowIssues,
    skippedAgencies: [...skipped].map(([agency, n]) => `${n} ${agency} row(s) skipped (agency not configured in data/config.yaml agencies)`),
  };
}

/** The rule stated at the top of this file, applied to one agency's year of one recording. */
export function recordedCoverage(code: string, fiscalYear: number, e: YearEvidence, origin: string): CoverageRecord {
  const onPageBoundary = e.rows % PAGE_SIZE === 0;
  const complete = e.descending && e.negatives > 0 && !onPageBoundary;
  const facts = [
    `${e.rows} rows${onPageBoundary ? ` (exactly ${e.rows / PAGE_SIZE} pages of ${PAGE_SIZE})` : ''}`,
    `${e.negatives} negative amount(s)`,
    e.descending ? 'sorted by amount, descending' : 'not sorted by amount',
  ];
  const verdict = complete
    ? 'the listing reached its de-obligations and did not stop on a page boundary: taken as complete'
    : 'the listing did not reach its end (a descending listing that ran to the end holds de-obligations and rarely stops on a page boundary): a lower bound, the shortfall is unknown';
  return compact<CoverageRecord>({
    recordType: 'coverage',
    source: TRANSACTIONS_SOURCE_ID,
    awardingAgencyCode: code,
    fiscalYear,
    group: 'contracts',
    rows: e.rows,
    expected: complete ? e.rows : undefined,
    complete,
    through: e.through,
    basis: `recording ${basename(origin)} (award types A–D only): ${facts.join(', ')}; ${verdict}`,
  });
}

