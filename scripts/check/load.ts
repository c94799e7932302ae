/**
 * Reading the published files `icewatch check` runs on (the same two files the site's check page fetches),
 * with a message a person can act on when they are missing or are not what this version reads.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IcewatchError } from '../util/errors.ts';
import type { CheckIndex } from './check-index.ts';
import type { PublishedView } from './core.ts';
import { assertCheckData } from './data-shape.ts';

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
  // Both read at once, but the error reported is always the first file's: which read fails first is a race.
  const [index, published] = await Promise.allSettled([readJson(join(publishedDir, 'check-index.json')), readJson(join(publishedDir, 'companies.json'))]);
  if (index.status === 'rejected') throw index.reason;
  if (published.status === 'rejected') throw published.reason;
  return assertCheckData(index.value, published.value, publishedDir);
}
