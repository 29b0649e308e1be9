/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createAwsSecretValues } from '../src/adapters/secrets/secret-values';
import { createSnsNotifier } from '../src/adapters/sns/notifier';
import { createJsonPoster } from '../src/channels/http-post';
import { declaredChannels, monitoringLevel, storiesDir, topicArn } from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createAlertDescriber } from '../src/tracking/describe';
import { createPublisherHandler } from './handlers/publisher';
import { publisherNotifier } from './lib/channel-wiring';
import type { InvocationContext, ScheduledInvocation } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import { productionSite, productionStaleSites } from './lib/site-wiring';
import { productionStore } from './lib/wiring';

const production = lazy(async () => {
  // Stories give the alert texts their human party names and story title, and the site its pages.
  const stories = loadStories(storiesDir());
  const describe = createAlertDescriber(stories);
  const store = productionStore();
  const metrics = createPowertoolsMetrics(monitoringLevel());
  const log = createLog();
  const notifier = publisherNotifier({
    primary: createSnsNotifier({ client: new SNSClient({}), topicArn: topicArn(), describe }),
    channels: declaredChannels(),
    // Values are read on a channel's first delivery and kept for the container's life.
    secrets: createAwsSecretValues({ secretsManager: new SecretsManagerClient({}), ssm: new SSMClient({}) }),
    deliveries: store,
    clock: systemClock,
    // Deployed destinations are public HTTPS endpoints; the address guard refuses anything else.
    post: createJsonPoster({ allowPrivateNetwork: false }),
    describe,
    metrics,
    log,
  });
  return createPublisherHandler({
    store,
    clock: systemClock,
    notifier,
    site: productionSite(store, stories),
    staleSites: productionStaleSites(),
    metrics,
    log,
  });
});

export const handler = async (event: ScheduledInvocation, context: InvocationContext) =>
  (await production())(event, context);
