import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeclaredChannel } from '../../src/channels/declared';
import type { DigestFilter } from '../../src/channels/digest-filter';
import { ENV } from '../../src/config/env';
import { DIGEST_TABLE_ACCESS } from '../permissions';
import type { AlertChannels } from './alert-channels';
import { ScheduledInvoke } from './scheduled-invoke';
import { type FunctionDefaults, type StorywatchFunction, tableFunction } from './storywatch-function';

export interface DailyDigestProps {
  table: ITableV2;
  functionDefaults: FunctionDefaults;
  /** The channels with `digest: "daily"`: the function reads their values, and only theirs. */
  daily: readonly DeclaredChannel[];
  channels: AlertChannels;
  /**
   * The topic of the email/SMS subscribers who take the digest and their distinct filters (one message a day
   * each); absent when none does.
   */
  dailyTopic?: { topic: ITopic; filters: readonly DigestFilter[] };
  scheduleDlq: IQueue;
}

/**
 * Sends the daily channels their digest of the previous UTC day. The schedule ticks every hour: the first tick
 * after midnight sends, later ones find the day sent and only retry a channel that failed (after its backoff),
 * so an outage costs an hour, not a day. The daily topic is one more such channel. Exists only when some channel
 * or SNS subscriber is daily.
 */
export class DailyDigest extends Construct {
  readonly function: StorywatchFunction;

  constructor(scope: Construct, id: string, props: DailyDigestProps) {
    super(scope, id);
    this.function = tableFunction(this, 'Sender', props, DIGEST_TABLE_ACCESS, {
      handler: 'digest',
      description: 'Sends the daily digest of the previous UTC day to the daily channels, once each',
      memorySize: 256,
    });
    if (props.dailyTopic) {
      this.function.bindTopic(props.dailyTopic.topic, ENV.digestTopicArn);
      this.function.function.addEnvironment(ENV.digestTopicFilters, JSON.stringify(props.dailyTopic.filters));
    }
    props.channels.bindChannels(this.function, props.daily);
    new ScheduledInvoke(this, 'Schedule', {
      target: this.function,
      every: Duration.hours(1),
      description: 'Sends the daily digest after midnight UTC and retries a channel that failed',
      task: 'digest',
      deadLetterQueue: props.scheduleDlq,
    });
  }
}
