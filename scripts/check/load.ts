/**
 * Reading the published files `icewatch check` runs on (the same two files the site's check page fetches),
 * with a message a person can act on when they are missing or are not what this version reads.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IcewatchError } from '../util/errors.ts';
import type { CheckIndex } from './check-index.ts';
import type { PublishedView } from './core.ts';

/** Checks the parts the checker relies on; the browser runs the same check on what it fetched. */
export function assertCheckData(index: unknown, published: unknown, where = 'the published data'): { index: CheckIndex; published: PublishedView } {
  const i = index as Partial<CheckIndex> | null;
  const p = published as Partial<PublishedView> | null;
  if (!i || typeof i !== 'object' || typeof i.schemaVersion !== 'string' || !i.schemaVersion.startsWith('1.') || !Array.isArray(i.companies) || !i.awards || !i.resellerAwards) {
    throw new IcewatchError(`${where}: check-index.json is missing or not version 1.x; run \`icewatch publish\` to regenerate it`);
  }
  if (!p || typeof p !== 'object' || typeof p.asOf !== 'string' || !Array.isArray(p.companies)) {
    throw new IcewatchError(`${where}: companies.json is missing or has no asOf/companies; run \`icewatch publish\` to regenerate it`);
  }
  return { index: i as CheckIndex, published: p as PublishedView };
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new IcewatchError(`${path}: cannot read (${error.code ?? error.message}); run \`icewatch publish\` first`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IcewatchError(`${path}: not JSON (${(error as Error).message}); run \`icewatch publish\` to regenerate it`);
  }
}

export async function loadCheckData(publishedDir: string): Promise<{ index: CheckIndex; published: PublishedView }> {
  const [index, published] = await Promise.all([readJson(join(publishedDir, 'check-index.json')), readJson(join(publishedDir, 'companies.json'))]);
  return assertCheckData(index, published, publishedDir);
}
