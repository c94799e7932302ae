/**
 * Run in a child process by the hard-crash case: an offline pipeline run whose first rename into
 * published/ never returns, so the parent can SIGKILL it with every temp file of the publish staged.
 * Usage: node --import tsx crash-child.ts <dataDir> <reportsDir> <asOf> <now>
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { sep } from 'node:path';

const require = createRequire(import.meta.url);
const fsp = require('node:fs/promises') as { rename: (from: string, to: string) => Promise<void> };
const realRename = fsp.rename;
fsp.rename = async (from, to) => {
  if (String(to).includes(`${sep}published${sep}`)) {
    process.stdout.write('staged\n');
    await new Promise(() => {});
  }
  return realRename(from, to);
};
// ESM imports of node:fs/promises see the patched function only after this.
syncBuiltinESMExports();

const [dataDir, reportsDir, asOf, now] = process.argv.slice(2);
if (!dataDir || !reportsDir || !asOf || !now) throw new Error('usage: crash-child.ts <dataDir> <reportsDir> <asOf> <now>');
const { runPipeline } = await import('../../scripts/pipeline/run.ts');
await runPipeline({ dataDir, reportsDir, asOf, now: new Date(now), offline: true, log: () => {} });
process.stdout.write('finished\n');
