import { resolve } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { createLocalNotifier } from '../adapters/local/index';
import { createSnsNotifier } from '../adapters/sns/index';
import type { AlertNotifier } from '../core/ports';
import type { StoryDefinition } from '../detection/index';
import { createAlertDescriber } from '../tracking/describe';
import { type CommandContext, type OptionSpec, stringOption, UsageError } from './command';

export const DEFAULT_ALERTS_FILE = '.storywatch/alerts.jsonl';

/** The SNS topic a local command publishes to, and an endpoint for an emulator or a test; `what` it publishes. */
export function snsOptions(what: string): Record<string, OptionSpec> {
  return {
    'sns-topic-arn': {
      type: 'string',
      description: `Publish ${what} to this SNS topic (uses your AWS credentials)`,
    },
    'sns-endpoint': {
      type: 'string',
      description: 'SNS endpoint URL, for an emulator or a test endpoint (with --sns-topic-arn)',
    },
  };
}

/** Where a local run sends its alerts: the console and a JSON Lines file, or a real SNS topic. */
export const NOTIFIER_OPTIONS: Record<string, OptionSpec> = {
  'alerts-file': {
    type: 'string',
    description: 'Append alerts as JSON Lines here (local notifier)',
    defaultText: DEFAULT_ALERTS_FILE,
  },
  ...snsOptions('alerts instead of the console'),
};

const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

export interface SnsTarget {
  client: SNSClient;
  topicArn: string;
}

/** The SNS client and topic of --sns-topic-arn (and --sns-endpoint), or null when no topic is given. */
export function openSnsTarget(context: CommandContext): SnsTarget | null {
  const topicArn = stringOption(context, 'sns-topic-arn');
  const endpoint = stringOption(context, 'sns-endpoint');
  if (topicArn === undefined) {
    if (endpoint !== undefined) throw new UsageError('--sns-endpoint needs --sns-topic-arn');
    return null;
  }
  if (!TOPIC_ARN.test(topicArn)) throw new UsageError(`--sns-topic-arn is not an SNS topic ARN: "${topicArn}"`);
  // The topic's region is part of its ARN; the client must talk to that region.
  const region = topicArn.split(':')[3] as string;
  return { client: new SNSClient({ region, ...(endpoint ? { endpoint } : {}) }), topicArn };
}

export function openNotifierFromOptions(
  context: CommandContext,
  stories: StoryDefinition[],
): { notifier: AlertNotifier; describe: string; close(): void } {
  const describeAlert = createAlertDescriber(stories);
  if (stringOption(context, 'sns-topic-arn') !== undefined && stringOption(context, 'alerts-file') !== undefined) {
    throw new UsageError('--alerts-file and --sns-topic-arn exclude each other');
  }
  const target = openSnsTarget(context);
  if (target === null) {
    const file = resolve(stringOption(context, 'alerts-file') ?? DEFAULT_ALERTS_FILE);
    return {
      notifier: createLocalNotifier({ file, out: context.io.stdout, describe: describeAlert }),
      describe: `the console and ${file}`,
      close: () => {},
    };
  }
  const { client, topicArn } = target;
  return {
    notifier: createSnsNotifier({ client, topicArn, describe: describeAlert }),
    describe: `SNS topic ${topicArn}`,
    close: () => client.destroy(),
  };
}
