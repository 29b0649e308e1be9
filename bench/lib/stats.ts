export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(samples: number[]): Figure {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: sorted.length };
}

/** Runs `measure` `runs` times after one warm-up run and summarizes each named figure it returns. */
export async function repeat<K extends string>(
  runs: number,
  measure: () => Promise<Record<K, number>>,
): Promise<Record<K, Figure>> {
  await measure();
  const samples = new Map<K, number[]>();
  for (let run = 0; run < runs; run += 1) {
    const figures = await measure();
    for (const [name, value] of Object.entries(figures) as [K, number][]) {
      samples.set(name, [...(samples.get(name) ?? []), value]);
    }
  }
  return Object.fromEntries([...samples].map(([name, values]) => [name, summarize(values)])) as Record<K, Figure>;
}

/** Samples the process's resident set size while `work` runs; returns the peak in bytes. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, peakRss };
  } finally {
    clearInterval(timer);
  }
}
