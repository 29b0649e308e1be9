import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../src/config/env';
import type { AdaptiveScheduleConfig } from '../../src/ingestion/adaptive-schedule';
import { TABLE_ACCESS } from '../permissions';
import { ScheduledInvoke } from './scheduled-invoke';
import { type FunctionDefaults, type StorywatchFunction, tableFunction } from './storywatch-function';
import { WorkQueue } from './work-queue';

/** How long one feed fetch may take; the poller function and its queue must outlast it. */
export const POLL_DEADLINE = Duration.seconds(20);

export interface IngestionProps {
  table: ITableV2;
  functionDefaults: FunctionDefaults;
  /** Visibility timeout of the feed and item queues. */
  queueVisibility: Duration;
  /** The dispatcher's tick; who is polled on a tick is decided by the feeds' adaptive due times. */
  pollRateMinutes: number;
  adaptiveSchedule: AdaptiveScheduleConfig;
  pollerMaxConcurrency: number;
  scheduleDlq: IQueue;
}

/**
 * From the schedule to new items: the dispatcher enqueues the feeds that are due, the poller fetches one feed per
 * message and enqueues the items it has not seen. The item queue is the hand-over to analysis.
 */
export class Ingestion extends Construct {
  readonly dispatcher: StorywatchFunction;
  readonly poller: StorywatchFunction;
  readonly feedQueue: WorkQueue;
  readonly itemQueue: WorkQueue;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    this.feedQueue = new WorkQueue(this, 'FeedQueue', { visibilityTimeout: props.queueVisibility });
    this.itemQueue = new WorkQueue(this, 'ItemQueue', { visibilityTimeout: props.queueVisibility });

    this.dispatcher = tableFunction(this, 'Dispatcher', props, TABLE_ACCESS.dispatcher, {
      handler: 'dispatcher',
      description: 'Enqueues one message per feed that is due for polling',
      memorySize: 256,
      // Its WebSub upkeep puts a feed that stopped pushing back on polling within the schedule's politeness.
      environment: { [ENV.adaptiveSchedule]: JSON.stringify(props.adaptiveSchedule) },
    }).bindQueue(this.feedQueue.queue, ENV.feedQueueUrl);

    this.poller = tableFunction(this, 'Poller', props, TABLE_ACCESS.poller, {
      handler: 'poller',
      description: 'Polls one feed per message and enqueues its new items',
      memorySize: 512,
      environment: {
        [ENV.pollDeadlineMs]: String(POLL_DEADLINE.toMilliseconds()),
        [ENV.adaptiveSchedule]: JSON.stringify(props.adaptiveSchedule),
      },
    }).bindQueue(this.itemQueue.queue, ENV.itemQueueUrl);
    this.poller.function.addEventSource(
      new SqsEventSource(this.feedQueue.queue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: props.pollerMaxConcurrency,
      }),
    );

    new ScheduledInvoke(this, 'PollSchedule', {
      target: this.dispatcher,
      every: Duration.minutes(props.pollRateMinutes),
      description: 'Starts a polling round',
      task: 'dispatch',
      deadLetterQueue: props.scheduleDlq,
    });
  }
}
