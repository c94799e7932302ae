import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Match } from '../../scripts/match/types.ts';
import type { AttributedAward } from '../../scripts/plan/attribute.ts';
import type { Candidate } from '../../scripts/plan/types.ts';
import { awardsParquet, publishedAwardRows } from '../../scripts/publish/awards-parquet.ts';
import { withEngine } from '../../scripts/store/engine.ts';
import { award } from '../plan/fixtures.ts';

const direct = (companyId: string): Match => ({ companyId, relation: 'direct', confidence: 1, method: 'legal-name', reason: 'test' });

function attributed(key: string, name: string, match: Match): AttributedAward {
  return { award: award({ awardKey: key, recipient: { name } }), match };
}

function candidate(companyId: string, keys: string[]): Candidate {
  return {
    companyId,
    name: companyId.toUpperCase(),
    confidence: 1,
    match: { relation: 'direct', confidence: 1, method: 'legal-name', reason: 'test' },
    awards: keys.map((k) => ({ awardKey: k, piid: k, kind: 'contract', source: 'usaspending', recipientName: companyId.toUpperCase(), url: `https://www.usaspending.gov/award/${k}`, active: false })),
    mentions: [],
    totalObligated: 0,
    because: ['tech-scope-award'],
    isNew: true,
  };
}

async function rowsOf(bytes: Uint8Array): Promise<Array<{ company_kind: string; company_id: string; award_key: string; relation: string }>> {
  const dir = await mkdtemp(join(tmpdir(), 'icewatch-awards-parquet-'));
  try {
    const file = join(dir, 'awards.parquet');
    await writeFile(file, bytes);
    return await withEngine((engine) => engine.all(`SELECT company_kind, company_id, award_key, relation FROM read_parquet('${file}')`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('awards.parquet', () => {
  const a1 = attributed('K2', 'ACME', direct('acme'));
  const a2 = attributed('K1', 'ACME', direct('acme'));
  const viaReseller: AttributedAward = { ...attributed('K0', 'RESELLER INC', direct('acme')), match: { ...direct('acme'), relation: 'via-reseller' } };
  const b1 = attributed('K9', 'BETA', direct('beta'));
  const active = () => true;

  it('is in registry-then-candidate, company, award order however its inputs come, and the same bytes for the same rows', async () => {
    const forward = await awardsParquet(publishedAwardRows([['acme', [a2, a1]], ['beta', [b1]], ['acme', [viaReseller]]], [candidate('zed', ['K5', 'K3']), candidate('yak', ['K4'])], active));
    const backward = await awardsParquet(publishedAwardRows([['beta', [b1]], ['acme', [viaReseller, a1]], ['acme', [a2]]], [candidate('yak', ['K4']), candidate('zed', ['K3', 'K5'])], active));
    expect(Buffer.from(backward).equals(Buffer.from(forward))).toBe(true);
    expect((await rowsOf(forward)).map((r) => `${r.company_kind} ${r.company_id} ${r.award_key} ${r.relation}`)).toEqual([
      'registry acme K0 via-reseller',
      'registry acme K1 direct',
      'registry acme K2 direct',
      'registry beta K9 direct',
      'candidate yak K4 direct',
      'candidate zed K3 direct',
      'candidate zed K5 direct',
    ]);
  });
});
