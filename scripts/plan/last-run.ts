/**
 * What the last run concluded, kept in data/state/last-run.json so the next run can say what changed.
 * It holds no dates of its own: a run that changes nothing rewrites it byte for byte.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeIfChanged } from '../util/atomic-fs.ts';
import { StoreError } from '../util/errors.ts';
import { stableStringify } from '../util/stable-json.ts';

export const lastRunStateSchema = z.strictObject({
  schemaVersion: z.literal(1),
  companies: z.record(
    z.string(),
    z.strictObject({
      status: z.enum(['active', 'recent-obligations', 'ended', 'no-record']),
      awardKeys: z.array(z.string()),
    }),
  ),
  lists: z.array(z.strictObject({ source: z.string(), list: z.string(), names: z.array(z.string()) })),
  candidates: z.record(z.string(), z.array(z.string())),
});
export type LastRunState = z.infer<typeof lastRunStateSchema>;

export function lastRunPath(dataDir: string): string {
  return join(dataDir, 'state', 'last-run.json');
}

export async function readLastRun(dataDir: string): Promise<LastRunState | undefined> {
  const file = lastRunPath(dataDir);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StoreError(`${file} is not JSON (${(error as Error).message}); restore it from git (git checkout -- data/state/last-run.json), or delete it to start a new baseline`, { file });
  }
  const parsed = lastRunStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreError(`${file}: ${issue?.path.join('.')}: ${issue?.message} (restore it from git, or delete the file to start a new baseline)`, { file });
  }
  return parsed.data;
}

export async function writeLastRun(dataDir: string, state: LastRunState): Promise<boolean> {
  return writeIfChanged(lastRunPath(dataDir), `${stableStringify(state, 2)}\n`);
}
