/**
 * A local USAspending API that behaves like the real one where the award search's contract and code
 * say something a client can get wrong (made by the project, not a recording). Read from
 * fedspendingtransparency/usaspending-api:
 * - api_contracts/contracts/v2/search/spending_by_award.md and spending_by_award_count.md;
 * - search/v2/views/spending_by_award.py: offset paging computes hasNext from Elasticsearch's hit total,
 *   which ES 7 counts only to 10,000 (track_total_hits is never set); with last_record_unique_id +
 *   last_record_sort_value it pages with search_after, fetches limit + 1 hits and says hasNext when the
 *   extra one came; page_metadata.last_record_sort_value is Python's str() of the sort key (epoch
 *   milliseconds for a date field, "None" when there is none); (page - 1) * limit ≥ 50,000 without the
 *   cursor is a 422; only one half of the cursor is an unhandled exception (500);
 * - common/helpers/api_helper.py: award_type_codes from two groups is a 422
 *   (raise_if_award_types_not_valid_subset), a sort key outside the group's mapping or the requested
 *   fields is a 400 (raise_if_sort_key_not_valid);
 * - common/validator/pagination.py: limit 1–100 (above is a 422);
 * - common/pydantic_base_models/time_period.py: dates before 2007-10-01 are a 422.
 * The latest date (settings.API_MAX_DATE, 2027-09-30) is refused here as issue 17 reports it live; the
 * view's TinyShield rule only logs it (helpers._check_datetime_min_max has no max_exception), so
 * `maxDate: 'log'` gives that behaviour instead.
 */
import type { ServerResponse } from 'node:http';
import { startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

// The server's constants are its own, read from upstream, not imported from the client's limits.ts:
// a test server sharing the client's numbers could not catch a wrong one.
export const CONTRACT_CODES = ['A', 'B', 'C', 'D'] as const;
export const IDV_CODES = ['IDV_A', 'IDV_B', 'IDV_B_A', 'IDV_B_B', 'IDV_B_C', 'IDV_C', 'IDV_D', 'IDV_E'] as const;
const API_MAX_DATE = '2027-09-30';
const API_SEARCH_MIN_DATE = '2007-10-01';
const MAX_RESULT_WINDOW = 50_000;
const ES_TRACK_TOTAL_HITS = 10_000;
/** Elasticsearch's sort key for a missing date in ascending order (Long.MAX_VALUE). */
const MISSING_DATE_ASC = '9223372036854775807';
const MISSING_DATE_DESC = '-9223372036854775808';

export interface ServerAward {
  /** awards.id: the search_after tiebreaker and internal_id. */
  id: number;
  group: 'contracts' | 'idvs';
  /** Awarding sub-tier name (the agencies filter matches it). */
  subtier: string;
  /** YYYY-MM-DD or null. */
  lastModified: string | null;
  /** The row as the API writes it, by requested field name ("Award ID", "Recipient Name" …). */
  fields: Record<string, unknown>;
  generatedId: string;
}

/** Fields a group's mapping knows (elasticsearch_lookups contracts_mapping / idv_mapping, abridged). */
const MAPPINGS: Record<ServerAward['group'], ReadonlySet<string>> = {
  contracts: new Set([
    'Award ID', 'Recipient Name', 'Recipient UEI', 'Recipient DUNS Number', 'recipient_id', 'Start Date', 'End Date', 'Award Amount',
    'Total Outlays', 'Description', 'Contract Award Type', 'NAICS', 'PSC', 'Last Modified Date', 'Base Obligation Date', 'Awarding Agency',
    'Awarding Agency Code', 'Awarding Sub Agency', 'Awarding Sub Agency Code', 'generated_internal_id',
  ]),
  idvs: new Set([
    'Award ID', 'Recipient Name', 'Recipient UEI', 'Recipient DUNS Number', 'recipient_id', 'Start Date', 'Last Date to Order', 'Award Amount',
    'Total Outlays', 'Description', 'Contract Award Type', 'NAICS', 'PSC', 'Last Modified Date', 'Base Obligation Date', 'Awarding Agency',
    'Awarding Agency Code', 'Awarding Sub Agency', 'Awarding Sub Agency Code', 'generated_internal_id',
  ]),
};
/** Sort keys the view handles itself, outside raise_if_sort_key_not_valid. */
const OBJECT_SORTS = new Set(['NAICS', 'PSC', 'Recipient UEI', 'Contract Award Type']);
const DATE_SORTS = new Set(['Last Modified Date', 'Start Date', 'End Date', 'Last Date to Order', 'Base Obligation Date']);

export interface UsaspendingServerOptions {
  awards: ServerAward[];
  maxDate?: 'refuse' | 'log';
}

export interface UsaspendingServer {
  server: LocalServer;
  origin: string;
  /** Mutable: tests change awards between requests to model a crawl racing updates. */
  awards: ServerAward[];
  /** Called before each search is answered (after validation), with the request's page number. */
  beforeSearch?: (body: Record<string, unknown>) => void;
  searchBodies(): Record<string, unknown>[];
  countBodies(): Record<string, unknown>[];
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }
}

function send(res: ServerResponse, status: number, data: unknown): void {
  const body = Buffer.from(JSON.stringify(data));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
}

function groupOf(codes: readonly string[]): ServerAward['group'] | undefined {
  if (codes.every((c) => (CONTRACT_CODES as readonly string[]).includes(c))) return 'contracts';
  if (codes.every((c) => (IDV_CODES as readonly string[]).includes(c))) return 'idvs';
  return undefined;
}

interface Filters {
  agencies?: Array<{ type: string; tier: string; name: string }>;
  award_type_codes?: string[];
  time_period?: Array<{ start_date: string; end_date: string; date_type?: string }>;
}

function checkFilters(filters: Filters | undefined, maxDate: 'refuse' | 'log'): Filters {
  if (!filters || typeof filters !== 'object') throw new ApiError(422, { detail: "Missing value: 'filters' is a required field" });
  for (const period of filters.time_period ?? []) {
    for (const key of ['start_date', 'end_date'] as const) {
      const value = period[key];
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ApiError(422, { detail: `Date must be in YYYY-MM-DD format (${key})` });
      if (value < API_SEARCH_MIN_DATE) throw new ApiError(422, { detail: `${key} cannot be earlier than '${API_SEARCH_MIN_DATE}'` });
      if (value > API_MAX_DATE && maxDate === 'refuse') throw new ApiError(422, { detail: `Field 'filters|time_period|${key}' is above max '${API_MAX_DATE}'` });
    }
  }
  return filters;
}

function matches(award: ServerAward, filters: Filters, codes: readonly string[] | undefined): boolean {
  if (codes && !codes.some((code) => (award.group === 'contracts' ? CONTRACT_CODES : IDV_CODES).includes(code as never))) return false;
  const subtiers = (filters.agencies ?? []).filter((a) => a.type === 'awarding' && a.tier === 'subtier').map((a) => a.name);
  if (subtiers.length > 0 && !subtiers.includes(award.subtier)) return false;
  for (const period of filters.time_period ?? []) {
    if (period.date_type === 'last_modified_date') {
      if (award.lastModified === null || award.lastModified < period.start_date || award.lastModified > period.end_date) return false;
    }
  }
  return true;
}

/** The Elasticsearch sort key of one award for the requested sort field, as the server would str() it. */
function sortKey(award: ServerAward, sort: string, order: 'asc' | 'desc'): string {
  const value = sort === 'Last Modified Date' ? award.lastModified : award.fields[sort];
  if (DATE_SORTS.has(sort)) {
    if (value === null || value === undefined) return order === 'asc' ? MISSING_DATE_ASC : MISSING_DATE_DESC;
    return String(Date.parse(`${String(value)}T00:00:00Z`));
  }
  if (value === null || value === undefined) return 'None';
  return String(value);
}

function compareKeys(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function search(body: Record<string, unknown>, awards: readonly ServerAward[], maxDate: 'refuse' | 'log', hook?: (body: Record<string, unknown>) => void): unknown {
  const fields = body.fields;
  if (!Array.isArray(fields) || fields.length === 0) throw new ApiError(422, { detail: 'fields: Field required' });
  const limit = body.limit === undefined ? 10 : body.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw new ApiError(422, { detail: "Field 'limit' value is below min '1'" });
  if (limit > 100) throw new ApiError(422, { detail: "Field 'limit' value '" + limit + "' is above max '100'" });
  const page = body.page === undefined ? 1 : body.page;
  if (typeof page !== 'number' || !Number.isInteger(page) || page < 1) throw new ApiError(422, { detail: 'page: Input should be greater than or equal to 1' });
  const order = body.order === 'asc' ? 'asc' : 'desc';
  const filters = checkFilters(body.filters as Filters | undefined, maxDate);
  const codes = filters.award_type_codes;
  if (!codes || codes.length === 0) throw new ApiError(422, { detail: "Missing value: 'filters|award_type_codes' is a required field" });
  const group = groupOf(codes);
  if (!group) throw new ApiError(422, { message: "'award_type_codes' must only contain types from one group.", award_type_groups: { contracts: CONTRACT_CODES, idvs: IDV_CODES } });
  const sort = typeof body.sort === 'string' ? body.sort : String(fields[0]);
  if (!OBJECT_SORTS.has(sort)) {
    if (!MAPPINGS[group].has(sort)) throw new ApiError(400, { detail: `Sort value '${sort}' not found in ${group === 'contracts' ? 'Contract' : 'IDV'} Award mappings` });
    if (!fields.includes(sort)) throw new ApiError(400, { detail: `Sort value '${sort}' not found in requested fields: ${JSON.stringify(fields)}` });
  }
  const lastId = body.last_record_unique_id;
  const lastSort = body.last_record_sort_value;
  const hasId = lastId !== undefined && lastId !== null;
  const hasSort = lastSort !== undefined && lastSort !== null;
  // The view raises a bare Exception here, which Django turns into a 500.
  if (hasId !== hasSort) throw new ApiError(500, 'Using search_after functionality in Elasticsearch requires both last_record_sort_value and last_record_unique_id.');
  const recordNum = (page - 1) * limit;
  if (recordNum >= MAX_RESULT_WINDOW && !hasId) {
    throw new ApiError(422, {
      detail:
        `Page #${page} with limit ${limit} is over the maximum result limit ${MAX_RESULT_WINDOW}. Please provide the 'last_record_sort_value' and 'last_record_unique_id' to paginate sequentially.`,
    });
  }
  hook?.(body);

  const numeric = DATE_SORTS.has(sort);
  const direction = order === 'asc' ? 1 : -1;
  const hits = awards
    .filter((award) => matches(award, filters, codes))
    .map((award) => ({ award, key: sortKey(award, sort, order) }))
    .sort((a, b) => direction * (compareKeys(a.key, b.key, numeric) || a.award.id - b.award.id));

  let window: typeof hits;
  let hasNext: boolean;
  let offset = 1;
  if (hasId) {
    if (typeof lastSort !== 'string' || typeof lastId !== 'number') throw new ApiError(400, { detail: 'Invalid value in last_record_*' });
    if (numeric && !/^-?\d+$/.test(lastSort)) {
      // Elasticsearch cannot parse the token as a date: a search_phase_execution_exception, a 500 upstream.
      throw new ApiError(500, `failed to parse date field [${lastSort}]`);
    }
    const after = hits.filter(({ award, key }) => direction * (compareKeys(key, lastSort, numeric) || award.id - lastId) > 0);
    window = after.slice(0, limit + 1);
    hasNext = window.length > limit;
    offset = 2;
  } else {
    window = hits.slice(recordNum, recordNum + limit);
    const total = Math.min(hits.length, ES_TRACK_TOTAL_HITS);
    hasNext = total - (page - 1) * limit > limit;
  }
  let lastRecordUniqueId: number | null = null;
  let lastRecordSortValue: string | null = null;
  if (window.length > 0 && hasNext) {
    const last = window[window.length - offset]!;
    lastRecordUniqueId = last.award.id;
    lastRecordSortValue = last.key;
  }
  const results = window.slice(0, limit).map(({ award }) => {
    const row: Record<string, unknown> = { internal_id: award.id };
    for (const field of fields as string[]) row[field] = field === 'Last Modified Date' ? award.lastModified : (award.fields[field] ?? null);
    row.generated_internal_id = award.generatedId;
    return row;
  });
  return {
    spending_level: 'awards',
    limit,
    results,
    page_metadata: { page, hasNext, last_record_unique_id: lastRecordUniqueId, last_record_sort_value: lastRecordSortValue === null ? 'None' : lastRecordSortValue },
    messages: [],
  };
}

function count(body: Record<string, unknown>, awards: readonly ServerAward[], maxDate: 'refuse' | 'log'): unknown {
  const filters = checkFilters(body.filters as Filters | undefined, maxDate);
  const codes = filters.award_type_codes;
  const matching = awards.filter((award) => matches(award, filters, codes && codes.length > 0 ? codes : undefined));
  return {
    results: {
      contracts: matching.filter((a) => a.group === 'contracts').length,
      direct_payments: 0,
      grants: 0,
      idvs: matching.filter((a) => a.group === 'idvs').length,
      loans: 0,
      other: 0,
    },
    spending_level: 'awards',
    messages: [],
  };
}

export const SEARCH = '/api/v2/search/spending_by_award/';
export const COUNT = '/api/v2/search/spending_by_award_count/';

export async function startUsaspendingServer(options: UsaspendingServerOptions): Promise<UsaspendingServer> {
  const server = await startLocalServer();
  const maxDate = options.maxDate ?? 'refuse';
  const api: UsaspendingServer = {
    server,
    origin: server.origin,
    awards: options.awards,
    searchBodies: () => server.requestsTo(SEARCH, 'POST').map((r) => r.json as Record<string, unknown>),
    countBodies: () => server.requestsTo(COUNT, 'POST').map((r) => r.json as Record<string, unknown>),
    close: () => server.close(),
  };
  const answer = (fn: (body: Record<string, unknown>) => unknown) => (res: ServerResponse, ctx: { request: { json: unknown } }) => {
    const body = ctx.request.json;
    try {
      if (!body || typeof body !== 'object') throw new ApiError(400, { detail: 'JSON parse error' });
      send(res, 200, fn(body as Record<string, unknown>));
    } catch (error) {
      if (error instanceof ApiError) send(res, error.status, error.detail);
      else throw error;
    }
  };
  server.route(`POST ${SEARCH}`, answer((body) => search(body, api.awards, maxDate, api.beforeSearch)));
  server.route(`POST ${COUNT}`, answer((body) => count(body, api.awards, maxDate)));
  return api;
}

/** `n` made-up ICE awards of one group in the real row shape, modified on days spread over `days`. */
export function makeAwards(n: number, group: ServerAward['group'], options: { firstId?: number; days?: number; from?: string; subtier?: string } = {}): ServerAward[] {
  const firstId = options.firstId ?? (group === 'contracts' ? 1 : 5_000_000);
  const days = options.days ?? 365;
  const from = Date.parse(`${options.from ?? '2024-01-01'}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => {
    const id = firstId + i;
    const piid = `${group === 'contracts' ? '70CDCR25C' : '70CDCR24D'}${String(id).padStart(8, '0')}`;
    const lastModified = new Date(from + (i % days) * 86_400_000).toISOString().slice(0, 10);
    const generatedId = group === 'contracts' ? `CONT_AWD_${piid}_7012_-NONE-_-NONE-` : `CONT_IDV_${piid}_7012`;
    return {
      id,
      group,
      subtier: options.subtier ?? 'U.S. Immigration and Customs Enforcement',
      lastModified,
      generatedId,
      fields: {
        'Award ID': piid,
        'Recipient Name': `EXAMPLE VENDOR ${id} LLC`,
        'Recipient UEI': `EXMP${String(id).padStart(8, '0')}`,
        'Recipient DUNS Number': null,
        recipient_id: `00000000-0000-0000-0000-${String(id).padStart(12, '0')}-R`,
        'Start Date': '2024-01-01',
        ...(group === 'contracts' ? { 'End Date': '2026-12-31' } : { 'Last Date to Order': '2029-09-30' }),
        'Award Amount': 1000 + id,
        'Total Outlays': null,
        Description: `DETENTION SUPPORT SERVICES ${id}`,
        'Contract Award Type': group === 'contracts' ? 'DEFINITIVE CONTRACT' : 'IDC',
        NAICS: { code: '561210', description: 'FACILITIES SUPPORT SERVICES' },
        PSC: { code: 'S206', description: 'HOUSEKEEPING- GUARD' },
        'Base Obligation Date': '2024-01-01',
        'Awarding Agency': 'Department of Homeland Security',
        'Awarding Agency Code': '070',
        'Awarding Sub Agency': 'U.S. Immigration and Customs Enforcement',
        'Awarding Sub Agency Code': '7012',
      },
    };
  });
}
