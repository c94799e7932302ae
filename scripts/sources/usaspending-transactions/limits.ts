/**
 * USAspending's documented limits for the transaction search, declared once. The fetch reads `LIMITS`
 * (through schema.ts); the README's source table lists `LIMIT_LIST`. References are to
 * fedspendingtransparency/usaspending-api.
 */
import { defineLimits } from '../types.ts';

const table = defineLimits({
  pageSize: {
    name: 'page size (limit)',
    value: 100,
    reference: 'api_contracts/contracts/v2/search/spending_by_transaction.md: limit max 100',
  },
  resultWindow: {
    name: 'result window',
    value: 50_000,
    reference: 'settings.ES_TRANSACTIONS_MAX_RESULT_WINDOW: page * limit past 50,000 is refused; a listing that reaches it is marked incomplete',
  },
  fiscalYearsFetched: {
    name: 'fiscal years refreshed',
    value: 'current and previous (older complete years are immutable)',
    reference: 'a complete fiscal year is never fetched again',
  },
});

export const LIMITS = table.values;
export const LIMIT_LIST = table.list;
