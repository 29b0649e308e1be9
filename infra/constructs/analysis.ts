import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../src/config/env';
import type { AdaptiveScheduleConfig } from '../../src/ingestion/adaptive-schedule';
import { publisherTableAccess, TABLE_ACCESS } from '../permissions';
import { ScheduledInvoke } from './scheduled-invoke';
import { type FunctionDefaults, type StorywatchFunction, tableFunction } from './storywatch-function';

export interface AnalysisProps {
  table: ITableV2;
  alertTopic: ITopic;
  functionDefaults: FunctionDefaults;
  /** The queue of new items that ingestion fills. */
  itemQueue: IQueue;
  analyzerMaxConcurrency: number;
  /** The poller's thresholds: the analyzer moves the feeds of confirmed follow-ups to the hot interval. */
  adaptiveSchedule: AdaptiveScheduleConfig;
  publisherSweepMinutes: number;
  scheduleDlq: IQueue;
  /** The publisher also delivers to Slack/Teams/webhook channels and keeps their delivery state. */
  withChannels: boolean;
}

/**
 * From new items to alerts: the analyzer classifies each item, tracks stances and publishes the alerts it
 * commits; the publisher sweeps the outbox for alerts a failed publish left pending.
 */
export class Analysis extends Construct {
  readonly analyzer: StorywatchFunction;
  readonly publisher: StorywatchFunction;

  constructor(scope: Construct, id: string, props: AnalysisProps) {
    super(scope, id);

    this.analyzer = tableFunction(this, 'Analyzer', props, TABLE_ACCESS.analyzer, {
      handler: 'analyzer',
      description: 'Classifies new items, tracks stances and publishes the alerts it commits',
      memorySize: 512,
      environment: { [ENV.adaptiveSchedule]: JSON.stringify(props.adaptiveSchedule) },
    }).bindTopic(props.alertTopic);
    this.analyzer.function.addEventSource(
      new SqsEventSource(props.itemQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // Stance commits are optimistic; few concurrent analyzers keep conflicts and retries rare.
        maxConcurrency: props.analyzerMaxConcurrency,
      }),
    );

    this.publisher = tableFunction(this, 'Publisher', props, publisherTableAccess(props.withChannels), {
      handler: 'publisher',
      description: 'Sends alerts still pending in the outbox',
      memorySize: 256,
    }).bindTopic(props.alertTopic);

    new ScheduledInvoke(this, 'PublishSweepSchedule', {
      target: this.publisher,
      every: Duration.minutes(props.publisherSweepMinutes),
      description: 'Sends alerts the analyzer could not publish right away',
      task: 'publish',
      deadLetterQueue: props.scheduleDlq,
    });
  }
}
