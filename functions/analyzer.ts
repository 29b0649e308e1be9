/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SNSClient } from '@aws-sdk/client-sns';
import { createSnsNotifier } from '../src/adapters/sns/notifier';
import { monitoringLevel, storiesDir, topicArn } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createReader, readerConfigFromEnv } from '../src/reader/config';
import { createAlertDescriber } from '../src/tracking/describe';
import { createAnalyzerHandler } from './handlers/analyzer';
import type { InvocationContext, SqsEvent } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import { productionDueFeeds, productionSchedule, productionStore, productionStoryHeat } from './lib/wiring';

const production = lazy(async () => {
  const stories = loadStories(storiesDir());
  const log = createLog();
  // Read once at cold start; STORYWATCH_READER unset means the rules, with no model access needed.
  const reader = createReader(readerConfigFromEnv(), {
    log: (entry) => log.warn('reader fell back to the rules', { ...entry }),
  });
  return createAnalyzerHandler({
    reader,
    store: productionStore(),
    clock: systemClock,
    stories,
    feedHeat: { due: productionDueFeeds(), heat: productionStoryHeat(), schedule: productionSchedule() },
    notifier: createSnsNotifier({
      client: new SNSClient({}),
      topicArn: topicArn(),
      describe: createAlertDescriber(stories),
    }),
    metrics: createPowertoolsMetrics(monitoringLevel()),
    log,
  });
});

export const handler = async (event: SqsEvent, context: InvocationContext) => (await production())(event, context);
