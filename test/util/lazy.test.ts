import { describe, expect, it } from 'vitest';
import { mapAhead, mapLazily } from '../../scripts/util/lazy.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('mapLazily', () => {
  it('maps an item only when the consumer asks for it', () => {
    const seen: number[] = [];
    const mapped = mapLazily([1, 2, 3], (n) => (seen.push(n), n * 2));
    expect(seen).toEqual([]);
    expect(mapped.next().value).toBe(2);
    expect(seen).toEqual([1]);
  });
});

describe('mapAhead', () => {
  it("yields results in the items' order whatever order the calls finish in", async () => {
    const out = await collect(mapAhead([30, 5, 20, 1, 10], 3, async (ms) => (await tick(ms), ms)));
    expect(out).toEqual([30, 5, 20, 1, 10]);
  });

  it('never has more than `ahead` calls in flight', async () => {
    let running = 0;
    let most = 0;
    await collect(
      mapAhead(Array.from({ length: 40 }, (_, i) => i), 4, async (i) => {
        running++;
        most = Math.max(most, running);
        await tick(i % 3);
        running--;
        return i;
      }),
    );
    expect(most).toBe(4);
  });

  it('rethrows a failure in its place, after the results before it, with no unhandled rejection from calls after it', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const got: number[] = [];
      const run = async () => {
        // Item 3 fails at once, while items 1 and 2 are still waiting; item 4 fails later, never awaited.
        for await (const n of mapAhead([1, 2, 3, 4], 4, async (n) => {
          if (n === 3) throw new Error('three failed');
          if (n === 4) {
            await tick(5);
            throw new Error('four failed');
          }
          await tick(20);
          return n;
        })) {
          got.push(n);
        }
      };
      await expect(run()).rejects.toThrow('three failed');
      expect(got).toEqual([1, 2]);
      await tick(30);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
