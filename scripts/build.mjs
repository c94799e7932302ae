/**
 * Bundles the CLI (scripts/cli.ts and everything it imports) into one ES module, dist/cli.mjs, so
 * `npm start` runs plain JavaScript instead of transpiling ~150 TypeScript files with tsx on every start.
 * Packages stay external (resolved from node_modules at run time). `npm run build` and `prepare` (so
 * `npm ci` builds it) run this file; scripts/start.mjs imports `buildCli` to rebuild a stale bundle.
 * Plain JavaScript on purpose: it must run before anything is compiled.
 *
 *   node scripts/build.mjs [--outfile FILE]     (default: dist/cli.mjs)
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, 'dist', 'cli.mjs');

/** Writes the bundle and its source map; each file is renamed into place, so a concurrent start never reads half a file. */
export async function buildCli(outfile = BUNDLE) {
  // Loaded here, not at the top: a start with a fresh bundle never loads esbuild.
  const { build } = await import('esbuild');
  const checkScript = await buildCheckScript(build, outfile);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'scripts', 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
    // The site's check page script, bundled now rather than on every publish (see scripts/check/site-page.ts).
    define: { ICEWATCH_CHECK_SCRIPT: JSON.stringify(checkScript) },
  });
  await mkdir(dirname(outfile), { recursive: true });
  // The map first: a bundle is only ever next to its own map.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith('.mjs')) - Number(b.path.endsWith('.mjs')));
  for (const file of files) {
    const tmp = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.tmp`);
    await writeFile(tmp, file.contents);
    await rename(tmp, file.path);
  }
  return outfile;
}

/**
 * The check page's script, made by the project's own bundler function (scripts/check/site-page.ts, built
 * here to a private module and run once), so the embedded text is what a run from the sources makes.
 */
async function buildCheckScript(build, outfile) {
  const bundler = join(dirname(outfile), `.check-bundler.${process.pid}.mjs`);
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'scripts', 'check', 'site-page.ts')],
    outfile: bundler,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  try {
    const { bundleCheckScript } = await import(pathToFileURL(bundler).href);
    return await bundleCheckScript();
  } finally {
    await rm(bundler, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--outfile');
  const outfile = at > 0 ? resolve(process.argv[at + 1] ?? '') : BUNDLE;
  const started = performance.now();
  await buildCli(outfile);
  process.stderr.write(`built ${outfile} in ${Math.round(performance.now() - started)} ms\n`);
}
