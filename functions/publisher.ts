/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SNSClient } from '@aws-sdk/client-sns';
import { createSnsNotifier } from '../src/adapters/sns/notifier';
import { monitoringLevel, storiesDir, topicArn } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createAlertDescriber } from '../src/tracking/describe';
import { createPublisherHandler } from './handlers/publisher';
import type { InvocationContext, ScheduledInvocation } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import { productionStore } from './lib/wiring';

const production = lazy(async () =>
  createPublisherHandler({
    store: productionStore(),
    clock: systemClock,
    // Stories only give the alert texts their human party names and story title.
    notifier: createSnsNotifier({
      client: new SNSClient({}),
      topicArn: topicArn(),
      describe: createAlertDescriber(loadStories(storiesDir())),
    }),
    metrics: createPowertoolsMetrics(monitoringLevel()),
    log: createLog(),
  }),
);

export const handler = async (event: ScheduledInvocation, context: InvocationContext) =>
  (await production())(event, context);
