/**
 * The custom award download's documented limits, declared once (read by the fetch, listed in the
 * README). References are to fedspendingtransparency/usaspending-api.
 */
import { defineLimits } from '../types.ts';

const table = defineLimits({
  maxRangeDays: {
    name: 'date_range length',
    value: 366,
    unit: 'days',
    reference: 'download/v2/request_validations.py: "date_range total days must be within a year"',
  },
  earliestDate: {
    name: 'earliest date',
    value: '2007-10-01',
    reference: 'Custom Award Data offers FY2008 onwards (settings.API_SEARCH_MIN_DATE)',
  },
  totalRows: {
    name: 'row check',
    value: 'status total_rows',
    reference: 'download/v2/download_status.md: total_rows = rows in the CSVs (download_generation.py sums every file, headers excluded)',
  },
});

export const DOWNLOAD_LIMITS = table.values;
export const DOWNLOAD_LIMIT_LIST = table.list;
