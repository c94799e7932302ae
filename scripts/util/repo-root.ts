/**
 * The repository's root folder: the nearest folder above this module that holds a package.json. The same
 * code runs as source (scripts/util/repo-root.ts under tsx or vitest) and bundled (dist/cli.mjs, see
 * scripts/build.mjs), where `import.meta.url` is a different file at a different depth; every path into
 * the repository (package.json, scripts/site/assets, scripts/check/browser.ts) starts from here instead.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function repoRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: icewatch runs from its repository`);
  }
}

/** A path inside the repository, e.g. `repoPath('scripts', 'site', 'assets', 'site.css')`. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
