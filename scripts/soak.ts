/**
 * Soak test of the local pipeline: many loopback feeds, several poll cycles, some feeds gaining items each cycle.
 *
 *   npm run soak -- [--feeds 1000] [--items 100] [--cycles 4] [--changed-share 0.2] [--new-items 5]
 *                   [--concurrency 16] [--chunk 20] [--max-seconds 600]
 *
 * Runs runCycle (real HTTP fetcher, in-memory dynalite, a counting notifier) and checks, as it goes:
 * every new item is analyzed exactly once per appearance and stored once (item rows = unique items), no alert is
 * published twice, and the heap after GC does not grow from cycle to cycle. The store and the feed server run in
 * child processes, so the heap measured here is the pipeline's alone: the in-memory table is supposed to grow.
 * The time bound is checked between chunks of feeds; when it runs out the script says exactly how far it got.
 * Exit code 1 when a check fails, 0 otherwise (also when stopped early: the figures say so).
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { farmFeeds } from '../bench/lib/local-pipeline';
import { createDynamoClient } from '../src/adapters/dynamodb/client';
import { ensureTable } from '../src/adapters/dynamodb/schema';
import { createDynamoStoryStore } from '../src/adapters/dynamodb/store';
import type { FeedDefinition } from '../src/core/feed';
import type { AlertNotifier } from '../src/core/ports';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createHttpFeedFetcher } from '../src/ingestion/fetcher';
import { type CycleDeps, runCycle } from '../src/pipeline/run-cycle';
import { ask, serveChild, startChild } from './lib/soak-children';
import {
  type CycleFigures,
  cycleRow,
  emptyFigures,
  format,
  fullCycleProblems,
  partialCycleProblems,
  stopNotice,
} from './lib/soak-figures';

// The SDK's notice that it will soon need Node 22 would interleave with the figures; the code runs on both.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MB = 1024 * 1024;
const SCRIPT = fileURLToPath(import.meta.url);
const TABLE = 'storywatch-soak';

interface SoakOptions {
  feeds: number;
  items: number;
  cycles: number;
  changedShare: number;
  newItems: number;
  concurrency: number;
  chunk: number;
  maxSeconds: number;
}

function readOptions(): SoakOptions {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      feeds: { type: 'string', default: '1000' },
      items: { type: 'string', default: '100' },
      cycles: { type: 'string', default: '4' },
      'changed-share': { type: 'string', default: '0.2' },
      'new-items': { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '16' },
      chunk: { type: 'string', default: '20' },
      'max-seconds': { type: 'string', default: '600' },
      role: { type: 'string' },
    },
  });
  const number = (name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be in [${min}, ${max}]`);
    return value;
  };
  return {
    feeds: Math.floor(number('feeds', 1)),
    items: Math.floor(number('items', 1, 1_000)),
    cycles: Math.floor(number('cycles', 1)),
    changedShare: number('changed-share', 0, 1),
    newItems: Math.floor(number('new-items', 0, 1_000)),
    concurrency: Math.floor(number('concurrency', 1, 256)),
    chunk: Math.floor(number('chunk', 1)),
    maxSeconds: number('max-seconds', 1),
  };
}

/** Counts publishes per alert id: a second publish of one id is a duplicate alert. */
function countingNotifier(): AlertNotifier & { byId: Map<string, number> } {
  const byId = new Map<string, number>();
  return {
    byId,
    async publish(alert) {
      byId.set(alert.id, (byId.get(alert.id) ?? 0) + 1);
    },
  };
}

function measureHeap(): { heapMB: number; rssMB: number } {
  const collect = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass may only queue finalizers that free more on the second.
  collect?.();
  collect?.();
  const usage = process.memoryUsage();
  return { heapMB: usage.heapUsed / MB, rssMB: usage.rss / MB };
}

/** Deterministic choice of the feeds that change in a cycle, spread over the whole range. */
function changingFeeds(feeds: number, share: number, cycle: number): number[] {
  const count = Math.round(feeds * share);
  const step = feeds / Math.max(count, 1);
  const offset = cycle % Math.max(Math.floor(step), 1);
  return Array.from({ length: count }, (_, index) => Math.min(feeds - 1, Math.floor(index * step) + offset));
}

async function run(): Promise<number> {
  const options = readOptions();
  const started = performance.now();
  if (!(globalThis as { gc?: () => void }).gc) {
    process.stdout.write(
      'note: no --expose-gc; heap figures include garbage (run: node --expose-gc --import tsx ...)\n',
    );
  }
  const [store, farm] = await Promise.all([
    startChild(SCRIPT, 'store'),
    startChild(SCRIPT, 'farm', { SOAK_FEEDS: String(options.feeds), SOAK_ITEMS: String(options.items) }),
  ]);
  const client = createDynamoClient({ endpoint: store.url });
  const problems: string[] = [];
  try {
    await ensureTable(client, TABLE);
    const notifier = countingNotifier();
    const soak: Soak = {
      options,
      deadline: started + options.maxSeconds * 1000,
      farm,
      deps: {
        store: createDynamoStoryStore({ client, tableName: TABLE }),
        fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }),
        clock: systemClock,
        stories: loadStories(),
        notifier,
      },
      feeds: farmFeeds(options.feeds, (index) => `${farm.url}/feed/${index}.xml`),
      generation: Array.from({ length: options.feeds }, () => 0),
      newestSeen: Array.from({ length: options.feeds }, () => -1),
      problems,
    };
    printHeader(options);
    const figures = await pollCycles(soak);
    const stored = await checkStored(
      soak,
      client,
      notifier,
      sum(figures, (entry) => entry.expectedNewItems),
    );
    const farmStats = await ask(farm.child, { stats: true });
    const requests = 'stats' in farmStats ? farmStats.stats : { requests: 0, notModified: 0 };
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(summaryOf(soak, stored, requests, figures, seconds));
    checkHeapGrowth(soak, figures);
  } finally {
    client.destroy();
    store.child.disconnect();
    farm.child.disconnect();
  }
  if (problems.length > 0) {
    process.stdout.write(`\nFAILED:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write('\nall checks passed\n');
  return 0;
}

/**
 * The run's moving parts, and what the parent knows the farm serves: per feed, its generation and the newest serial
 * already fetched.
 */
interface Soak {
  options: SoakOptions;
  /** performance.now() past which no further chunk of feeds is polled. */
  deadline: number;
  farm: { child: ChildProcess; url: string };
  deps: CycleDeps;
  feeds: FeedDefinition[];
  generation: number[];
  newestSeen: number[];
  problems: string[];
}

const sum = <T>(values: T[], of: (value: T) => number) => values.reduce((total, value) => total + of(value), 0);

function printHeader(options: SoakOptions): void {
  process.stdout.write(
    `soak: ${options.feeds} feeds x ${options.items} items, ${options.cycles} cycles, ` +
      `${Math.round(options.changedShare * 100)}% of feeds +${options.newItems} items per later cycle, ` +
      `concurrency ${options.concurrency}, chunks of ${options.chunk} feeds, bound ${options.maxSeconds} s\n\n`,
  );
  process.stdout.write('cycle  polled  changed   304  failed  new items  expected   items/s  heap MB  rss MB\n');
}

/** Every cycle, or as far as the time bound lets it go; the cut-off cycle's figures come last. */
async function pollCycles(soak: Soak): Promise<CycleFigures[]> {
  const { options, problems } = soak;
  const figures: CycleFigures[] = [];
  for (let cycle = 1; cycle <= options.cycles; cycle += 1) {
    if (cycle > 1) await advanceFarm(soak, cycle);
    const { current, stopped } = await pollCycle(soak, cycle);
    figures.push(current);
    if (stopped) {
      process.stdout.write(stopNotice(current, options, figures.length - 1));
      problems.push(...partialCycleProblems(current));
      break;
    }
    problems.push(...fullCycleProblems(current));
    process.stdout.write(cycleRow(current));
  }
  return figures;
}

/** The cycle's share of feeds gains new items at the farm, and the parent's count of what each serves follows. */
async function advanceFarm(soak: Soak, cycle: number): Promise<void> {
  const { options } = soak;
  const changing = changingFeeds(options.feeds, options.changedShare, cycle);
  await ask(soak.farm.child, { advance: { newItems: options.newItems, feeds: changing } });
  for (const index of changing) soak.generation[index] = (soak.generation[index] ?? 0) + options.newItems;
}

/** One cycle over every feed, chunk by chunk; stopped when the time bound ran out between two chunks. */
async function pollCycle(soak: Soak, cycle: number): Promise<{ current: CycleFigures; stopped: boolean }> {
  const { options, feeds } = soak;
  const cycleStarted = performance.now();
  const current = emptyFigures(cycle);
  let stopped = false;
  for (let first = 0; first < feeds.length; first += options.chunk) {
    if (performance.now() > soak.deadline) {
      stopped = true;
      break;
    }
    const chunk = feeds.slice(first, first + options.chunk);
    const report = await runCycle(soak.deps, chunk, { concurrency: options.concurrency, onlyDue: false });
    for (let index = first; index < first + chunk.length; index += 1) {
      const newest = (soak.generation[index] ?? 0) + options.items - 1;
      const oldestServed = soak.generation[index] ?? 0;
      current.expectedNewItems += Math.max(0, newest - Math.max(soak.newestSeen[index] ?? -1, oldestServed - 1));
      soak.newestSeen[index] = newest;
    }
    current.feedsPolled += chunk.length;
    current.feedsChanged += report.feeds.filter((feed) => feed.outcome === 'changed').length;
    current.feedsNotModified += report.feeds.filter((feed) => feed.outcome === 'not_modified').length;
    current.feedsFailed += report.feeds.filter((feed) => feed.outcome === 'failed').length;
    current.newItems += report.analysis.items.length;
    for (const failure of report.published.failed) soak.problems.push(`alert ${failure.alertId} failed to publish`);
  }
  current.seconds = (performance.now() - cycleStarted) / 1000;
  Object.assign(current, measureHeap());
  return { current, stopped };
}

interface StoredCounts {
  itemRows: number;
  expectedUniqueItems: number;
  countSeconds: number;
  published: number;
  duplicateAlerts: number;
  storedAlerts: number;
  pendingAlerts: number;
}

/** Counted in the table itself, past the pipeline, so a duplicate or a lost row cannot hide in a report. */
async function checkStored(
  { deps, problems }: Soak,
  client: ReturnType<typeof createDynamoClient>,
  notifier: ReturnType<typeof countingNotifier>,
  expectedUniqueItems: number,
): Promise<StoredCounts> {
  const countStarted = performance.now();
  const itemRows = await countRows(client, 'ITEM#');
  const countSeconds = (performance.now() - countStarted) / 1000;
  if (itemRows !== expectedUniqueItems) {
    problems.push(`${itemRows} item rows in the table, ${expectedUniqueItems} unique items served`);
  }
  const duplicateAlerts = [...notifier.byId.values()].filter((count) => count > 1).length;
  if (duplicateAlerts > 0) problems.push(`${duplicateAlerts} alerts published more than once`);
  const storedAlerts = await deps.store.listAlerts();
  const pendingAlerts = storedAlerts.filter((alert) => alert.status === 'pending').length;
  if (storedAlerts.length !== notifier.byId.size) {
    problems.push(`${storedAlerts.length} alerts stored, ${notifier.byId.size} published`);
  }
  if (pendingAlerts > 0) problems.push(`${pendingAlerts} alerts still pending`);
  const published = notifier.byId.size;
  return {
    itemRows,
    expectedUniqueItems,
    countSeconds,
    published,
    duplicateAlerts,
    storedAlerts: storedAlerts.length,
    pendingAlerts,
  };
}

/** The first cycle warms up V8 and module caches; growth is measured from the second full cycle on. */
function heapGrowthOf(soak: Soak, figures: CycleFigures[]) {
  const steady = figures.filter((entry) => entry.feedsPolled === soak.options.feeds).slice(1);
  const growth = steady.length >= 2 ? (steady.at(-1)?.heapMB ?? 0) - (steady[0]?.heapMB ?? 0) : null;
  return { growth, firstSteadyMB: steady[0]?.heapMB ?? 0 };
}

function summaryOf(
  soak: Soak,
  stored: StoredCounts,
  requests: { requests: number; notModified: number },
  figures: CycleFigures[],
  seconds: number,
): string {
  const { growth } = heapGrowthOf(soak, figures);
  const totalItems = sum(figures, (entry) => entry.newItems);
  return (
    `\nitems stored: ${stored.itemRows} rows for ${stored.expectedUniqueItems} unique items served ` +
    `(table count took ${format(stored.countSeconds)} s)\n` +
    `alerts: ${stored.published} published, ${stored.duplicateAlerts} published twice, ${stored.storedAlerts} stored, ` +
    `${stored.pendingAlerts} pending\n` +
    `feed requests: ${requests.requests} (${requests.notModified} answered 304)\n` +
    `heap after GC per cycle (MB): ${figures.map((entry) => format(entry.heapMB)).join(', ')}` +
    (growth === null ? ' (too few full cycles to judge growth)\n' : `; growth after warm-up ${format(growth)} MB\n`) +
    `throughput: ${totalItems} items analyzed in ${format(seconds)} s ` +
    `(${format(totalItems / Math.max(seconds, 0.001))} items/s overall)\n`
  );
}

function checkHeapGrowth(soak: Soak, figures: CycleFigures[]): void {
  const { growth, firstSteadyMB } = heapGrowthOf(soak, figures);
  // Flat means no per-item retention: 100 k items leaking even 100 bytes each would add ~10 MB.
  const allowedGrowthMB = Math.max(8, firstSteadyMB * 0.15);
  if (growth !== null && growth > allowedGrowthMB) {
    soak.problems.push(`heap grew ${format(growth)} MB across steady cycles (allowed ${format(allowedGrowthMB)} MB)`);
  }
}

async function countRows(client: ReturnType<typeof createDynamoClient>, prefix: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: TABLE,
        Select: 'COUNT',
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': { S: prefix } },
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey as typeof startKey;
  } while (startKey);
  return count;
}

const role = process.argv.find((argument) => argument.startsWith('--role='))?.slice('--role='.length);
if (role === 'store' || role === 'farm') {
  await serveChild(role);
} else {
  process.exitCode = await run();
}
