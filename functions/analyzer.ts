/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SNSClient } from '@aws-sdk/client-sns';
import { createSnsNotifier } from '../src/adapters/sns/notifier';
import { channelsByPublisher, monitoringLevel, storiesDir, topicArn } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createReader, readerConfigFromEnv } from '../src/reader/config';
import { createAlertDescriber } from '../src/tracking/describe';
import { createAnalyzerHandler } from './handlers/analyzer';
import { analyzerNotifier } from './lib/channel-wiring';
import type { InvocationContext, SqsEvent } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import { readerEvents } from './lib/reader-events';
import { productionSite, productionStaleSites } from './lib/site-wiring';
import {
  productionDueFeeds,
  productionReadingBudget,
  productionSchedule,
  productionStore,
  productionStoryHeat,
} from './lib/wiring';

const production = lazy(async () => {
  const stories = loadStories(storiesDir());
  const log = createLog();
  const metrics = createPowertoolsMetrics(monitoringLevel());
  // Read once at cold start; STORYWATCH_READER unset means the rules, with no model access needed.
  const readerConfig = readerConfigFromEnv();
  const reader = createReader(readerConfig, {
    // Fallbacks logged with their reason; rejected answers and stranger refs also counted, flushed per batch.
    log: readerEvents(log, metrics),
    // Shared by every container: the day's count lives in the table, not in this one's memory.
    budget: productionReadingBudget(readerConfig.budget ?? {}),
    clock: systemClock,
  });
  const store = productionStore();
  const sns = createSnsNotifier({
    client: new SNSClient({}),
    topicArn: topicArn(),
    describe: createAlertDescriber(stories),
  });
  return createAnalyzerHandler({
    reader,
    store,
    site: productionSite(store, stories),
    staleSites: productionStaleSites(),
    clock: systemClock,
    stories,
    feedHeat: { due: productionDueFeeds(), heat: productionStoryHeat(), schedule: productionSchedule() },
    notifier: analyzerNotifier(sns, channelsByPublisher(), store, systemClock),
    metrics,
    log,
  });
});

export const handler = async (event: SqsEvent, context: InvocationContext) => (await production())(event, context);
