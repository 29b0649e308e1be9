import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../src/config/env';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../src/config/metrics';
import { StorywatchFunction } from './constructs/storywatch-function';

export interface StatelessStackProps extends StackProps {
  table: ITableV2;
  alertTopic: ITopic;
  opsTopic: ITopic;
  pollRateMinutes: number;
  heartbeatPeriodMinutes: number;
  publisherSweepMinutes: number;
  pollerMaxConcurrency: number;
  analyzerMaxConcurrency: number;
  logRetention: RetentionDays;
  storiesDir: string;
  feedRegistryPath: string;
}

/** How long one feed fetch may take; the poller function and its queue must outlast it. */
export const POLL_DEADLINE = Duration.seconds(20);
export const FUNCTION_TIMEOUT = Duration.seconds(60);
/** AWS advises at least six times the function timeout so a throttled batch is not redelivered mid-run. */
export const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6);
export const MAX_RECEIVE_COUNT = 3;

/**
 * Throws when a slow feed could outlive its function or a running batch could reappear on the queue; both
 * would turn one slow feed into duplicate work. Exported so tests can prove the check bites.
 */
export function assertTimeoutOrder(pollDeadline: Duration, functionTimeout: Duration, visibility: Duration): void {
  const deadline = pollDeadline.toSeconds();
  const timeout = functionTimeout.toSeconds();
  const visible = visibility.toSeconds();
  if (!(deadline < timeout && timeout < visible)) {
    throw new Error(
      `Timeouts must satisfy poll deadline (${deadline}s) < function timeout (${timeout}s) < queue visibility (${visible}s)`,
    );
  }
}

/** Everything that can be redeployed freely: functions, queues, schedules, alarms and the dashboard. */
export class StatelessStack extends Stack {
  readonly functions: Record<'dispatcher' | 'poller' | 'analyzer' | 'publisher', StorywatchFunction>;
  readonly dashboard: Dashboard;
  readonly scheduleDlq: Queue;
  /** The role each schedule assumes, with the function it may invoke (for the nag acknowledgements). */
  readonly scheduleRoles: { role: Role; target: IFunction }[] = [];

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    assertTimeoutOrder(POLL_DEADLINE, FUNCTION_TIMEOUT, QUEUE_VISIBILITY_TIMEOUT);

    const feedQueue = this.queueWithDlq('FeedQueue');
    const itemQueue = this.queueWithDlq('ItemQueue');
    // Scheduler only parks an invocation here after its own retries; a message means a schedule tick was lost.
    const scheduleDlq = new Queue(this, 'ScheduleDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.scheduleDlq = scheduleDlq;

    const common = {
      timeout: FUNCTION_TIMEOUT,
      logRetention: props.logRetention,
      storiesDir: props.storiesDir,
      feedRegistryPath: props.feedRegistryPath,
    };
    const tableEnv = { [ENV.tableName]: props.table.tableName };

    const dispatcher = new StorywatchFunction(this, 'Dispatcher', {
      ...common,
      handler: 'dispatcher',
      description: 'Enqueues one message per feed that is due for polling',
      memorySize: 256,
      environment: { ...tableEnv, [ENV.feedQueueUrl]: feedQueue.queue.queueUrl },
    });
    props.table.grantReadData(dispatcher.function);
    feedQueue.queue.grantSendMessages(dispatcher.function);

    const poller = new StorywatchFunction(this, 'Poller', {
      ...common,
      handler: 'poller',
      description: 'Polls one feed per message and enqueues its new items',
      memorySize: 512,
      environment: {
        ...tableEnv,
        [ENV.itemQueueUrl]: itemQueue.queue.queueUrl,
        [ENV.pollDeadlineMs]: String(POLL_DEADLINE.toMilliseconds()),
      },
    });
    props.table.grantReadWriteData(poller.function);
    itemQueue.queue.grantSendMessages(poller.function);
    poller.function.addEventSource(
      new SqsEventSource(feedQueue.queue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: props.pollerMaxConcurrency,
      }),
    );

    const alertEnv = { ...tableEnv, [ENV.topicArn]: props.alertTopic.topicArn };
    const analyzer = new StorywatchFunction(this, 'Analyzer', {
      ...common,
      handler: 'analyzer',
      description: 'Classifies new items, tracks stances and publishes the alerts it commits',
      memorySize: 512,
      environment: alertEnv,
    });
    props.table.grantReadWriteData(analyzer.function);
    props.alertTopic.grantPublish(analyzer.function);
    analyzer.function.addEventSource(
      new SqsEventSource(itemQueue.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // Stance commits are optimistic; few concurrent analyzers keep conflicts and retries rare.
        maxConcurrency: props.analyzerMaxConcurrency,
      }),
    );

    const publisher = new StorywatchFunction(this, 'Publisher', {
      ...common,
      handler: 'publisher',
      description: 'Sends alerts still pending in the outbox',
      memorySize: 256,
      environment: alertEnv,
    });
    props.table.grantReadWriteData(publisher.function);
    props.alertTopic.grantPublish(publisher.function);

    new Schedule(this, 'PollSchedule', {
      description: 'Starts a polling round',
      schedule: ScheduleExpression.rate(Duration.minutes(props.pollRateMinutes)),
      target: new LambdaInvoke(dispatcher.function, {
        role: this.scheduleRole('PollScheduleRole', dispatcher.function),
        input: ScheduleTargetInput.fromObject({ source: 'storywatch.schedule', task: 'dispatch' }),
        deadLetterQueue: scheduleDlq,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(props.pollRateMinutes),
      }),
    });
    new Schedule(this, 'PublishSweepSchedule', {
      description: 'Sends alerts the analyzer could not publish right away',
      schedule: ScheduleExpression.rate(Duration.minutes(props.publisherSweepMinutes)),
      target: new LambdaInvoke(publisher.function, {
        role: this.scheduleRole('PublishSweepScheduleRole', publisher.function),
        input: ScheduleTargetInput.fromObject({ source: 'storywatch.schedule', task: 'publish' }),
        deadLetterQueue: scheduleDlq,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(props.publisherSweepMinutes),
      }),
    });

    this.functions = { dispatcher, poller, analyzer, publisher };

    // --- operations ---
    const opsAction = new SnsAction(props.opsTopic);
    const alarms: Alarm[] = [];
    const dlqs = { FeedDlq: feedQueue.dlq, ItemDlq: itemQueue.dlq, ScheduleDlq: scheduleDlq };
    for (const [name, dlq] of Object.entries(dlqs)) {
      alarms.push(
        new Alarm(this, `${name}DepthAlarm`, {
          alarmDescription: `Messages are waiting in ${name}: they failed ${MAX_RECEIVE_COUNT} times and need a look`,
          metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [name, fn] of Object.entries(this.functions)) {
      alarms.push(
        new Alarm(this, `${capitalize(name)}ErrorsAlarm`, {
          alarmDescription: `The ${name} function failed`,
          metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    const pollPeriod = Duration.minutes(props.heartbeatPeriodMinutes);
    const feedsPolled = storywatchMetric(METRIC.feedsPolled, pollPeriod);
    const feedsFailed = storywatchMetric(METRIC.feedsFailed, pollPeriod);
    alarms.push(
      new Alarm(this, 'PollHeartbeatAlarm', {
        alarmDescription: `No feed was polled successfully for three periods of ${props.heartbeatPeriodMinutes} minutes`,
        metric: feedsPolled,
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // Silence is the failure this alarm exists for: no datapoints means no successful poll.
        treatMissingData: TreatMissingData.BREACHING,
      }),
    );
    const failureRatio = new MathExpression({
      label: 'Feed failure ratio',
      expression: 'IF(polled + failed > 0, failed / (polled + failed), 0)',
      usingMetrics: { polled: feedsPolled, failed: feedsFailed },
      period: pollPeriod,
    });
    alarms.push(
      new Alarm(this, 'FeedFailureRatioAlarm', {
        alarmDescription: 'More than half of the feed polls failed for three periods in a row',
        metric: failureRatio,
        threshold: 0.5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const alarm of alarms) alarm.addAlarmAction(opsAction);

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    const hour = Duration.hours(1);
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# Storywatch', width: 24, height: 1 }),
      new GraphWidget({
        title: 'Feed polls',
        left: [METRIC.feedsPolled, METRIC.feedsNotModified, METRIC.feedsFailed].map((name) =>
          storywatchMetric(name, hour),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Items, follow-ups, stance changes, alerts',
        left: [METRIC.itemsNew, METRIC.followUps, METRIC.stanceChanges, METRIC.alertsSent].map((name) =>
          storywatchMetric(name, hour),
        ),
        width: 12,
      }),
      new GraphWidget({ title: 'Feed failure ratio', left: [failureRatio], width: 12 }),
      new GraphWidget({
        title: 'Queue backlog',
        left: [feedQueue.queue, itemQueue.queue, feedQueue.dlq, itemQueue.dlq, scheduleDlq].map((queue) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function errors',
        left: Object.values(this.functions).map((fn) => fn.function.metricErrors({ period: Duration.minutes(5) })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function duration (p95)',
        left: Object.values(this.functions).map((fn) =>
          fn.function.metricDuration({ period: Duration.minutes(5), statistic: 'p95' }),
        ),
        width: 12,
      }),
    );

    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName, description: 'CloudWatch dashboard' });
    new CfnOutput(this, 'FeedQueueUrl', { value: feedQueue.queue.queueUrl, description: 'Queue of feeds to poll' });
    new CfnOutput(this, 'ItemQueueUrl', { value: itemQueue.queue.queueUrl, description: 'Queue of items to analyze' });
  }

  private scheduleRole(id: string, target: IFunction): Role {
    const role = new Role(this, id, {
      // Only schedules of this account may assume it (confused-deputy protection, as AWS recommends for Scheduler).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    this.scheduleRoles.push({ role, target });
    return role;
  }

  private queueWithDlq(id: string): { queue: Queue; dlq: Queue } {
    const dlq = new Queue(this, `${id}Dlq`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    return { queue, dlq };
  }
}

function storywatchMetric(metricName: string, period: Duration): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    // Powertools Metrics adds the service dimension to every datapoint; a metric without it matches nothing.
    dimensionsMap: { service: SERVICE_NAME },
    statistic: 'Sum',
    period,
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
