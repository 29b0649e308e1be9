/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsItemQueue } from '../src/adapters/sqs/queues';
import { feedRegistryPath, itemQueueUrl } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { DEFAULT_FETCH_OPTIONS } from '../src/ingestion/options';
import { loadFeedRegistry } from '../src/ingestion/registry';
import { createWebSubCallbackHandler } from './handlers/websub';
import type { FunctionUrlEvent } from './lib/function-url';
import { lazy } from './lib/lazy';
import { createLog } from './lib/observability';
import { productionStore, productionSubscriptions } from './lib/wiring';

const production = lazy(async () =>
  createWebSubCallbackHandler({
    subscriptions: productionSubscriptions(),
    store: productionStore(),
    itemQueue: createSqsItemQueue(new SQSClient({}), itemQueueUrl()),
    clock: systemClock,
    feeds: loadFeedRegistry(feedRegistryPath()),
    // The caps of a poll: a pushed document is no bigger, no deeper and no longer than a polled one may be.
    limits: DEFAULT_FETCH_OPTIONS,
    log: createLog(),
  }),
);

export const handler = async (event: FunctionUrlEvent) => (await production())(event);
