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
import { type ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { FeedFarm } from '../bench/lib/feed-farm';
import { farmFeeds } from '../bench/lib/local-pipeline';
import { createDynamoClient } from '../src/adapters/dynamodb/client';
import { ensureTable } from '../src/adapters/dynamodb/schema';
import { createDynamoStoryStore } from '../src/adapters/dynamodb/store';
import type { AlertNotifier } from '../src/core/ports';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createHttpFeedFetcher } from '../src/ingestion/fetcher';
import { startEmbeddedDynamo } from '../src/local/engine/index';
import { runCycle } from '../src/pipeline/run-cycle';

// The SDK's notice that it will soon need Node 22 would interleave with the figures; the code runs on both.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MB = 1024 * 1024;
const TABLE = 'storywatch-soak';

type ChildRole = 'store' | 'farm';
type ToFarm = { advance: { newItems: number; feeds: number[] } } | { stats: true };
type FromChild = { ready: string } | { advanced: true } | { stats: { requests: number; notModified: number } };

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

interface CycleFigures {
  cycle: number;
  feedsPolled: number;
  feedsChanged: number;
  feedsNotModified: number;
  feedsFailed: number;
  newItems: number;
  expectedNewItems: number;
  seconds: number;
  heapMB: number;
  rssMB: number;
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

/** Child side: one helper server per process, driven over IPC. */
async function serveChild(role: ChildRole): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  if (role === 'store') {
    const dynamo = await startEmbeddedDynamo({ dataDir: null });
    send({ ready: dynamo.endpoint });
    process.on('disconnect', () => void dynamo.close().finally(() => process.exit(0)));
    return;
  }
  const feeds = Number(process.env.SOAK_FEEDS);
  const items = Number(process.env.SOAK_ITEMS);
  const farm = await FeedFarm.start(feeds, items);
  process.on('message', (message: ToFarm) => {
    if ('advance' in message) {
      farm.advance(message.advance.newItems, message.advance.feeds);
      send({ advanced: true });
    } else {
      send({ stats: { requests: farm.requests, notModified: farm.notModified } });
    }
  });
  send({ ready: farm.baseUrl });
  process.on('disconnect', () => void farm.close().finally(() => process.exit(0)));
}

function startChild(role: ChildRole, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), [`--role=${role}`], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
    child.once('message', (message: FromChild) => {
      if ('ready' in message) resolve({ child, url: message.ready });
    });
  });
}

function ask(child: ChildProcess, message: ToFarm): Promise<FromChild> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
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

const format = (value: number, digits = 1) => value.toFixed(digits);

async function run(): Promise<number> {
  const options = readOptions();
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  const elapsed = () => (performance.now() - started) / 1000;
  if (!(globalThis as { gc?: () => void }).gc) {
    process.stdout.write(
      'note: no --expose-gc; heap figures include garbage (run: node --expose-gc --import tsx ...)\n',
    );
  }
  const [store, farm] = await Promise.all([
    startChild('store'),
    startChild('farm', { SOAK_FEEDS: String(options.feeds), SOAK_ITEMS: String(options.items) }),
  ]);
  const client = createDynamoClient({ endpoint: store.url });
  const problems: string[] = [];
  try {
    await ensureTable(client, TABLE);
    const notifier = countingNotifier();
    const deps = {
      store: createDynamoStoryStore({ client, tableName: TABLE }),
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }),
      clock: systemClock,
      stories: loadStories(),
      notifier,
    };
    const feeds = farmFeeds(options.feeds, (index) => `${farm.url}/feed/${index}.xml`);
    // What the parent knows the farm serves: per feed, its generation and the newest serial already fetched.
    const generation = Array.from({ length: options.feeds }, () => 0);
    const newestSeen = Array.from({ length: options.feeds }, () => -1);
    let expectedUniqueItems = 0;
    const figures: CycleFigures[] = [];
    let stoppedAt: string | null = null;

    process.stdout.write(
      `soak: ${options.feeds} feeds x ${options.items} items, ${options.cycles} cycles, ` +
        `${Math.round(options.changedShare * 100)}% of feeds +${options.newItems} items per later cycle, ` +
        `concurrency ${options.concurrency}, chunks of ${options.chunk} feeds, bound ${options.maxSeconds} s\n\n`,
    );
    process.stdout.write('cycle  polled  changed   304  failed  new items  expected   items/s  heap MB  rss MB\n');

    cycles: for (let cycle = 1; cycle <= options.cycles; cycle += 1) {
      if (cycle > 1) {
        const changing = changingFeeds(options.feeds, options.changedShare, cycle);
        await ask(farm.child, { advance: { newItems: options.newItems, feeds: changing } });
        for (const index of changing) generation[index] = (generation[index] ?? 0) + options.newItems;
      }
      const cycleStarted = performance.now();
      const current: CycleFigures = {
        cycle,
        feedsPolled: 0,
        feedsChanged: 0,
        feedsNotModified: 0,
        feedsFailed: 0,
        newItems: 0,
        expectedNewItems: 0,
        seconds: 0,
        heapMB: 0,
        rssMB: 0,
      };
      for (let first = 0; first < feeds.length; first += options.chunk) {
        if (performance.now() > deadline) {
          stoppedAt =
            `time bound of ${options.maxSeconds} s reached in cycle ${cycle} after ${current.feedsPolled} of ` +
            `${options.feeds} feeds (${figures.length} full cycles done)`;
          figures.push({ ...current, seconds: (performance.now() - cycleStarted) / 1000, ...measureHeap() });
          break cycles;
        }
        const chunk = feeds.slice(first, first + options.chunk);
        const report = await runCycle(deps, chunk, { concurrency: options.concurrency, onlyDue: false });
        for (let offset = 0; offset < chunk.length; offset += 1) {
          const index = first + offset;
          const newest = (generation[index] ?? 0) + options.items - 1;
          const oldestServed = generation[index] ?? 0;
          current.expectedNewItems += Math.max(0, newest - Math.max(newestSeen[index] ?? -1, oldestServed - 1));
          newestSeen[index] = newest;
        }
        current.feedsPolled += chunk.length;
        current.feedsChanged += report.feeds.filter((feed) => feed.outcome === 'changed').length;
        current.feedsNotModified += report.feeds.filter((feed) => feed.outcome === 'not_modified').length;
        current.feedsFailed += report.feeds.filter((feed) => feed.outcome === 'failed').length;
        current.newItems += report.analysis.items.length;
        for (const failure of report.published.failed) problems.push(`alert ${failure.alertId} failed to publish`);
      }
      current.seconds = (performance.now() - cycleStarted) / 1000;
      Object.assign(current, measureHeap());
      figures.push(current);
      expectedUniqueItems += current.expectedNewItems;
      if (current.newItems !== current.expectedNewItems) {
        problems.push(`cycle ${cycle}: ${current.newItems} items analyzed, ${current.expectedNewItems} expected`);
      }
      if (current.feedsFailed > 0) problems.push(`cycle ${cycle}: ${current.feedsFailed} feeds failed`);
      process.stdout.write(
        `${String(cycle).padStart(5)}  ${String(current.feedsPolled).padStart(6)}  ${String(current.feedsChanged).padStart(7)}` +
          `  ${String(current.feedsNotModified).padStart(4)}  ${String(current.feedsFailed).padStart(6)}` +
          `  ${String(current.newItems).padStart(9)}  ${String(current.expectedNewItems).padStart(8)}` +
          `  ${format(current.newItems / current.seconds).padStart(8)}  ${format(current.heapMB).padStart(7)}` +
          `  ${format(current.rssMB).padStart(6)}\n`,
      );
    }

    if (stoppedAt) {
      const partial = figures.at(-1);
      process.stdout.write(
        `\nSTOPPED: ${stoppedAt}; that cycle analyzed ${partial?.newItems ?? 0} new items ` +
          `(expected ${partial?.expectedNewItems ?? 0} for the feeds it reached)\n`,
      );
      if (partial && partial.newItems !== partial.expectedNewItems) {
        problems.push(`partial cycle: ${partial.newItems} items analyzed, ${partial.expectedNewItems} expected`);
      }
      expectedUniqueItems += partial?.expectedNewItems ?? 0;
    }

    // Counted in the table itself, past the pipeline, so a duplicate or a lost row cannot hide in a report.
    const countStarted = performance.now();
    const itemRows = await countRows(client, 'ITEM#');
    const countSeconds = (performance.now() - countStarted) / 1000;
    if (itemRows !== expectedUniqueItems) {
      problems.push(`${itemRows} item rows in the table, ${expectedUniqueItems} unique items served`);
    }
    const published = [...notifier.byId.values()];
    const duplicateAlerts = published.filter((count) => count > 1).length;
    if (duplicateAlerts > 0) problems.push(`${duplicateAlerts} alerts published more than once`);
    const storedAlerts = await deps.store.listAlerts();
    const pendingAlerts = storedAlerts.filter((alert) => alert.status === 'pending').length;
    if (storedAlerts.length !== notifier.byId.size) {
      problems.push(`${storedAlerts.length} alerts stored, ${notifier.byId.size} published`);
    }
    if (pendingAlerts > 0) problems.push(`${pendingAlerts} alerts still pending`);

    const full = figures.filter((entry) => entry.feedsPolled === options.feeds);
    // The first cycle warms up V8 and module caches; growth is measured from the second full cycle on.
    const steady = full.slice(1);
    const heapGrowth = steady.length >= 2 ? (steady.at(-1)?.heapMB ?? 0) - (steady[0]?.heapMB ?? 0) : null;
    const farmStats = await ask(farm.child, { stats: true });
    const requests = 'stats' in farmStats ? farmStats.stats : { requests: 0, notModified: 0 };
    const totalItems = figures.reduce((sum, entry) => sum + entry.newItems, 0);
    process.stdout.write(
      `\nitems stored: ${itemRows} rows for ${expectedUniqueItems} unique items served ` +
        `(table count took ${format(countSeconds)} s)\n` +
        `alerts: ${notifier.byId.size} published, ${duplicateAlerts} published twice, ${storedAlerts.length} stored, ` +
        `${pendingAlerts} pending\n` +
        `feed requests: ${requests.requests} (${requests.notModified} answered 304)\n` +
        `heap after GC per cycle (MB): ${figures.map((entry) => format(entry.heapMB)).join(', ')}` +
        (heapGrowth === null
          ? ' (too few full cycles to judge growth)\n'
          : `; growth after warm-up ${format(heapGrowth)} MB\n`) +
        `throughput: ${totalItems} items analyzed in ${format(elapsed())} s ` +
        `(${format(totalItems / Math.max(elapsed(), 0.001))} items/s overall)\n`,
    );
    // Flat means no per-item retention: 100 k items leaking even 100 bytes each would add ~10 MB.
    const allowedGrowthMB = Math.max(8, (steady[0]?.heapMB ?? 0) * 0.15);
    if (heapGrowth !== null && heapGrowth > allowedGrowthMB) {
      problems.push(`heap grew ${format(heapGrowth)} MB across steady cycles (allowed ${format(allowedGrowthMB)} MB)`);
    }
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
