import { SQSClient } from '@aws-sdk/client-sqs';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
// Module paths, not the adapter's index: the index also exports the embedded dynalite, which must stay out of bundles.
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { createSnsNotifier } from '../../src/adapters/sns/index';
import {
  feedQueueUrl,
  feedRegistryPath,
  itemQueueUrl,
  pollDeadlineMs,
  storiesDir,
  tableName,
  topicArn,
} from '../../src/config/env';
import { systemClock } from '../../src/core/ports';
import { loadStories } from '../../src/detection/story';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { loadFeedRegistry } from '../../src/ingestion/registry';
import type { AnalyzerDeps } from '../handlers/analyzer';
import type { DispatcherDeps } from '../handlers/dispatcher';
import type { PollerDeps } from '../handlers/poller';
import type { PublisherDeps } from '../handlers/publisher';
import { createLog, createPowertoolsMetrics } from './observability';
import { createSqsFeedQueue, createSqsItemQueue } from './sqs';

/**
 * Production wiring, built once per container from the environment the stack sets. Every getter throws when its
 * variable is missing, so a misconfigured function fails its first invocation loudly instead of misbehaving.
 */
function store() {
  return createDynamoStoryStore({ client: createDynamoClient(), tableName: tableName() });
}

export async function dispatcherDeps(): Promise<DispatcherDeps> {
  return {
    store: store(),
    clock: systemClock,
    feeds: loadFeedRegistry(feedRegistryPath()),
    feedQueue: createSqsFeedQueue(new SQSClient({}), feedQueueUrl()),
    log: createLog(),
  };
}

export async function pollerDeps(): Promise<PollerDeps> {
  return {
    store: store(),
    clock: systemClock,
    fetcher: createHttpFeedFetcher({ timeoutMs: pollDeadlineMs() }),
    itemQueue: createSqsItemQueue(new SQSClient({}), itemQueueUrl()),
    metrics: createPowertoolsMetrics(),
    log: createLog(),
  };
}

export async function analyzerDeps(): Promise<AnalyzerDeps> {
  return {
    store: store(),
    clock: systemClock,
    stories: loadStories(storiesDir()),
    notifier: createSnsNotifier(topicArn()),
    metrics: createPowertoolsMetrics(),
    log: createLog(),
  };
}

export async function publisherDeps(): Promise<PublisherDeps> {
  return {
    store: store(),
    clock: systemClock,
    notifier: createSnsNotifier(topicArn()),
    metrics: createPowertoolsMetrics(),
    log: createLog(),
  };
}
