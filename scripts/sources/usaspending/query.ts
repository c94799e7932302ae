/**
 * The spending_by_award request this source sends. Contracts and IDVs are separate award type
 * groups: the API answers 422 when one request mixes groups (raise_if_award_types_not_valid_subset).
 */
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
export const PAGE_SIZE = 100;

/**
 * Elasticsearch result window (settings.ES_AWARDS_MAX_RESULT_WINDOW): a request whose
 * (page - 1) * limit reaches it is a 422 unless it carries the last_record_* cursor.
 */
export const MAX_RESULT_WINDOW = 50_000;

/** time_period start dates before FY2008 are refused by the search endpoints. */
export const EARLIEST_SEARCH_DATE = '2007-10-01';

export interface Cursor {
  lastRecordUniqueId: number;
  lastRecordSortValue: string;
}

export interface SearchRequestOptions {
  group: AwardGroup;
  page: number;
  limit: number;
  /** Only awards modified on or after this date (YYYY-MM-DD). */
  modifiedSince?: string;
  /** End of the modification window (YYYY-MM-DD), normally today. */
  modifiedUntil?: string;
  cursor?: Cursor;
}

export function searchRequestBody(options: SearchRequestOptions): Record<string, unknown> {
  const filters: Record<string, unknown> = {
    agencies: [ICE_AGENCY],
    award_type_codes: AWARD_GROUPS[options.group],
  };
  if (options.modifiedSince) {
    const start = options.modifiedSince < EARLIEST_SEARCH_DATE ? EARLIEST_SEARCH_DATE : options.modifiedSince;
    filters.time_period = [{ start_date: start, end_date: options.modifiedUntil ?? start, date_type: 'last_modified_date' }];
  }
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
