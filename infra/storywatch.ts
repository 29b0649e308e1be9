import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StorywatchConfig } from './config';
import { suppressAcceptedFindings } from './nag-suppressions';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface StorywatchStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Both stacks, env-agnostic (no account or region lookups) so `cdk synth` works offline; the deploy picks the
 * account and region from the caller's credentials.
 */
export function createStorywatch(app: App, config: StorywatchConfig): StorywatchStacks {
  const stateful = new StatefulStack(app, 'StorywatchData', {
    description: 'storywatch: table and topics (retained on delete)',
    alertEmails: config.alertEmails,
    alertPhoneNumbers: config.alertPhoneNumbers,
    opsEmail: config.opsEmail,
  });
  const stateless = new StatelessStack(app, 'StorywatchServices', {
    description: 'storywatch: functions, queues, schedules, alarms and dashboard',
    table: stateful.table,
    alertTopic: stateful.alertTopic,
    opsTopic: stateful.opsTopic,
    pollRateMinutes: config.pollRateMinutes,
    heartbeatPeriodMinutes: config.heartbeatPeriodMinutes,
    publisherSweepMinutes: config.publisherSweepMinutes,
    pollerMaxConcurrency: config.pollerMaxConcurrency,
    analyzerMaxConcurrency: config.analyzerMaxConcurrency,
    logRetention: config.logRetentionDays,
    storiesDir: config.storiesDir,
    feedRegistryPath: config.feedRegistryPath,
    ...(config.reader === 'bedrock' && config.bedrockModelId
      ? {
          bedrockReader: {
            modelId: config.bedrockModelId,
            itemsPerDay: config.readerItemsPerDay,
            tokensPerDay: config.readerTokensPerDay,
          },
        }
      : {}),
  });
  stateless.addStackDependency(stateful);

  Tags.of(app).add('project', 'storywatch');
  suppressAcceptedFindings(stateful, stateless);
  // cdk-nag 3 runs as a CDK policy-validation plugin: an unacknowledged finding fails `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { stateful, stateless };
}
