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
