import { describe, expect, it } from 'vitest';
import { candidateKeys, fuzzyConfidence, nameSimilarity, wordSimilarity } from '../../scripts/match/fuzzy.ts';
import { tokenize } from '../../scripts/match/normalize.ts';

const sim = (a: string, b: string) => nameSimilarity(tokenize(a), tokenize(b));

describe('wordSimilarity', () => {
  it('accepts one slip in a long word with the same start', () => {
    expect(wordSimilarity('thompson', 'thomson')).toBe(0.9);
    expect(wordSimilarity('miscrosoft', 'microsoft')).toBe(0.9);
    expect(wordSimilarity('reuetrs', 'reuters')).toBe(0.9); // neighbours swapped
    expect(wordSimilarity('palantir', 'palantir')).toBe(1);
    expect(wordSimilarity('kuso', 'kusio')).toBe(0.9); // a four-letter slip of a five-letter word
  });

  it('rejects short words, different starts and bigger differences', () => {
    expect(wordSimilarity('dels', 'dell')).toBe(0);
    expect(wordSimilarity('ibn', 'ibm')).toBe(0);
    expect(wordSimilarity('evigilant', 'vigilant')).toBe(0);
    expect(wordSimilarity('clearavenue', 'clear')).toBe(0);
    expect(wordSimilarity('oracles', 'orcale')).toBe(0);
  });
});

describe('nameSimilarity', () => {
  it('is 0 when a distinctive word on either side has no partner', () => {
    expect(sim('ORACLE ELEVATOR', 'Oracle')).toBe(0);
    expect(sim('AMAZON HOSE & RUBBER', 'Amazon')).toBe(0);
    expect(sim('GOOGLE EYES', 'Google')).toBe(0);
    expect(sim('CISCO EAGLE', 'Cisco Systems')).toBe(0);
    expect(sim('IBM SOUTHEAST EMPLOYEES FEDERAL CREDIT UNION', 'IBM')).toBe(0);
    expect(sim('DELLS AUTO BODY', 'Dell')).toBe(0);
  });

  it('is 0 when only generic words agree', () => {
    expect(sim('GLOBAL TECHNOLOGY SERVICES', 'Global Technology Solutions')).toBe(0);
  });

  it('scores generic leftovers and small slips between 0.5 and 1', () => {
    const govt = sim('PALANTIR GOVERNMENT SERVICES', 'Palantir Technologies');
    expect(govt).toBeCloseTo(2 / 2.75, 6);
    const typo = sim('THOMPSON REUTERS SPECIAL SERVICES', 'Thomson Reuters Special Services');
    expect(typo).toBeCloseTo(6.3 / 6.5, 6);
    expect(typo).toBeGreaterThan(govt);
  });
});

describe('candidateKeys', () => {
  it('indexes a word with each one-letter deletion, so one slip always shares a key', () => {
    expect(candidateKeys('covoyn')).toEqual(['covoyn', 'ovoyn', 'cvoyn', 'cooyn', 'covyn', 'covon', 'covoy']);
    expect(candidateKeys('kuso')).toEqual(['kuso']);
    expect(candidateKeys('ibm')).toEqual(['ibm']);
    const shares = (a: string, b: string) => candidateKeys(a).some((k) => candidateKeys(b).includes(k));
    expect(shares('covon', 'covoyn')).toBe(true); // deletion
    expect(shares('thompson', 'thomson')).toBe(true); // insertion
    expect(shares('reuetrs', 'reuters')).toBe(true); // swap
    expect(shares('microsaft', 'microsoft')).toBe(true); // substitution
    expect(shares('oracle', 'orcale')).toBe(true);
    expect(shares('amazon', 'amazing')).toBe(false);
  });
});

describe('fuzzyConfidence', () => {
  it('maps similarity onto the review band and never reaches 0.9', () => {
    expect(fuzzyConfidence(0.49)).toBeUndefined();
    expect(fuzzyConfidence(0.5)).toBe(0.7);
    expect(fuzzyConfidence(0.75)).toBe(0.8);
    expect(fuzzyConfidence(1)).toBe(0.89);
  });
});
