/**
 * Tech Workers Coalition, "Corporate Targets for Tech Worker Activism Against ICE" (2026-02-22): a table
 * of the top ICE contractors by FY2025 outlays, computed by the author from usaspending.gov custom award
 * data. Each row becomes a `mention` with its rank and exact dollar amount.
 */
import { z } from 'zod';
import type { MentionRecord } from '../../records.ts';
import { plainNameSchema } from '../watchdog/extract.ts';

export const TWC_SOURCE_ID = 'twc-top-contractors';

/** The post on the coalition's site (Jekyll blog collection, /blog/:year/:month/:day/:slug). */
export const TWC_POST_URL = 'https://techworkerscoalition.org/blog/2026/02/22/corporate-targets-for-tech-worker-activism-against-ice';

export const TWC_LIST = 'top-contractors';

const SCALES: Record<string, number> = {
  k: 3,
  thousand: 3,
  m: 6,
  mn: 6,
  mil: 6,
  million: 6,
  b: 9,
  bn: 9,
  billion: 9,
  t: 12,
  tn: 12,
  trillion: 12,
};

const MONEY = /^(?:US)?\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?([a-z]+))?\.?$/i;

/**
 * Dollars from an amount as written ("$9,707,485,430", "$1.2 billion", "$660M", "$12.50"), computed in
 * integers so "$1.2 billion" is exactly 1200000000 and never 1199999999.9999998. Returns undefined for
 * anything else, for sub-cent amounts, and beyond what a double holds exactly in cents.
 */
export function parseDollars(text: string): number | undefined {
  const match = MONEY.exec(text.trim());
  if (!match) return undefined;
  const [, whole = '', fraction = '', unit] = match;
  let scale = 0;
  if (unit !== undefined) {
    const found = SCALES[unit.toLowerCase()];
    if (found === undefined) return undefined;
    scale = found;
  }
  const digits = BigInt(whole.replace(/,/g, '') + fraction);
  // cents = digits × 10^(scale − fraction digits + 2)
  const exponent = scale - fraction.length + 2;
  let cents: bigint;
  if (exponent >= 0) {
    cents = digits * 10n ** BigInt(exponent);
  } else {
    const divisor = 10n ** BigInt(-exponent);
    if (digits % divisor !== 0n) return undefined;
    cents = digits / divisor;
  }
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const dollars = cents / 100n;
  const rest = cents % 100n;
  return rest === 0n ? Number(dollars) : Number(`${dollars}.${rest.toString().padStart(2, '0')}`);
}

export const twcRowSchema = z
  .object({
    name: plainNameSchema,
    amountText: z.string(),
    rank: z.number().int().positive(),
  })
  .transform((row, ctx): MentionRecord | typeof z.NEVER => {
    const amount = parseDollars(row.amountText);
    if (amount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `not an exact dollar amount: ${JSON.stringify(row.amountText.slice(0, 40))}` });
      return z.NEVER;
    }
    return {
      recordType: 'mention',
      source: TWC_SOURCE_ID,
      list: TWC_LIST,
      name: row.name,
      url: TWC_POST_URL,
      rank: row.rank,
      amount,
    };
  });
