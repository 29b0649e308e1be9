/**
 * Builds the production wiring on first use and keeps it for the warm container. A failed build is not cached,
 * so a transient error during a cold start does not poison every later invocation.
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
