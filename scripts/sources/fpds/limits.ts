/**
 * The FPDS ATOM feed's documented limits, declared once (read by the fetch, listed in the README).
 */
import { defineLimits } from '../types.ts';

const table = defineLimits({
  pageSize: {
    name: 'entries per page',
    value: 10,
    reference: 'FPDS ATOM Feed FAQ: 10 records a request; a shorter page is the last (data-act-broker-backend pull_fpds_data.py)',
  },
  maxStart: {
    name: 'entries per query',
    value: 400_000,
    reference: 'data-act-broker-backend pull_fpds_data.py FPDS_MAX_RETURNED_ENTRIES: rel="last" start beyond it cannot be paged',
  },
  overlapDays: {
    name: 'window overlap',
    value: 1,
    unit: 'day',
    reference: 'FPDS dates are US Eastern; the broker also starts a day before its last run',
  },
});

export const FPDS_LIMITS = table.values;
export const FPDS_LIMIT_LIST = table.list;
