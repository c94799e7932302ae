import { markdownTable } from 'markdown-table';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "$1,234,567.89" — fixed locale so output does not depend on the machine. */
export function formatUsd(value: number | undefined | null): string {
  return value === undefined || value === null ? '' : usd.format(value);
}

/** Amounts in CSV/JSON as plain decimals with two places, never exponent notation. */
export function formatAmount(value: number | undefined | null): string {
  return value === undefined || value === null ? '' : value.toFixed(2);
}

/** GFM table without column padding: the same rendering, far smaller diffs and files. */
export function table(rows: string[][]): string {
  return markdownTable(rows, { alignDelimiters: false });
}
