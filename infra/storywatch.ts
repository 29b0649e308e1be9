import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStoryCatalog } from '../src/detection/story';
import { acknowledgeAcceptedFindings } from './accepted-findings';
import { dailyDigestFilters } from './alert-subscriptions';
import type { StorywatchConfig } from './config';
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
export function createStorywatch(
  app: App,
  config: StorywatchConfig,
  /** regionHint: the target region when the synth knows it, for warnings only (the stacks stay env-agnostic). */
  options: { ruleChecks?: boolean; regionHint?: string | null } = {},
): StorywatchStacks {
  const stateful = new StatefulStack(app, 'StorywatchData', {
    description: 'storywatch: table and topic key (retained on delete), alert and ops topics',
    alertEmails: config.alertEmails,
    alertPhoneNumbers: config.alertPhoneNumbers,
    opsEmail: config.opsEmail,
    existingTableName: config.existingTableName,
    existingKeyArn: config.existingKeyArn,
    smsMonthlySpendLimitUsd: config.smsMonthlySpendLimitUsd,
    logRetention: config.logRetentionDays,
    regionHint: options.regionHint ?? null,
    monitoring: config.monitoring,
  });
  const stateless = new StatelessStack(app, 'StorywatchServices', {
    description: 'storywatch: functions, queues, schedules, alarms and dashboard',
    dataStackName: stateful.stackName,
    pollRateMinutes: config.pollRateMinutes,
    adaptiveSchedule: config.adaptiveSchedule,
    heartbeatPeriodMinutes: config.heartbeatPeriodMinutes,
    publisherSweepMinutes: config.publisherSweepMinutes,
    pollerMaxConcurrency: config.pollerMaxConcurrency,
    analyzerMaxConcurrency: config.analyzerMaxConcurrency,
    logRetention: config.logRetentionDays,
    storiesDir: config.storiesDir,
    feedRegistryPath: config.feedRegistryPath,
    monitoring: config.monitoring,
    channels: config.channels,
    dailySnsFilters: dailyDigestFilters([...config.alertEmails, ...config.alertPhoneNumbers]),
    site: {
      pathPrefix: config.sitePathPrefix,
      storyIds: readStoryCatalog(config.storiesDir).stories.map((story) => story.id),
    },
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
  // Order only: the services stack reads the data stack's SSM parameters, so the data stack deploys first, but no
  // export ties the two together.
  stateless.addStackDependency(stateful);

  Tags.of(app).add('project', 'storywatch');
  acknowledgeAcceptedFindings(stateless, stateful.sms);
  // Both rule packs run as CDK policy-validation plugins: an unacknowledged finding of either fails `cdk synth`.
  if (options.ruleChecks ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new CfnGuardValidator());
  }
  return { stateful, stateless };
}
