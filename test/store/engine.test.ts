import { describe, expect, it } from 'vitest';
import { engineTime, withEngine } from '../../scripts/store/engine.ts';
import { StoreError } from '../../scripts/util/errors.ts';

describe('engineTime', () => {
  it('adds up the time spent in engine statements, failed ones included, and nothing else', async () => {
    const before = engineTime();
    await withEngine(async (engine) => {
      const [row] = await engine.all<{ n: number }>('SELECT count(*) AS n FROM range(2000000) t(i) WHERE i % 7 = 0');
      expect(row!.n).toBe(285715);
      const afterQuery = engineTime();
      expect(afterQuery).toBeGreaterThan(before);
      // JavaScript work outside a statement is not the engine's.
      const spin = performance.now();
      while (performance.now() - spin < 30);
      expect(engineTime()).toBe(afterQuery);
      await expect(engine.run('SELECT * FROM no_such_table')).rejects.toBeInstanceOf(StoreError);
      expect(engineTime()).toBeGreaterThan(afterQuery);
    });
  });
});
