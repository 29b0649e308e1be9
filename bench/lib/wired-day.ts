/**
 * A simulated day through the Lambda wiring instead of the simulation's own scheduler: every minute the real
 * dispatcher handler reads the due-time index (and runs the WebSub upkeep), the real poller handler polls what it
 * sent (adaptive schedule, politeness, story heat, subscribing to the hubs feeds name), and pushes reach the real
 * callback handler behind a function URL front; everything stores in DynamoDB (the embedded engine). The analyzer
 * is reduced to what the schedule hears from it: the item marks, and the world's known follow-ups fed back through
 * the analyzer's own use-case (heatFeeds), which makes their feeds hot.
 */
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDispatcherHandler } from '../../functions/handlers/dispatcher';
import { createPollerHandler } from '../../functions/handlers/poller';
import { createWebSubCallbackHandler } from '../../functions/handlers/websub';
import type { SqsEvent } from '../../functions/lib/events';
import type { Log } from '../../functions/lib/observability';
import { createDynamoDueFeeds } from '../../src/adapters/dynamodb/due-feeds';
import { createDynamoHostBudget } from '../../src/adapters/dynamodb/host-budget';
import { createTableRequests } from '../../src/adapters/dynamodb/requests';
import { ensureTable } from '../../src/adapters/dynamodb/schema';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { createDynamoStoryHeat } from '../../src/adapters/dynamodb/story-heat';
import { createDynamoSubscriptions } from '../../src/adapters/dynamodb/subscriptions';
import type { FeedDefinition, FeedItem } from '../../src/core/feed';
import { hostBudgetPlan } from '../../src/core/host-budget';
import type { FeedFetcher, ItemQueue } from '../../src/core/ports';
import { feedScheduleSettings } from '../../src/ingestion/feed-schedule';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { DEFAULT_FETCH_OPTIONS } from '../../src/ingestion/options';
import { heatFeeds } from '../../src/pipeline/feed-heat';
import { resumePolling } from '../../src/pipeline/resume-polling';
import { createHttpHubClient, createWebSubSubscriber } from '../../src/websub/subscriber';
import { startFunctionUrlFront } from '../../test/support/function-url-front';
import type { RequestRecord, SimulationResult } from '../../test/support/polling-simulation';
import { simulatedResolver, startSimulatedFeedServer } from '../../test/support/simulated-feed-server';
import type { Publication, SimulatedFeed, SimulatedWorld } from '../../test/support/simulated-world';
import { startLoopbackHub } from '../../test/support/websub-hub';

const TICK_MS = 60_000;
const DRAIN_MS = 6 * 3_600_000;
/** Poll messages per poller invocation, as the feed queue's event source batches them. */
const POLLER_BATCH = 5;
/** Poller invocations at once. */
const POLLERS = 4;

export interface WiredDay extends SimulationResult {
  /** Read units of each tick's reads: the due-time query and the WebSub upkeep's query. */
  readUnitsPerTick: number[];
  /** Feeds each tick sent to polling. */
  sentPerTick: number[];
  hubRequests: number;
  /** Subscriptions renewed by the tick's upkeep over the run. */
  renewals: number;
}

const quietLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
const noMetrics = { count: () => {}, flush: () => {} };

/** Publication id of a stored item: the simulated feed's links end with it. */
const publicationIdOf = (item: FeedItem) => item.link?.split('/').at(-1) ?? item.id;

function collectingQueue(): ItemQueue & { drain(): { item: FeedItem; feedId: string }[] } {
  let queued: { item: FeedItem; feedId: string }[] = [];
  return {
    async sendItems(items, feedId) {
      // Through JSON, as SQS carries them.
      for (const item of items) queued.push({ item: JSON.parse(JSON.stringify(item)), feedId: feedId ?? '' });
    },
    drain() {
      const taken = queued;
      queued = [];
      return taken;
    },
  };
}

let messages = 0;
function sqsEventOf(feeds: FeedDefinition[]): SqsEvent {
  return {
    Records: feeds.map((feed) => {
      messages += 1;
      return {
        messageId: `wired-${messages}`,
        receiptHandle: `wired-${messages}`,
        body: JSON.stringify(feed),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'bench',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:bench-feeds',
        awsRegion: 'eu-west-1',
      };
    }),
  };
}

/** The fetcher, with every request it sends noted (feed, host, simulated time, what came back). */
function recordingFetcher(inner: FeedFetcher, world: SimulatedWorld, requests: RequestRecord[]): FeedFetcher {
  const feeds = new Map(world.feeds.map((feed) => [feed.id, feed]));
  return {
    closeConnections: () => inner.closeConnections(),
    async fetchFeed(feed, state, now) {
      const outcome = await inner.fetchFeed(feed, state, now);
      const simulated = feeds.get(feed.id) as SimulatedFeed;
      const answer =
        outcome.kind === 'failed'
          ? {
              ok: false as const,
              httpStatus: outcome.error.kind === 'http_status' ? 429 : 0,
              retryAfterSec: outcome.error.kind === 'http_status' ? (simulated.throttle?.retryAfterSec ?? null) : null,
            }
          : { ok: true as const, newIds: [], hints: simulated.hints };
      requests.push({ feedId: feed.id, host: simulated.host, at: now.getTime(), answer });
      return outcome;
    },
  };
}

async function inChunks<T>(list: T[], size: number, parallel: number, work: (chunk: T[]) => Promise<unknown>) {
  const chunks: T[][] = [];
  for (let start = 0; start < list.length; start += size) chunks.push(list.slice(start, start + size));
  for (let start = 0; start < chunks.length; start += parallel) {
    await Promise.all(chunks.slice(start, start + parallel).map(work));
  }
}

export async function runWiredDay(world: SimulatedWorld, client: DynamoDBClient, tableName: string): Promise<WiredDay> {
  await ensureTable(client, tableName);
  let simulatedNow = world.start;
  const clock = { now: () => new Date(simulatedNow) };
  const table = createTableRequests(client, tableName);
  const store = createDynamoStoryStore({ client, tableName });
  const due = createDynamoDueFeeds(table);
  const heat = createDynamoStoryHeat(table);
  const subscriptions = createDynamoSubscriptions(table);
  const hub = await startLoopbackHub();
  const server = await startSimulatedFeedServer({ world, clock, hubUrl: hub.url });
  const definitions = world.feeds.map(
    (feed): FeedDefinition => ({
      id: feed.id,
      url: server.feedUrl(feed),
      name: feed.id,
      publisher: feed.host,
      language: 'en',
    }),
  );
  const feedMinimumSec = Object.fromEntries(
    world.feeds.flatMap((feed) => (feed.hints.feedMinimumSec ? [[feed.id, feed.hints.feedMinimumSec]] : [])),
  );
  const schedule = feedScheduleSettings(definitions, {
    feedMinimumSec,
    hintCeilingSec: DEFAULT_FETCH_OPTIONS.maxPollIntervalSec,
    sharedHostBudget: true,
  });
  const { hostRequestsPerHour, hostHotShare } = schedule.schedule;
  const hostBudget = createDynamoHostBudget(table, hostBudgetPlan(hostRequestsPerHour, hostHotShare));
  const itemQueue = collectingQueue();
  const front = await startFunctionUrlFront(
    createWebSubCallbackHandler({
      subscriptions,
      store,
      itemQueue,
      clock,
      feeds: definitions,
      limits: DEFAULT_FETCH_OPTIONS,
      log: quietLog,
    }),
  );
  const websub = createWebSubSubscriber({
    subscriptions,
    hubClient: createHttpHubClient({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
    clock,
    callbackBase: `${front.url}websub`,
    resumePolling: (feedId) => resumePolling({ store, due, clock, schedule }, feedId),
  });
  const requests: RequestRecord[] = [];
  const fetcher = recordingFetcher(
    createHttpFeedFetcher({ allowPrivateNetwork: true }, { resolver: simulatedResolver }),
    world,
    requests,
  );
  const sent: FeedDefinition[] = [];
  const dispatcher = createDispatcherHandler({
    store,
    due,
    websub,
    clock,
    feeds: definitions,
    feedQueue: { sendFeeds: async (feeds) => void sent.push(...feeds) },
    log: quietLog,
  });
  const poller = createPollerHandler({
    store,
    due,
    push: websub,
    clock,
    fetcher,
    schedule,
    hostBudget,
    heat,
    itemQueue,
    metrics: noMetrics,
    log: {
      ...quietLog,
      info: (message) => {
        if (message.startsWith('poll deferred')) result.deferredByBudget += 1;
      },
    },
  });
  const followUps = new Set(world.publications.filter((p) => p.followUp).map((p) => p.id));
  const result: WiredDay = {
    requests,
    storedAt: new Map(),
    deferredByBudget: 0,
    pushes: 0,
    readUnitsPerTick: [],
    sentPerTick: [],
    hubRequests: 0,
    renewals: 0,
  };

  /** The analyzer's part: mark what arrived, and report its follow-ups per feed (feed-heat.ts). */
  async function analyzeArrived(at: number): Promise<void> {
    const arrived = itemQueue.drain();
    if (arrived.length === 0) return;
    const byFeed = new Map<string, string[]>();
    for (const { item, feedId } of arrived) {
      const id = publicationIdOf(item);
      if (!result.storedAt.has(id)) result.storedAt.set(id, at);
      if (followUps.has(id)) byFeed.set(feedId, [...(byFeed.get(feedId) ?? []), item.id]);
    }
    await store.markItemsAnalyzed(arrived.map(({ item }) => item.id));
    await heatFeeds({ store, due, heat, clock, schedule }, byFeed);
  }

  async function push(publication: Publication): Promise<void> {
    const feed = world.feeds.find((candidate) => candidate.id === publication.feedId) as SimulatedFeed;
    if (!feed.websub) return;
    simulatedNow = publication.at;
    const started = performance.now();
    const statuses = await hub.publish(
      server.feedUrl(feed),
      server.document(feed, publication.at),
      'application/rss+xml; charset=utf-8',
    );
    if (statuses.length === 0) return;
    result.pushes += 1;
    await analyzeArrived(publication.at + (performance.now() - started));
  }

  try {
    const stop = world.end + DRAIN_MS;
    let next = 0;
    for (let now = world.start; now <= stop; now += TICK_MS) {
      while (next < world.publications.length && (world.publications[next] as Publication).at <= now) {
        await push(world.publications[next] as Publication);
        next += 1;
      }
      simulatedNow = now;
      sent.length = 0;
      const tick = await dispatcher({ source: 'storywatch.schedule', task: 'dispatch' });
      result.readUnitsPerTick.push((tick.readUnits ?? 0) + (tick.websub?.readUnits ?? 0));
      result.sentPerTick.push(sent.length);
      result.renewals += tick.websub?.renewed.length ?? 0;
      await inChunks([...sent], POLLER_BATCH, POLLERS, (chunk) => poller(sqsEventOf(chunk)));
      await analyzeArrived(now);
    }
    result.hubRequests = hub.requests.length;
    return result;
  } finally {
    fetcher.closeConnections();
    await front.close();
    await server.close();
    await hub.close();
  }
}
