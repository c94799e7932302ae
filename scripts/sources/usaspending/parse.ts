/**
 * Turns raw USAspending files into award records. What a file is, is read from its content, so the
 * same parser serves a live fetch and `fetch --from FILE`:
 * - a spending_by_award page (`results` + `page_metadata`): one record per row, bad rows reported;
 * - an award detail (`generated_unique_award_id` + `category`): one record;
 * - a recipient profile (`recipient_level`): parent facts for the awards of that recipient_id;
 * - anything that is not JSON: the legacy header-less ICE transaction CSV (history.ts).
 * Records are deduplicated on the award key (the most recently modified version wins) and sorted.
 */
import { open, readFile } from 'node:fs/promises';
import { awardRecordSchema, recordKey } from '../../records.ts';
import { stableStringify } from '../../util/stable-json.ts';
import type { AwardRecord, SourceRecord } from '../../records.ts';
import { SourceFormatError } from '../../util/errors.ts';
import type { ParseContext, ParseResult, RawInput, RowIssue } from '../types.ts';
import { parseHistoryCsv } from './history.ts';
import {
  USASPENDING_SOURCE_ID,
  awardDetailSchema,
  firstIssue,
  recipientOverviewSchema,
  searchPageSchema,
  searchRowSchema,
} from './schema.ts';
import type { RecipientParent } from './schema.ts';
import { compareText } from '../../util/text-key.ts';

export type UsaspendingFileKind = 'search-page' | 'award-detail' | 'recipient' | 'history-csv';

/** Classifies one raw file by its content; JSON that is none of the known responses is an error. */
export function detectFileKind(content: string, file: string): { kind: UsaspendingFileKind; data?: unknown } {
  const start = content.replace(/^\uFEFF/, '').trimStart();
  if (!start.startsWith('{') && !start.startsWith('[')) return { kind: 'history-csv' };
  let data: unknown;
  try {
    data = JSON.parse(start);
  } catch (error) {
    throw new SourceFormatError(USASPENDING_SOURCE_ID, `not valid JSON (${(error as Error).message})`, { file });
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const keys = data as Record<string, unknown>;
    if ('results' in keys || 'page_metadata' in keys) return { kind: 'search-page', data };
    if ('generated_unique_award_id' in keys) return { kind: 'award-detail', data };
    if ('recipient_level' in keys) return { kind: 'recipient', data };
  }
  throw new SourceFormatError(
    USASPENDING_SOURCE_ID,
    'not a USAspending response this source knows: expected a spending_by_award page (results, page_metadata), an award (generated_unique_award_id) or a recipient (recipient_level)',
    { file, path: '(root)' },
  );
}

/** Reads only the head of a file: history CSVs are large and are streamed by their own parser. */
async function looksLikeJson(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('{') || head.startsWith('[');
  } finally {
    await handle.close();
  }
}

export interface SearchPageRows {
  page: ReturnType<typeof searchPageSchema.parse>;
  records: AwardRecord[];
  rowIssues: RowIssue[];
}

/** Validates a page's frame (throwing, naming the field) and converts its rows (tolerating bad ones). */
export function readSearchPage(data: unknown, file: string): SearchPageRows {
  const frame = searchPageSchema.safeParse(data);
  if (!frame.success) {
    const { path, message } = firstIssue(frame.error);
    throw new SourceFormatError(USASPENDING_SOURCE_ID, `spending_by_award page has the wrong shape: ${message}`, { file, path });
  }
  const records: AwardRecord[] = [];
  const rowIssues: RowIssue[] = [];
  frame.data.results.forEach((row, index) => {
    const parsed = searchRowSchema.safeParse(row);
    if (parsed.success) {
      records.push(parsed.data);
    } else {
      const { path, message } = firstIssue(parsed.error, ['results', index]);
      const key = typeof row.generated_internal_id === 'string' ? ` (${row.generated_internal_id.slice(0, 80)})` : '';
      rowIssues.push({ file, field: path, message: `${message}${key}` });
    }
  });
  return { page: frame.data, records, rowIssues };
}

export function readAwardDetail(data: unknown, file: string): AwardRecord {
  const parsed = awardDetailSchema.safeParse(data);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error);
    throw new SourceFormatError(USASPENDING_SOURCE_ID, `award detail has the wrong shape: ${message}`, { file, path });
  }
  return parsed.data;
}

export function readRecipient(data: unknown, file: string): RecipientParent {
  const parsed = recipientOverviewSchema.safeParse(data);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error);
    throw new SourceFormatError(USASPENDING_SOURCE_ID, `recipient profile has the wrong shape: ${message}`, { file, path });
  }
  return parsed.data;
}

export async function parseUsaspending(inputs: RawInput[], ctx: ParseContext): Promise<ParseResult> {
  const awards: AwardRecord[] = [];
  const rowIssues: RowIssue[] = [];
  const parents = new Map<string, RecipientParent>();
  const csvInputs: RawInput[] = [];

  for (const input of inputs) {
    const { kind, data } = (await looksLikeJson(input.path)) ? detectFileKind(await readFile(input.path, 'utf8'), input.path) : { kind: 'history-csv' as const, data: undefined };
    switch (kind) {
      case 'search-page': {
        const page = readSearchPage(data, input.path);
        const { limit, results } = page.page;
        if (limit !== undefined && results.length > limit) {
          ctx.log(`${input.path}: ${results.length} results on a page whose limit is ${limit}; all are kept`);
        }
        awards.push(...page.records);
        rowIssues.push(...page.rowIssues);
        break;
      }
      case 'award-detail':
        awards.push(readAwardDetail(data, input.path));
        break;
      case 'recipient': {
        const parent = readRecipient(data, input.path);
        parents.set(parent.recipientId, parent);
        break;
      }
      case 'history-csv':
        csvInputs.push(input);
        break;
    }
  }

  const records: SourceRecord[] = [];
  if (csvInputs.length > 0) {
    const history = await parseHistoryCsv(csvInputs, ctx);
    rowIssues.push(...history.rowIssues);
    for (const record of history.records) {
      if (record.recordType === 'award') awards.push(record);
      else records.push(record);
    }
  }

  // Parsing through the record schema also fixes key order, so a record serializes the same
  // whichever file (or merge of files) it came from.
  const merged = dedupeAwards(awards.map((award) => withParent(award, parents))).map((award) => awardRecordSchema.parse(award));
  records.push(...merged);
  records.sort((a, b) => compareText(sortKey(a), sortKey(b)));
  return { records, rowIssues };
}

/** Fills a recipient's parent from its recipient profile when the award itself did not say. */
export function withParent(award: AwardRecord, parents: ReadonlyMap<string, RecipientParent>): AwardRecord {
  const id = award.recipient.recipientId;
  const parent = id === undefined ? undefined : parents.get(id);
  if (!parent || award.recipient.parentName || !parent.parentName) return award;
  return {
    ...award,
    recipient: {
      ...award.recipient,
      parentName: parent.parentName,
      ...(parent.parentUei ? { parentUei: parent.parentUei } : {}),
      ...(parent.parentDuns ? { parentDuns: parent.parentDuns } : {}),
    },
  };
}

/**
 * One record per award key. The version with the latest lastModified wins (later input on a tie);
 * facts only the other version has (amounts from a detail file, a parent) are kept, but recipient
 * facts only when both versions name the same recipient.
 */
export function dedupeAwards(awards: readonly AwardRecord[]): AwardRecord[] {
  const byKey = new Map<string, AwardRecord>();
  for (const award of awards) {
    const seen = byKey.get(award.awardKey);
    byKey.set(award.awardKey, seen ? mergeAward(seen, award) : award);
  }
  return [...byKey.values()];
}

function mergeAward(earlier: AwardRecord, later: AwardRecord): AwardRecord {
  const stampLater = later.lastModified ?? '';
  const stampEarlier = earlier.lastModified ?? '';
  // On a tie the version that sorts first by content wins, never the one that came later in the input.
  const laterWins = stampLater !== stampEarlier ? stampLater > stampEarlier : stableStringify(later) <= stableStringify(earlier);
  const winner = laterWins ? later : earlier;
  const loser = laterWins ? earlier : later;
  const sameRecipient =
    winner.recipient.uei && loser.recipient.uei
      ? winner.recipient.uei === loser.recipient.uei
      : winner.recipient.name.toUpperCase() === loser.recipient.name.toUpperCase();
  return {
    ...loser,
    ...winner,
    recipient: sameRecipient ? { ...loser.recipient, ...winner.recipient } : winner.recipient,
    amounts: { ...loser.amounts, ...winner.amounts },
  };
}

function sortKey(record: SourceRecord): string {
  return record.recordType === 'mention' ? `${record.list}\u0000${record.name}` : recordKey(record);
}

