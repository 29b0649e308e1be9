/** Something a command opened and must close however it ends: a store, a server, a notifier's file. */
export type Close = () => unknown;

/**
 * Runs the command's work, then every close, even after one failed. When the work failed, its error is the one
 * thrown: a close that fails after it (the store cannot close cleanly once it broke) must not take its place. When
 * the work went through, the first close that failed is thrown, since something may not have been written.
 */
export async function runThenClose<T>(closes: readonly Close[], work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await closeEach(closes);
    throw error;
  }
  const closing = await closeEach(closes);
  if (closing !== null) throw closing.error;
  return result;
}

/** Runs every close, even after one failed; the first failure, or null. */
async function closeEach(closes: readonly Close[]): Promise<{ error: unknown } | null> {
  let first: { error: unknown } | null = null;
  for (const close of closes) {
    try {
      await close();
    } catch (error) {
      first ??= { error };
    }
  }
  return first;
}
