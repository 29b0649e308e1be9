/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsFeedQueue } from '../src/adapters/sqs/queues';
import { feedQueueUrl, feedRegistryPath } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { loadFeedRegistry } from '../src/ingestion/registry';
import { createDispatcherHandler } from './handlers/dispatcher';
import type { InvocationContext, ScheduledInvocation } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog } from './lib/observability';
import { productionDueFeeds, productionSchedule, productionStore, productionWebSub } from './lib/wiring';

const production = lazy(async () => {
  const due = productionDueFeeds();
  const store = productionStore();
  return createDispatcherHandler({
    store,
    due,
    websub: productionWebSub({ store, due, clock: systemClock, schedule: productionSchedule() }),
    clock: systemClock,
    feeds: loadFeedRegistry(feedRegistryPath()),
    feedQueue: createSqsFeedQueue(new SQSClient({}), feedQueueUrl()),
    log: createLog(),
  });
});

export const handler = async (event: ScheduledInvocation, context: InvocationContext) =>
  (await production())(event, context);
