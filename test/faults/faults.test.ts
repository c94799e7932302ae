/**
 * The fault and bad-input suite (issue 7): each case asserts the clear, typed error and that nothing
 * was lost. One file, so that one ledger sees every case and prints the summary table at the end.
 */
import { afterAll, beforeAll, describe, vi } from 'vitest';
import { removeScratch } from './fs-state.ts';
import { results, summaryTable } from './ledger.ts';
import { registerAdversaryContentFaults } from './adversary-content.ts';
import { registerAdversaryStoreFaults } from './adversary-store.ts';
import { registerCsvFaults } from './csv-faults.ts';
import { registerHostileText } from './hostile-text.ts';
import { registerPublishCrashes } from './publish-crash.ts';
import { registerRegistryFaults } from './registry-faults.ts';
import { registerSourceFaults } from './source-faults.ts';
import { buildWorld, type World } from './world.ts';

// Pass-through wrappers, so a case can make one write or rename fail (see fs-faults.ts).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const { fsFaultFor, partialContent } = await import('./fs-faults.ts');
  const writeFile: typeof actual.writeFile = async (path, data, ...rest) => {
    const fault = fsFaultFor('writeFile', String(path));
    if (fault) {
      const partial = partialContent(data);
      if (partial !== undefined) await actual.writeFile(path, partial);
      throw fault;
    }
    return actual.writeFile(path, data, ...rest);
  };
  const rename: typeof actual.rename = async (from, to) => {
    const fault = fsFaultFor('rename', String(to));
    if (fault) throw fault;
    return actual.rename(from, to);
  };
  return { ...actual, default: { ...actual, writeFile, rename }, writeFile, rename };
});

let world: World | undefined;
const theWorld = (): World => {
  if (!world) throw new Error('the seeded world was not built');
  return world;
};

beforeAll(async () => {
  world = await buildWorld();
}, 60_000);

afterAll(async () => {
  console.log(summaryTable(results));
  await removeScratch();
});

describe('sources under fault', () => registerSourceFaults(theWorld));
describe('a crash mid-publish', () => registerPublishCrashes(theWorld));
describe('a bad registry', () => registerRegistryFaults(theWorld));
describe('damaged CSV', () => registerCsvFaults(theWorld));
describe('attacked as an adversary would (issue 15): the store', () => registerAdversaryStoreFaults(theWorld));
describe('attacked as an adversary would (issue 15): content', () => registerAdversaryContentFaults(theWorld));
// Last: its final case checks every log line the cases above produced.
describe('hostile text', () => registerHostileText(theWorld));
