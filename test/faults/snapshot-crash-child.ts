/**
 * Run in a child process by the "killed between the partition renames and the manifest rename" case: an
 * import whose rename of the award store's manifest into place never returns, so the parent can SIGKILL
 * it right at the commit point, with the new partitions renamed and the new manifest staged.
 * Usage: node --import tsx snapshot-crash-child.ts <dataDir> <file> <now>
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const fsp = require('node:fs/promises') as { rename: (from: string, to: string) => Promise<void> };
const realRename = fsp.rename;
fsp.rename = async (from, to) => {
  if (String(to).endsWith('manifest.json') && String(from).endsWith('.tmp')) {
    process.stdout.write('between\n');
    // A timer keeps the process alive: a bare pending promise lets Node exit (code 13) before the kill.
    await new Promise(() => setInterval(() => {}, 1_000));
  }
  return realRename(from, to);
};
syncBuiltinESMExports();

const [dataDir, file, now] = process.argv.slice(2);
if (!dataDir || !file || !now) throw new Error('usage: snapshot-crash-child.ts <dataDir> <file> <now>');
const { updateSource } = await import('../../scripts/snapshots/update-source.ts');
const { sources } = await import('../../scripts/sources/index.ts');
await updateSource({ source: sources.get('usaspending-download')!, dataDir, from: [file], now: new Date(now), log: () => {} });
process.stdout.write('finished\n');
