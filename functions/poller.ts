/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsItemQueue } from '../src/adapters/sqs/queues';
import { itemQueueUrl, monitoringLevel, pollDeadlineMs } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { createHttpFeedFetcher } from '../src/ingestion/fetcher';
import { createPollerHandler } from './handlers/poller';
import type { InvocationContext, SqsEvent } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import {
  productionDueFeeds,
  productionHostBudget,
  productionSchedule,
  productionStore,
  productionStoryHeat,
  productionWebSub,
} from './lib/wiring';

const production = lazy(async () => {
  const due = productionDueFeeds();
  const schedule = productionSchedule();
  return createPollerHandler({
    store: productionStore(),
    due,
    push: productionWebSub(),
    clock: systemClock,
    fetcher: createHttpFeedFetcher({ timeoutMs: pollDeadlineMs() }),
    schedule,
    hostBudget: productionHostBudget(schedule),
    heat: productionStoryHeat(),
    itemQueue: createSqsItemQueue(new SQSClient({}), itemQueueUrl()),
    metrics: createPowertoolsMetrics(monitoringLevel()),
    log: createLog(),
  });
});

export const handler = async (event: SqsEvent, context: InvocationContext) => (await production())(event, context);
