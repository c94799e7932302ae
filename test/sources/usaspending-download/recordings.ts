/** The real USAspending download recordings (../shared/fixtures) the download tests read. */
import type { RawInput } from '../../../scripts/sources/types.ts';
import { sharedFixture } from '../../helpers/shared-fixtures.ts';

export const PRIME = sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');
export const SUBAWARDS = sharedFixture('usaspending/downloads/ICE_all_after_2020_Contracts_Subawards_2025-03-28_H03M23S17_1.csv');
export const MN_SUBAWARDS = sharedFixture('usaspending/downloads/ICE_mn_Contracts_Subawards_2025-03-21_H19M57S41_1.csv');

export function input(path: string): RawInput {
  return { path, origin: path, retrievedAt: '2025-03-28T00:00:00.000Z' };
}
