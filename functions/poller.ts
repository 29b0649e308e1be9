/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsItemQueue } from '../src/adapters/sqs/queues';
import { adaptiveSchedule, feedRegistryPath, itemQueueUrl, monitoringLevel, pollDeadlineMs } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { feedScheduleSettings } from '../src/ingestion/feed-schedule';
import { createHttpFeedFetcher } from '../src/ingestion/fetcher';
import { DEFAULT_FETCH_OPTIONS } from '../src/ingestion/options';
import { loadFeedRegistry } from '../src/ingestion/registry';
import { createPollerHandler } from './handlers/poller';
import type { InvocationContext, SqsEvent } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import { productionDueFeeds, productionStore } from './lib/wiring';

const production = lazy(async () =>
  createPollerHandler({
    store: productionStore(),
    due: productionDueFeeds(),
    clock: systemClock,
    fetcher: createHttpFeedFetcher({ timeoutMs: pollDeadlineMs() }),
    // The registry says how many feeds share each host's request budget.
    schedule: feedScheduleSettings(loadFeedRegistry(feedRegistryPath()), {
      schedule: adaptiveSchedule(),
      hintCeilingSec: DEFAULT_FETCH_OPTIONS.maxPollIntervalSec,
    }),
    itemQueue: createSqsItemQueue(new SQSClient({}), itemQueueUrl()),
    metrics: createPowertoolsMetrics(monitoringLevel()),
    log: createLog(),
  }),
);

export const handler = async (event: SqsEvent, context: InvocationContext) => (await production())(event, context);
