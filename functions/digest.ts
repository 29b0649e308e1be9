/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createAwsSecretValues } from '../src/adapters/secrets/secret-values';
import { createSnsDigestChannels } from '../src/adapters/sns';
import { createDeployedDigestChannel } from '../src/channels/digest-channel';
import { createJsonPoster } from '../src/channels/http-post';
import {
  declaredChannels,
  digestTopicFilters,
  monitoringLevel,
  optionalDigestTopicArn,
  storiesDir,
} from '../src/config/env';
import { systemClock } from '../src/core/ports';
import { loadStories } from '../src/detection/story';
import { createDigestHandler } from './handlers/digest';
import { parkedDeliveryHook } from './lib/channel-wiring';
import type { InvocationContext, ScheduledInvocation } from './lib/events';
import { lazy } from './lib/lazy';
import { createLog, createPowertoolsMetrics } from './lib/observability';
import { productionStore } from './lib/wiring';

const production = lazy(async () => {
  const metrics = createPowertoolsMetrics(monitoringLevel());
  const log = createLog();
  const secrets = createAwsSecretValues({ secretsManager: new SecretsManagerClient({}), ssm: new SSMClient({}) });
  const post = createJsonPoster({ allowPrivateNetwork: false });
  // The stack passes this function the daily channels only.
  const channels = declaredChannels().map((declared) =>
    createDeployedDigestChannel(declared, { secrets, post, clock: systemClock }),
  );
  // Set only when some email or SMS subscriber takes the digest: their topic is one more channel per filter.
  const topicArn = optionalDigestTopicArn();
  if (topicArn) {
    channels.push(...createSnsDigestChannels({ client: new SNSClient({}), topicArn, filters: digestTopicFilters() }));
  }
  return createDigestHandler({
    store: productionStore(),
    clock: systemClock,
    stories: loadStories(storiesDir()),
    channels,
    onParked: parkedDeliveryHook(metrics, log),
    metrics,
    log,
  });
});

export const handler = async (event: ScheduledInvocation, context: InvocationContext) =>
  (await production())(event, context);
