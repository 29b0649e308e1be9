/**
 * Runs fn over items with at most `limit` calls in flight. Every item gets a settled result in input
 * order, so one failing feed never stops the others.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  const workerCount = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      try {
        // Wrapping in an async call also turns a synchronous throw into a rejection.
        const value = await (async () => fn(items[index] as T, index))();
        results[index] = { status: 'fulfilled', value };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  }
  await Promise.all(Array.from({ length: workerCount }, () => worker()));
  return results;
}

/**
 * Hands values to `flush` in batches that form by themselves: the first value goes at once, and the values added
 * while a flush is under way go together in the next one. One flush at a time, so a batch sees what the previous
 * one wrote. Each returned promise settles with the flush that carried its value.
 */
export function coalescing<T>(flush: (batch: T[]) => Promise<void>): (value: T) => Promise<void> {
  // `failure` is null when the flush went through; an object, so that even a rejection with undefined counts.
  let waiting: { value: T; settle: (failure: { error: unknown } | null) => void }[] = [];
  let running = false;
  const next = (): void => {
    if (running || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    running = true;
    const done = (failure: { error: unknown } | null): void => {
      running = false;
      for (const entry of batch) entry.settle(failure);
      next();
    };
    // Called through an async wrapper so a synchronous throw is a failed flush too, not a stuck queue.
    (async () => flush(batch.map((entry) => entry.value)))().then(
      () => done(null),
      (error: unknown) => done({ error }),
    );
  };
  return (value) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ value, settle: (failure) => (failure ? reject(failure.error) : resolve()) });
      next();
    });
}
