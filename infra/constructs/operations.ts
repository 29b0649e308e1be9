import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, type MonitoringLevel, READER_METRIC, SERVICE_NAME } from '../../src/config/metrics';
import type { StorywatchFunction } from './storywatch-function';

export interface OperationsProps {
  /** Every alarm notifies this topic. */
  opsTopic: ITopic;
  /** Length of one heartbeat period; the heartbeat alarm fires after three without a successful poll. */
  heartbeatPeriodMinutes: number;
  /** Which alarms and whether a dashboard exist (src/config/metrics.ts has what each level means). */
  level: MonitoringLevel;
}

const FIVE_MINUTES = Duration.minutes(5);
const HOUR = Duration.hours(1);

/**
 * Alarms and, at the `full` level, the dashboard. The feed-poll alarms exist from the start; functions and queues
 * join through watchFunction / watchDeadLetterQueue / watchBacklog, so a construct that adds a function or a queue
 * adds its alarm in the same place it creates it, and the level decides here whether that alarm exists.
 */
export class Operations extends Construct {
  readonly alarms: Alarm[] = [];
  readonly level: MonitoringLevel;
  /** Only at the `full` level: a dashboard costs $3 a month, more than all of standard's alarms together. */
  readonly dashboard: Dashboard | null;
  private readonly opsAction: SnsAction;
  private readonly graphs: { backlog: GraphWidget; errors: GraphWidget; duration: GraphWidget } | null;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.level = props.level;
    this.opsAction = new SnsAction(props.opsTopic);
    // Minimal keeps only the alarms on parked work, which is lost if nobody hears of it; standard adds a poll that
    // went quiet or keeps failing.
    const failureRatio =
      props.level === 'minimal' ? null : this.alarmOnFeedPolls(Duration.minutes(props.heartbeatPeriodMinutes));
    const board = props.level === 'full' && failureRatio ? this.buildDashboard(failureRatio) : null;
    this.dashboard = board?.dashboard ?? null;
    this.graphs = board?.graphs ?? null;
  }

  /**
   * At `full`, alarms on any error of the function and graphs its errors and p95 duration. Below it a failure
   * that matters still reaches a DLQ alarm: Scheduler-invoked functions park the tick, queue consumers the message.
   */
  watchFunction(name: string, fn: StorywatchFunction): void {
    if (this.level !== 'full' || !this.graphs) return;
    const errors = fn.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
    this.addAlarm(`${capitalize(name)}ErrorsAlarm`, {
      alarmDescription: `The ${name} function failed`,
      metric: errors,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.graphs.errors.addLeftMetric(errors);
    this.graphs.duration.addLeftMetric(fn.function.metricDuration({ period: FIVE_MINUTES, statistic: 'p95' }));
  }

  /** At every level, alarms as soon as one message waits in the queue; `meaning` says what a parked message is. */
  watchDeadLetterQueue(name: string, queue: IQueue, meaning: string): void {
    const depth = visibleMessages(queue);
    this.addAlarm(`${name}DepthAlarm`, {
      alarmDescription: `Messages are waiting in ${name}: ${meaning}`,
      metric: depth,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.graphs?.backlog.addLeftMetric(depth);
  }

  /** Graphs a work queue's backlog on the dashboard; a backlog alone is no failure, so no alarm. */
  watchBacklog(queue: IQueue): void {
    this.graphs?.backlog.addLeftMetric(visibleMessages(queue));
  }

  private buildDashboard(failureRatio: MathExpression) {
    const graphs = {
      backlog: new GraphWidget({ title: 'Queue backlog', width: 12 }),
      errors: new GraphWidget({ title: 'Function errors', width: 12 }),
      duration: new GraphWidget({ title: 'Function duration (p95)', width: 12 }),
    };
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    dashboard.addWidgets(
      new TextWidget({ markdown: '# Storywatch', width: 24, height: 1 }),
      countsGraph('Feed polls', [METRIC.feedsPolled, METRIC.feedsNotModified, METRIC.feedsFailed]),
      countsGraph('Items, follow-ups, stance changes, alerts', [
        METRIC.itemsNew,
        METRIC.followUps,
        METRIC.stanceChanges,
        METRIC.alertsSent,
        METRIC.itemsFailed,
      ]),
      new GraphWidget({ title: 'Feed failure ratio', left: [failureRatio], width: 12 }),
      graphs.backlog,
      graphs.errors,
      graphs.duration,
    );
    return { dashboard, graphs };
  }

  /**
   * The poll heartbeat (no successful poll for three periods) and the feed failure ratio; returns the ratio for
   * the dashboard.
   */
  private alarmOnFeedPolls(period: Duration): MathExpression {
    const minutes = period.toMinutes();
    const feedsPolled = storywatchMetric(METRIC.feedsPolled, period);
    const feedsFailed = storywatchMetric(METRIC.feedsFailed, period);
    this.addAlarm('PollHeartbeatAlarm', {
      alarmDescription: `No feed was polled successfully for three periods of ${minutes} minutes`,
      metric: feedsPolled,
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      // Silence is the failure this alarm exists for: no datapoints means no successful poll.
      treatMissingData: TreatMissingData.BREACHING,
    });
    const failureRatio = new MathExpression({
      label: 'Feed failure ratio',
      expression: 'IF(polled + failed > 0, failed / (polled + failed), 0)',
      usingMetrics: { polled: feedsPolled, failed: feedsFailed },
      period,
    });
    this.addAlarm('FeedFailureRatioAlarm', {
      alarmDescription: 'More than half of the feed polls failed for three periods in a row',
      metric: failureRatio,
      threshold: 0.5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return failureRatio;
  }

  /**
   * The bedrock reader's alarms: the share of gated items whose model reading fell back to the rules (an outage,
   * throttling, a model answering badly), and any item handed to the rules because a story's daily budget ran out.
   * Not at `minimal`: a fallback reading is a worse reading, not a lost one.
   */
  watchReader(): void {
    if (this.level === 'minimal') return;
    const period = Duration.minutes(15);
    const fallbacks = storywatchMetric(READER_METRIC.fallbacks, period);
    const modelReadings = storywatchMetric(READER_METRIC.modelReadings, period);
    const fallbackShare = new MathExpression({
      label: 'Reader fallback share',
      expression: 'IF(fallbacks + model > 0, fallbacks / (fallbacks + model), 0)',
      usingMetrics: { fallbacks, model: modelReadings },
      period,
    });
    this.addAlarm('ReaderFallbackShareAlarm', {
      alarmDescription: 'More than a fifth of the items meant for the model were read by the rules, for 45 minutes',
      metric: fallbackShare,
      threshold: 0.2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.addAlarm('ReaderBudgetAlarm', {
      alarmDescription: "A story's daily model budget is spent: items are read by the rules until midnight UTC",
      metric: storywatchMetric(READER_METRIC.budgetFallbacks, period),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.dashboard?.addWidgets(new GraphWidget({ title: 'Reader fallback share', left: [fallbackShare], width: 12 }));
  }

  /**
   * At every level and in every deploy: something was given up on, so someone did not get it. An alert SNS refused
   * for good, an alert's channel delivery or a daily digest (a channel's or the daily topic's) whose attempts are
   * used up or whose receiver refused it. With or without channels, so a parked SNS digest is heard of too. What
   * parked is listed in the gsi2-pending index under `PARKED`, or as a `parked` alert (docs/deploy.md).
   */
  watchParkedDeliveries(): void {
    const parked = storywatchMetric(METRIC.deliveriesParked, FIVE_MINUTES);
    this.addAlarm('DeliveriesParkedAlarm', {
      alarmDescription:
        'A delivery was parked: an alert SNS refused, or an alert or daily digest a channel or the daily topic will not be sent (see the publisher and digest logs)',
      metric: parked,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.dashboard?.addWidgets(new GraphWidget({ title: 'Parked channel deliveries', left: [parked], width: 12 }));
  }

  /**
   * Not at `minimal`: the hosted story pages stopped updating. One failed publish is noted and retried by every
   * publisher sweep, so a failure in two sweep periods running means S3 (or the grant) is still refusing, not a
   * blip; the commits and alerts go on meanwhile, so this is stopped work, not lost work.
   */
  watchSitePublishing(sweepMinutes: number): void {
    if (this.level === 'minimal') return;
    // Periods past 6 hours would stretch two of them beyond what CloudWatch evaluates usefully for a stale page.
    const period = Duration.minutes(Math.min(Math.max(sweepMinutes, 5), 360));
    const failed = storywatchMetric(METRIC.sitePublishFailed, period);
    this.addAlarm('SitePublishFailedAlarm', {
      alarmDescription:
        'Publishing the story pages and feeds to S3 failed in two publisher sweeps running: the hosted pages are stale',
      metric: failed,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.dashboard?.addWidgets(new GraphWidget({ title: 'Failed story site publishes', left: [failed], width: 12 }));
  }

  private addAlarm(id: string, props: ConstructorParameters<typeof Alarm>[2]): Alarm {
    const alarm = new Alarm(this, id, props);
    alarm.addAlarmAction(this.opsAction);
    this.alarms.push(alarm);
    return alarm;
  }
}

function countsGraph(title: string, metricNames: string[]): GraphWidget {
  return new GraphWidget({ title, left: metricNames.map((name) => storywatchMetric(name, HOUR)), width: 12 });
}

function visibleMessages(queue: IQueue): IMetric {
  return queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' });
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
