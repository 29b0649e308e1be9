import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** How many receives a message gets before it is parked in its DLQ. */
export const MAX_RECEIVE_COUNT = 3;

/** Encrypted, TLS-only and kept two weeks: every DLQ, whether SQS, Lambda or Scheduler parks messages in it. */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

export interface WorkQueueProps {
  /** Must outlast the consuming function's timeout, or a running batch reappears on the queue. */
  visibilityTimeout: Duration;
}

/** A queue a function consumes, with its own DLQ after MAX_RECEIVE_COUNT receives. */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.dlq = deadLetterQueue(this, 'Dlq');
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
