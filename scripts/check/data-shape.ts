/** The shape check of the two published files, shared by the CLI (read from disk) and the page (fetched). */
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

