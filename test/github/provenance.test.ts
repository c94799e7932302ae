import { describe, expect, it } from 'vitest';
import type { AddCompanyProposal } from '../../scripts/plan/types.ts';
import { renderProposal } from '../../scripts/github/render-proposal.ts';
import { stableStringify } from '../../scripts/util/stable-json.ts';
import { madeUpAward, realProposals } from './proposal-fixtures.ts';

/** The same proposal as the plan would build it after a later fetch: new snapshot times and hashes. */
function refetched(p: AddCompanyProposal): AddCompanyProposal {
  const snapshots = p.evidence.snapshots.map((s) => ({ ...s, retrievedAt: '2026-11-28T06:00:00Z', contentHash: 'f'.repeat(64) }));
  const evidence = { ...p.evidence, snapshots };
  return { ...p, evidence, evidenceFile: { ...p.evidenceFile, content: `${stableStringify(evidence, 2)}\n` } };
}

describe('what decides a pull request update', () => {
  const [proposal] = realProposals(1);

  it('ignores snapshot provenance that changes with every fetch', () => {
    const before = renderProposal(proposal!);
    const after = renderProposal(refetched(proposal!));
    expect(after.body).not.toBe(before.body);
    expect(after.body).toContain('2026-11-28T06:00:00Z');
    expect(after.marker.contentHash).toBe(before.marker.contentHash);
  });

  it('still changes when the evidence does', () => {
    const before = renderProposal(proposal!);
    const award = proposal!.evidence.awards[0]!;
    const more: AddCompanyProposal = { ...proposal!, evidence: { ...proposal!.evidence, awards: [...proposal!.evidence.awards, madeUpAward(award, 'X')] } };
    expect(renderProposal(more).marker.contentHash).not.toBe(before.marker.contentHash);
    const amended: AddCompanyProposal = {
      ...proposal!,
      evidence: { ...proposal!.evidence, awards: [{ ...award, obligated: (award.obligated ?? 0) + 1 }, ...proposal!.evidence.awards.slice(1)] },
    };
    expect(renderProposal(amended).marker.contentHash).not.toBe(before.marker.contentHash);
  });
});
