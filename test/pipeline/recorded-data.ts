import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RECORDED_IMPORTS, TECHQUERIA_VERSIONS } from '../../scripts/pipeline/import-recordings.ts';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';

export const REPO = resolve(import.meta.dirname, '../..');

/**
 * A data directory with the real registry and config and snapshots imported from the recordings, the
 * way `icewatch import-recordings` builds the committed ones (latest Techqueria version only).
 */
export async function recordedDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-data-'));
  await cp(join(REPO, 'data/registry'), join(dir, 'registry'), { recursive: true });
  await cp(join(REPO, 'data/config.yaml'), join(dir, 'config.yaml'));
  const latestTechqueria = TECHQUERIA_VERSIONS[TECHQUERIA_VERSIONS.length - 1]![1];
  const imports: Array<[string, string[]]> = [...RECORDED_IMPORTS, ['techqueria', [latestTechqueria]]];
  for (const [id, files] of imports) {
    const from = files.map((f) => sharedFixture(f));
    await updateSource({ source: sources.get(id)!, dataDir: dir, from, now: new Date('2026-11-27T12:00:00Z') });
  }
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
