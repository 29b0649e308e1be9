import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { createDynamoDueFeeds } from '../../src/adapters/dynamodb/due-feeds';
import { createDynamoHostBudget } from '../../src/adapters/dynamodb/host-budget';
import { createDynamoReadingBudget } from '../../src/adapters/dynamodb/reading-budget';
import { createTableRequests } from '../../src/adapters/dynamodb/requests';
// The store module itself, not the adapter's index, so a bundle carries only what the store needs.
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { createDynamoStoryHeat } from '../../src/adapters/dynamodb/story-heat';
import { createDynamoSubscriptions } from '../../src/adapters/dynamodb/subscriptions';
import { adaptiveSchedule, feedRegistryPath, tableName, websubCallbackBase } from '../../src/config/env';
import { hostBudgetPlan } from '../../src/core/host-budget';
import {
  type BudgetLimits,
  type DueFeeds,
  type HostRequestBudget,
  type ReadingBudget,
  type StoryHeat,
  type StoryStore,
  systemClock,
} from '../../src/core/ports';
import type { WebSubSubscriptions } from '../../src/core/ports/subscriptions';
import { type FeedScheduleSettings, feedScheduleSettings } from '../../src/ingestion/feed-schedule';
import { DEFAULT_FETCH_OPTIONS } from '../../src/ingestion/options';
import { loadFeedRegistry } from '../../src/ingestion/registry';
import { type ResumePollingDeps, resumePolling } from '../../src/pipeline/resume-polling';
import { createHttpHubClient, createWebSubSubscriber, type WebSubSubscriber } from '../../src/websub/subscriber';

/**
 * Shared pieces of the production wiring. Each entry file (functions/<name>.ts) wires only the clients it
 * uses, so a bundle never carries, or imports at cold start, an AWS SDK client its function does not call.
 * Every env getter throws when its variable is missing, so a misconfigured function fails its first
 * invocation loudly instead of misbehaving.
 */
export function productionStore(): StoryStore {
  return createDynamoStoryStore({ client: createDynamoClient(), tableName: tableName() });
}

/** The due-time index on the same table: the dispatcher reads it, the poller moves feeds in it. */
export function productionDueFeeds(): DueFeeds {
  return createDynamoDueFeeds(createTableRequests(createDynamoClient(), tableName()));
}

/** The story heat on the same table: the analyzer notes follow-ups in it, the poller reads it for hot feeds. */
export function productionStoryHeat(): StoryHeat {
  return createDynamoStoryHeat(createTableRequests(createDynamoClient(), tableName()));
}

/**
 * The daily model-reading budget on the same table: one counter per story and day that every analyzer container
 * draws on, so a cold start or a concurrent invocation does not get a fresh allowance.
 */
export function productionReadingBudget(limits: BudgetLimits): ReadingBudget {
  return createDynamoReadingBudget(createTableRequests(createDynamoClient(), tableName()), { limits });
}

/** WebSub subscriptions on the same table: the callback reads and updates them, the poller asks hubs, the dispatcher renews. */
export function productionSubscriptions(): WebSubSubscriptions {
  return createDynamoSubscriptions(createTableRequests(createDynamoClient(), tableName()));
}

/** How long a hub may take to answer a subscription request from a function (the dispatcher's tick is short). */
const HUB_TIMEOUT_MS = 5_000;

/**
 * The WebSub subscriber of the poller (subscribes to the hubs polls find) and the dispatcher (lease upkeep): hub
 * requests through the address guard, callbacks under the callback function's URL. With `resume` (the dispatcher)
 * a feed that stops pushing is put back on its polling schedule (resumePolling).
 */
export function productionWebSub(resume?: ResumePollingDeps): WebSubSubscriber {
  return createWebSubSubscriber({
    subscriptions: productionSubscriptions(),
    hubClient: createHttpHubClient({ allowPrivateNetwork: false, timeoutMs: HUB_TIMEOUT_MS }),
    clock: systemClock,
    callbackBase: websubCallbackBase(),
    ...(resume ? { resumePolling: (feedId: string) => resumePolling(resume, feedId) } : {}),
  });
}

/**
 * The adaptive schedule's thresholds. Each host's request budget is the shared one below, taken poll by poll, so
 * it is not also split into a floor per feed.
 */
export function productionSchedule(): FeedScheduleSettings {
  return feedScheduleSettings(loadFeedRegistry(feedRegistryPath()), {
    schedule: adaptiveSchedule(),
    hintCeilingSec: DEFAULT_FETCH_OPTIONS.maxPollIntervalSec,
    sharedHostBudget: true,
  });
}

/**
 * The per-host request budget on the same table: a counter per host and window that every poller takes from, so
 * concurrent pollers together stay within `hostRequestsPerHour`, hot feeds first (core/host-budget.ts).
 */
export function productionHostBudget(schedule: FeedScheduleSettings): HostRequestBudget {
  const { hostRequestsPerHour, hostHotShare } = schedule.schedule;
  return createDynamoHostBudget(
    createTableRequests(createDynamoClient(), tableName()),
    hostBudgetPlan(hostRequestsPerHour, hostHotShare),
  );
}
