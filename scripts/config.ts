import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { IcewatchError } from './util/errors.ts';

export const configSchema = z.strictObject({
  agencies: z
    .array(z.strictObject({ name: z.string(), toptier: z.string(), code: z.string().regex(/^\d{4}$/) }))
    .min(1),
  scope: z.strictObject({
    naicsPrefixes: z.array(z.string().regex(/^\d{2,6}$/)),
    pscPrefixes: z.array(z.string().regex(/^[A-Z0-9]{1,4}$/)),
    minObligated: z.number().nonnegative(),
    lookbackYears: z.number().int().positive(),
  }),
  health: z.strictObject({
    staleAfterDays: z.strictObject({ procurement: z.number().positive(), watchdog: z.number().positive() }),
  }),
  sources: z.record(z.string(), z.boolean()),
  transactions: z
    .strictObject({
      /** The usaspending-transactions source lists each fiscal year from this one to the current one. */
      firstFiscalYear: z.number().int().min(2008),
      /** A company with positive obligations this many days before the as-of date has "recent obligations". */
      recentWindowDays: z.number().int().positive(),
      /** USD in the current or the last fiscal year that makes an unlisted in-scope recipient a candidate. */
      candidateMinObligated: z.number().nonnegative(),
      /** Awards looked up with GET /api/v2/awards/{id}/ per live run (the rest wait for the next run). */
      enrichPerRun: z.number().int().nonnegative(),
    })
    .optional(),
  proposals: z.strictObject({
    maxNewPerRun: z.number().int().nonnegative(),
    maxOpen: z.number().int().nonnegative(),
    draftBelowThreshold: z.boolean(),
    mentionOnlyMinSources: z.number().int().positive(),
    /** Re-open the dashboard issue when a maintainer closed it (default: a closed dashboard stays closed). */
    reopenClosedDashboard: z.boolean().optional(),
  }),
});
export type Config = z.infer<typeof configSchema>;
export type TransactionsConfig = NonNullable<Config['transactions']>;

export const DEFAULT_TRANSACTIONS_CONFIG: TransactionsConfig = {
  firstFiscalYear: 2021,
  recentWindowDays: 365,
  candidateMinObligated: 25000,
  enrichPerRun: 50,
};

/** The `transactions` section, with its defaults when a config predates it. */
export function transactionsConfig(config: Config | undefined): TransactionsConfig {
  return config?.transactions ?? DEFAULT_TRANSACTIONS_CONFIG;
}

export class ConfigError extends IcewatchError {
  override name = 'ConfigError';
}

export async function loadConfig(dataDir: string): Promise<Config> {
  const file = join(dataDir, 'config.yaml');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`${file}: cannot read (${error.code ?? error.message})`);
  });
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(lines.join('\n'));
  }
  return parsed.data;
}
