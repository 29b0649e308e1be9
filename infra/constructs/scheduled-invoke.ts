import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { StorywatchFunction } from './storywatch-function';

/** Retries of a failed tick, by Scheduler (could not invoke) and by Lambda (the function threw). */
export const TICK_RETRY_ATTEMPTS = 2;
/** Lambda keeps an asynchronous event at most six hours; a longer rate still gives up after that. */
const LAMBDA_MAX_EVENT_AGE = Duration.hours(6);
/** Neither Scheduler nor Lambda accepts a maximum event age under one minute. */
const MIN_EVENT_AGE = Duration.minutes(1);

export interface ScheduledInvokeProps {
  target: StorywatchFunction;
  every: Duration;
  description: string;
  /** Names the job in the event, so a log line or a parked tick says which schedule it came from. */
  task: string;
  /** Where a tick is parked once its retries are spent, whether the invoke or the function failed. */
  deadLetterQueue: IQueue;
}

/**
 * An EventBridge Scheduler schedule that invokes one function asynchronously. Scheduler's retry policy and DLQ
 * cover only a failed invoke; once the invoke is accepted, a throw is Lambda's to retry, so the function gets
 * the same DLQ as its on-failure destination. Either way a lost tick ends up in the queue its alarm watches.
 * Retries stop once the tick is as old as the rate: by then the next tick does the same work.
 */
export class ScheduledInvoke extends Construct {
  readonly schedule: Schedule;
  /** The role Scheduler assumes; it may invoke the target only. */
  readonly role: Role;
  readonly target: StorywatchFunction;

  static allIn(scope: IConstruct): ScheduledInvoke[] {
    return scope.node.findAll().filter((node): node is ScheduledInvoke => node instanceof ScheduledInvoke);
  }

  constructor(scope: Construct, id: string, props: ScheduledInvokeProps) {
    super(scope, id);
    this.target = props.target;
    const maxEventAge = clamp(props.every, MIN_EVENT_AGE, LAMBDA_MAX_EVENT_AGE);

    props.target.function.configureAsyncInvoke({
      onFailure: new SqsDestination(props.deadLetterQueue),
      retryAttempts: TICK_RETRY_ATTEMPTS,
      maxEventAge,
    });

    this.role = new Role(this, 'Role', {
      // Only schedules of this account may assume it (confused-deputy protection, as AWS recommends for Scheduler).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: props.description,
      schedule: ScheduleExpression.rate(props.every),
      target: new LambdaInvoke(props.target.function, {
        role: this.role,
        input: ScheduleTargetInput.fromObject({ source: 'storywatch.schedule', task: props.task }),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: TICK_RETRY_ATTEMPTS,
        maxEventAge,
      }),
    });
  }
}

function clamp(value: Duration, min: Duration, max: Duration): Duration {
  const seconds = Math.min(Math.max(value.toSeconds(), min.toSeconds()), max.toSeconds());
  return Duration.seconds(seconds);
}
