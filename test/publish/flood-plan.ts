/** A made plan for the bounded-output tests: a first run over a long history, every section far past what a reader can take in. */
import type { AwardEvidence, Candidate, NewAward, Plan, ReviewItem } from '../../scripts/plan/types.ts';

export function award(i: number, obligated: number): AwardEvidence {
  const key = `CONT_AWD_70CMSD${String(i).padStart(8, '0')}_7012_-NONE-_-NONE-`;
  return { awardKey: key, piid: key.slice(9, 23), kind: 'contract', source: 'usaspending-download', recipientName: 'ACME', obligated, start: '2024-10-01', end: '2026-09-30', active: true, url: `https://www.usaspending.gov/award/${key}` };
}

export function floodPlan(): Plan {
  const newAwards = Array.from({ length: 5000 }, (_, i): NewAward => ({ companyId: `co-${i % 40}`, relation: 'direct', confidence: 0.95, reason: 'legal name', award: award(i, (i * 7919) % 100_000) }));
  const candidates = Array.from({ length: 600 }, (_, i): Candidate => ({
    companyId: `cand-${String(i).padStart(3, '0')}`,
    name: `Candidate <b>${i}</b> | pipe`,
    confidence: 0.95,
    match: { relation: 'direct', confidence: 0.95, method: 'legal-name', reason: 'not in registry' },
    awards: Array.from({ length: i === 0 ? 300 : 2 }, (_, j) => award(100_000 + i * 1000 + j, 1000 + j)),
    mentions: i === 0 ? [{ source: 'watchdog', list: 'companies', name: 'Candidate 0', evidenceUrl: 'https://example.org/list' }] : [],
    totalObligated: 1_000_000 - i,
    because: ['tech-scope-award'],
    isNew: i % 2 === 0,
  }));
  const reviewQueue = Array.from({ length: 3000 }, (_, i): ReviewItem => ({
    kind: 'award',
    name: `VENDOR ${i}`,
    source: 'usaspending-download',
    awardKey: award(200_000 + i, 1).awardKey,
    url: 'https://www.usaspending.gov/award/x',
    matches: i % 3 === 0 ? [] : [{ companyId: 'acme', relation: 'direct', confidence: 0.8, method: 'fuzzy', reason: 'similar' }],
    ...(i % 3 === 0 ? { note: 'acquired later' } : {}),
  }));
  const added = Array.from({ length: 20_000 }, (_, i) => `Defaced Name ${i}`);
  return {
    asOf: '2026-12-01',
    sources: [],
    candidates,
    newAwards,
    transitions: [],
    listChanges: [{ source: 'watchdog', list: 'companies', added, removed: ['Gone Inc'], needsReview: true }],
    reviewQueue,
    proposals: [],
  };
}
