import { describe, expect, it } from 'vitest';
import { compareTransactions, dedupeTransactions, foldTransactions } from '../../../scripts/sources/fpds/fold.ts';
import { fpdsAwardKey } from '../../../scripts/sources/fpds/schema.ts';
import type { FpdsTransaction } from '../../../scripts/sources/fpds/schema.ts';

const KEY = 'CONT_AWD_70CDCR26F99990200_7012_-NONE-_-NONE-';

function tx(overrides: Partial<FpdsTransaction>): FpdsTransaction {
  return {
    kind: 'contract',
    awardKey: KEY,
    piid: '70CDCR26F99990200',
    agencyId: '7012',
    modNumber: '0',
    vendor: { name: 'EXAMPLE VENDOR' },
    ...overrides,
  };
}

describe('fpds award keys', () => {
  it('build USAspending generated_unique_award_id values', () => {
    // Values seen in the USAspending recordings (generated_internal_id / generated_unique_award_id).
    expect(fpdsAwardKey({ kind: 'contract', piid: '80NM0018F0615', agencyId: '8000', parentPiid: '80NM0018D0004', parentAgencyId: '8000' })).toBe(
      'CONT_AWD_80NM0018F0615_8000_80NM0018D0004_8000',
    );
    expect(fpdsAwardKey({ kind: 'contract', piid: '80GSFC18C0008', agencyId: '8000' })).toBe('CONT_AWD_80GSFC18C0008_8000_-NONE-_-NONE-');
    expect(fpdsAwardKey({ kind: 'idv', piid: 'FA304715A0037', agencyId: '9700', parentPiid: 'GS00Q14OADU113' })).toBe('CONT_IDV_FA304715A0037_9700');
    // USAspending upper-cases the whole key.
    expect(fpdsAwardKey({ kind: 'contract', piid: 'h907', agencyId: '9700', parentPiid: 'spe2dx16d1500', parentAgencyId: '9700' })).toBe(
      'CONT_AWD_H907_9700_SPE2DX16D1500_9700',
    );
  });
});

describe('fpds fold', () => {
  it('orders actions by signed date, not by modification number', () => {
    const a = tx({ modNumber: 'P00002', signedAt: '2026-01-05 00:00:00' });
    const b = tx({ modNumber: 'A00001', signedAt: '2026-02-01 00:00:00' });
    const base = tx({ modNumber: '0', signedAt: '2025-12-01 00:00:00' });
    expect([b, a, base].sort(compareTransactions).map((t) => t.modNumber)).toEqual(['0', 'P00002', 'A00001']);
  });

  it('puts the base first among actions signed the same moment', () => {
    const mod = tx({ modNumber: 'P00001', signedAt: '2026-01-05 00:00:00' });
    const base = tx({ modNumber: '0', signedAt: '2026-01-05 00:00:00' });
    expect([mod, base].sort(compareTransactions).map((t) => t.modNumber)).toEqual(['0', 'P00001']);
  });

  it('keeps the latest-modified copy of an action seen twice', () => {
    const older = tx({ modNumber: 'P00001', lastModifiedAt: '2026-01-01 10:00:00', obligatedAmount: 5 });
    const newer = tx({ modNumber: 'P00001', lastModifiedAt: '2026-01-02 10:00:00', obligatedAmount: 7 });
    expect(dedupeTransactions([newer, older]).map((t) => t.obligatedAmount)).toEqual([7]);
    expect(dedupeTransactions([older, newer]).map((t) => t.obligatedAmount)).toEqual([7]);
  });

  it('sums per-action amounts when the latest action has no totals, to the cent', () => {
    const [award] = foldTransactions(
      [
        tx({ modNumber: '0', signedAt: '2026-01-01 00:00:00', obligatedAmount: 0.1, baseAndAllOptionsValue: 10 }),
        tx({ modNumber: 'P00001', signedAt: '2026-02-01 00:00:00', obligatedAmount: 0.2 }),
        tx({ modNumber: 'P00002', signedAt: '2026-03-01 00:00:00', obligatedAmount: -0.05 }),
      ],
      'fpds',
    );
    expect(award?.amounts).toEqual({ obligated: 0.25, potential: 10 });
  });

  it('falls back to an older action for a field the latest leaves empty, and to the latest description without a base', () => {
    const [award] = foldTransactions(
      [
        tx({ modNumber: 'P00003', signedAt: '2026-01-01 00:00:00', naics: '541512', currentCompletionDate: '2026-06-30', description: 'OLDER MOD' }),
        tx({ modNumber: 'P00004', signedAt: '2026-02-01 00:00:00', ultimateCompletionDate: '2027-06-30', description: 'LATEST MOD' }),
      ],
      'fpds',
    );
    expect([award?.naics, award?.end, award?.description]).toEqual(['541512', '2026-06-30', 'LATEST MOD']);
  });

  it('takes the recipient from the latest action as a whole (a novation changes the vendor)', () => {
    const [award] = foldTransactions(
      [
        tx({ modNumber: '0', signedAt: '2024-01-01 00:00:00', vendor: { name: 'OLD VENDOR', uei: 'OLDVENDOR001', duns: '000000001' } }),
        tx({ modNumber: 'P00009', signedAt: '2025-01-01 00:00:00', vendor: { name: 'NEW VENDOR', uei: 'NEWVENDOR001' } }),
      ],
      'fpds',
    );
    expect(award?.recipient).toEqual({ name: 'NEW VENDOR', uei: 'NEWVENDOR001' });
  });

  it('returns records sorted by award key', () => {
    const keys = ['CONT_IDV_B_7012', 'CONT_AWD_Z_7012_-NONE-_-NONE-', 'CONT_AWD_A_7012_-NONE-_-NONE-'];
    const records = foldTransactions(
      keys.map((awardKey) => tx({ awardKey })),
      'fpds',
    );
    expect(records.map((r) => r.awardKey)).toEqual(['CONT_AWD_A_7012_-NONE-_-NONE-', 'CONT_AWD_Z_7012_-NONE-_-NONE-', 'CONT_IDV_B_7012']);
  });
});
