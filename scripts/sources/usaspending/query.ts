/**
 * The spending_by_award request this source sends. Contracts and IDVs are separate award type
 * groups: the API answers 422 when one request mixes groups (raise_if_award_types_not_valid_subset).
 */
import { LIMITS } from './limits.ts';
import { CONTRACT_AWARD_TYPE_CODES, IDV_AWARD_TYPE_CODES } from './schema.ts';

export const ICE_AGENCY = {
  type: 'awarding',
  tier: 'subtier',
  name: 'U.S. Immigration and Customs Enforcement',
  toptier_name: 'Department of Homeland Security',
} as const;

export type AwardGroup = 'contracts' | 'idvs';

export const AWARD_GROUPS: Record<AwardGroup, readonly string[]> = {
  contracts: CONTRACT_AWARD_TYPE_CODES,
  idvs: IDV_AWARD_TYPE_CODES,
};

const COMMON_FIELDS = [
  'Award ID',
  'Recipient Name',
  'Recipient UEI',
  'Recipient DUNS Number',
  'recipient_id',
  'Start Date',
  'Award Amount',
  'Total Outlays',
  'Description',
  'Contract Award Type',
  'NAICS',
  'PSC',
  'Last Modified Date',
  'Base Obligation Date',
  'Awarding Agency',
  'Awarding Agency Code',
  'Awarding Sub Agency',
  'Awarding Sub Agency Code',
  'generated_internal_id',
] as const;

/** IDVs have no period-of-performance end in the search index; they have a last date to order. */
export const FIELDS: Record<AwardGroup, readonly string[]> = {
  contracts: [...COMMON_FIELDS, 'End Date'],
  idvs: [...COMMON_FIELDS, 'Last Date to Order'],
};

/** Sorting on the modification date keeps an incremental window's newest changes last. */
export const SORT_FIELD = 'Last Modified Date';

/** The API's page size ceiling. */
export const PAGE_SIZE = LIMITS.pageSize;

/**
 * The search_after cursor exactly as the server wrote it in page_metadata: the sort value is the
 * server's str() of Elasticsearch's sort key (epoch milliseconds for a date, "None" for a missing one)
 * and goes back unchanged.
 */
export interface Cursor {
  lastRecordUniqueId: number;
  lastRecordSortValue: string;
}

export interface SearchWindow {
  start: string;
  end: string;
}

/**
 * The last_modified_date window of an incremental crawl, inside the API's searchable dates. A window
 * that starts after the declared latest date cannot be asked at all: the declared limit is out of date.
 */
export function searchWindow(modifiedSince: string, today: string, log: (message: string) => void): SearchWindow {
  const start = modifiedSince < LIMITS.earliestDate ? LIMITS.earliestDate : modifiedSince;
  let end = start > today ? start : today;
  if (start > LIMITS.latestDate) {
    throw new RangeError(
      `the window starts ${start}, after the latest date USAspending searches (${LIMITS.latestDate}, settings.API_MAX_DATE); ` +
        'check the current value upstream and update scripts/sources/usaspending/limits.ts',
    );
  }
  if (end > LIMITS.latestDate) {
    log(`usaspending: end_date capped at ${LIMITS.latestDate} (the API's latest date); if USAspending has raised it, update scripts/sources/usaspending/limits.ts`);
    end = LIMITS.latestDate;
  }
  return { start, end };
}

export interface SearchRequestOptions {
  group: AwardGroup;
  page: number;
  limit: number;
  /** Only awards modified in this window (from searchWindow). */
  window?: SearchWindow;
  cursor?: Cursor;
}

function searchFilters(codes: readonly string[], window: SearchWindow | undefined): Record<string, unknown> {
  return {
    agencies: [ICE_AGENCY],
    award_type_codes: [...codes],
    ...(window ? { time_period: [{ start_date: window.start, end_date: window.end, date_type: 'last_modified_date' }] } : {}),
  };
}

/**
 * POST /api/v2/search/spending_by_award_count/ for the same filters as the crawl, so its per-group
 * counts (results.contracts, results.idvs) can be held against what the crawl brought.
 */
export function countRequestBody(groups: readonly AwardGroup[], window?: SearchWindow): Record<string, unknown> {
  return {
    filters: searchFilters(
      groups.flatMap((group) => AWARD_GROUPS[group]),
      window,
    ),
    spending_level: 'awards',
  };
}

export function searchRequestBody(options: SearchRequestOptions): Record<string, unknown> {
  const filters = searchFilters(AWARD_GROUPS[options.group], options.window);
  return {
    filters,
    fields: FIELDS[options.group],
    limit: options.limit,
    page: options.page,
    sort: SORT_FIELD,
    order: 'asc',
    spending_level: 'awards',
    ...(options.cursor
      ? { last_record_unique_id: options.cursor.lastRecordUniqueId, last_record_sort_value: options.cursor.lastRecordSortValue }
      : {}),
  };
}
