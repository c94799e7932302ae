import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMatchInput, runEvaluation, runMatch } from '../../scripts/pipeline/match-command.ts';
import { loadRegistry } from '../../scripts/registry/load.ts';

describe('icewatch match', () => {
  it('reads a date from JSONL and says why a unit did not count before its acquisition', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icewatch-match-'));
    try {
      const file = join(dir, 'rows.jsonl');
      await writeFile(file, '{"name":"VIGILANT SOLUTIONS, INC.","date":"2017-12-21"}\n{"name":"VIGILANT SOLUTIONS, INC.","date":"2019-06-01"}\n');
      const { registry } = await loadRegistry(resolve('data'));
      const [before, after] = runMatch(registry, await readMatchInput(file)).map((l) => JSON.parse(l));
      expect(before.matches).toEqual([]);
      expect(before.notes).toEqual([
        '"Vigilant Solutions" was acquired by motorola-solutions on 2019-01-11, after the record\'s date 2017-12-21: not attributed to motorola-solutions',
      ]);
      expect(after.matches.map((m: { companyId: string; relation: string }) => `${m.companyId}/${m.relation}`)).toEqual(['motorola-solutions/subsidiary']);
      await writeFile(file, '{"name":"X","date":"2019-13"}\n');
      await expect(readMatchInput(file)).rejects.toThrow(/rows\.jsonl:1: .*YYYY-MM-DD/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('scores the dev set at precision 1.000 on every relation', async () => {
    const { registry } = await loadRegistry(resolve('data'));
    const { evaluation, perfect } = runEvaluation(registry, await readMatchInput(resolve('../shared/matching/dev-cases.csv')));
    expect(perfect).toBe(true);
    for (const r of ['direct', 'subsidiary', 'via-reseller'] as const) expect(evaluation.byRelation[r].precision).toBe(1);
  });
});
