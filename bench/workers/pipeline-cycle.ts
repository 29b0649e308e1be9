/**
 * One local pipeline cycle in a process of its own, so its memory is measured without the bench's feed farm and
 * database in the same heap. Reads a JSON job on stdin, prints a JSON result on stdout.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import type { FeedDefinition } from '../../src/core/feed';
import { systemClock } from '../../src/core/ports';
import { loadStories } from '../../src/detection/index';
import { createHttpFeedFetcher } from '../../src/ingestion/index';
import { runCycle } from '../../src/pipeline/run-cycle';
import { countingNotifier } from '../lib/local-pipeline';

export interface CycleJob {
  endpoint: string;
  tableName: string;
  feeds: FeedDefinition[];
  concurrency: number;
}

export interface CycleResult {
  seconds: number;
  newItems: number;
  outcomes: Record<string, number>;
  /** Peak resident set size of this process, in MB (includes Node, tsx and the AWS SDK). */
  maxRssMb: number;
}

/**
 * This process's own peak resident memory. On Linux, getrusage's maxRSS survives exec, so a child spawned by a big
 * parent reports the parent's size; VmHWM belongs to the address space the exec created.
 */
function peakRssMb(): number {
  try {
    const highWater = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (highWater?.[1]) return Number(highWater[1]) / 1024;
  } catch {
    // Not Linux: fall through to getrusage.
  }
  // maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}

async function main() {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CycleJob;
  const client = createDynamoClient({ endpoint: job.endpoint });
  const deps = {
    store: createDynamoStoryStore({ client, tableName: job.tableName }),
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }),
    clock: systemClock,
    stories: loadStories(),
    notifier: countingNotifier(),
  };
  const started = performance.now();
  const report = await runCycle(deps, job.feeds, { concurrency: job.concurrency, onlyDue: false });
  const seconds = (performance.now() - started) / 1000;
  const outcomes: Record<string, number> = {};
  for (const feed of report.feeds) outcomes[feed.outcome] = (outcomes[feed.outcome] ?? 0) + 1;
  client.destroy();
  const result: CycleResult = {
    seconds,
    newItems: report.analysis.items.length,
    outcomes,
    maxRssMb: peakRssMb(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
