import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Real recordings live beside the repo in ../shared/fixtures and are never copied into it. */
export const SHARED_FIXTURES = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/fixtures');

export function sharedFixture(relativePath: string): string {
  return resolve(SHARED_FIXTURES, relativePath);
}

/** Fixtures the project made itself (edited or broken variants), under test/fixtures. */
export function ownFixture(relativePath: string): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '../fixtures', relativePath);
}
