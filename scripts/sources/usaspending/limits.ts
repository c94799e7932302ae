/**
 * USAspending's documented limits for the award search, declared once. The fetch reads `LIMITS`; the
 * README's source table lists `LIMIT_LIST`. References are to fedspendingtransparency/usaspending-api.
 */
import { defineLimits } from '../types.ts';

const table = defineLimits({
  pageSize: {
    name: 'page size (limit)',
    value: 100,
    reference: 'common/validator/pagination.py: limit max 100',
  },
  hitTotalCap: {
    name: 'hit total without a cursor',
    value: 10_000,
    reference: 'Elasticsearch 7 counts hits to 10,000 unless track_total_hits is set; spending_by_award derives hasNext from it',
  },
  resultWindow: {
    name: 'offset paging window',
    value: 50_000,
    reference: 'settings.ES_AWARDS_MAX_RESULT_WINDOW: (page - 1) * limit ≥ 50,000 without last_record_* is a 422',
  },
  earliestDate: {
    name: 'earliest time_period date',
    value: '2007-10-01',
    reference: 'settings.API_SEARCH_MIN_DATE; earlier start_date/end_date is refused',
  },
  latestDate: {
    name: 'latest time_period date',
    value: '2027-09-30',
    reference: 'settings.API_MAX_DATE (end of FY2027, raised by USAspending over time); later dates are not searchable',
  },
});

export const LIMITS = table.values;
export const LIMIT_LIST = table.list;
