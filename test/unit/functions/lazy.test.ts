import { describe, expect, it } from 'vitest';
import { lazy } from '../../../functions/lib/lazy';

describe('lazy', () => {
  it('builds once and hands every later call the same instance, as a warm container should', async () => {
    let builds = 0;
    const get = lazy(async () => ({ build: ++builds }));

    const [first, second] = await Promise.all([get(), get()]);
    const third = await get();

    expect(builds).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('builds again after a failed build instead of failing every later invocation', async () => {
    let attempts = 0;
    const get = lazy(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('throttled while reading config');
      return 'ready';
    });

    await expect(get()).rejects.toThrow('throttled while reading config');
    await expect(get()).resolves.toBe('ready');
    expect(attempts).toBe(2);
  });
});
