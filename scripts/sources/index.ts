/**
 * The one explicit map of sources. Adding a source means adding a folder and a line here; the README's
 * table of sources is generated from these declarations (`icewatch sources --markdown`).
 */
import { companiesThatWorkWithIceSource } from './companies-that-work-with-ice/index.ts';
import { fpdsSource } from './fpds/index.ts';
import { techqueriaSource } from './techqueria/index.ts';
import { twcTopContractorsSource } from './twc-top-contractors/index.ts';
import type { SourceDefinition } from './types.ts';
import { usaspendingDownloadSource } from './usaspending-download/index.ts';
import { usaspendingTransactionsSource } from './usaspending-transactions/index.ts';
import { usaspendingSource } from './usaspending/index.ts';

export const sources: ReadonlyMap<string, SourceDefinition> = new Map(
  [
    usaspendingSource,
    usaspendingDownloadSource,
    usaspendingTransactionsSource,
    fpdsSource,
    techqueriaSource,
    companiesThatWorkWithIceSource,
    twcTopContractorsSource,
  ].map((source) => [source.id, source]),
);

export function getSource(id: string): SourceDefinition | undefined {
  return sources.get(id);
}
