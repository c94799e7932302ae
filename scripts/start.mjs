/**
 * `npm start [-- FLAGS]`: `icewatch run FLAGS` from the compiled bundle (dist/cli.mjs, see scripts/build.mjs).
 * Never stale: when any file or folder under scripts/, or package.json, is newer than the bundle (or it is
 * missing), it is rebuilt first (a fraction of a second). Plain JavaScript, so nothing is transpiled at start.
 */
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE, ROOT, buildCli } from './build.mjs';

function newestMtime(path) {
  const stat = statSync(path);
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
}

const newest = Math.max(newestMtime(join(ROOT, 'scripts')), mtimeOf(join(ROOT, 'package.json')));
if (newest > mtimeOf(BUNDLE)) {
  await buildCli(BUNDLE);
  // A source dated in the future (clock skew, touch) must not make every later start rebuild.
  if (newest > Date.now()) utimesSync(BUNDLE, new Date(), new Date(newest));
  process.stderr.write('icewatch: rebuilt dist/cli.mjs (scripts/ or package.json changed)\n');
}

process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], BUNDLE, 'run', ...process.argv.slice(2)];
await import(pathToFileURL(BUNDLE).href);
