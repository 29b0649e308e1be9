import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../../src/core/concurrency';

describe('mapWithConcurrency', () => {
  it('settles every item in input order even when some reject or throw synchronously', async () => {
    const results = await mapWithConcurrency([1, 2, 3, 4], 2, (value) => {
      if (value === 2) throw new Error('sync');
      if (value === 3) return Promise.reject(new Error('async'));
      return Promise.resolve(value * 10);
    });
    expect(
      results.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message)),
    ).toEqual([10, 'sync', 'async', 40]);
  });

  it('never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    await mapWithConcurrency(
      Array.from({ length: 12 }, (_, index) => index),
      3,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
    );
    expect(peak).toBe(3);
  });

  it('returns an empty list for no items', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
