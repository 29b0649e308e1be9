/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SNSClient } from '@aws-sdk/client-sns';
import { createSnsNotifier } from '../src/adapters/sns/notifier';
import { storiesDir, topicArn } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createAlertDescriber } from '../src/tracking/describe';
import { createAnalyzerHandler } from './handlers/analyzer';
import type { InvocationContext, SqsEvent } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import { productionStore } from './lib/wiring';

const production = lazy(async () => {
  const stories = loadStories(storiesDir());
  return createAnalyzerHandler({
    store: productionStore(),
    clock: systemClock,
    stories,
    notifier: createSnsNotifier({
      client: new SNSClient({}),
      topicArn: topicArn(),
      describe: createAlertDescriber(stories),
    }),
    metrics: createPowertoolsMetrics(),
    log: createLog(),
  });
});

export const handler = async (event: SqsEvent, context: InvocationContext) => (await production())(event, context);
