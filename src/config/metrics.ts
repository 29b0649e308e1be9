/** Names shared by the handlers that emit the metrics and the stack that alarms and graphs on them. */
export const SERVICE_NAME = 'storywatch';
export const METRICS_NAMESPACE = 'Storywatch';

export const METRIC = {
  /** Feeds fetched successfully, changed or not: the poll heartbeat. */
  feedsPolled: 'FeedsPolled',
  feedsNotModified: 'FeedsNotModified',
  feedsFailed: 'FeedsFailed',
  itemsNew: 'ItemsNew',
  followUps: 'FollowUps',
  stanceChanges: 'StanceChanges',
  alertsSent: 'AlertsSent',
  /** Channel deliveries given up on (attempts used up, or refused by the receiver): alerts someone did not get. */
  deliveriesParked: 'DeliveriesParked',
  /** Items whose analysis could not be stored, each failed alone (partial batch response). */
  itemsFailed: 'ItemsFailed',
  /** Publishes of the hosted story pages and feeds that failed; the commit stands and the next sweep retries. */
  sitePublishFailed: 'SitePublishFailed',
} as const;

/** What the reader reports per analysis batch; the stack alarms on the fallback share and on a spent budget. */
export const READER_METRIC = {
  /** Items whose final reading came from the model. */
  modelReadings: 'ReaderModelReadings',
  /** Items the model was meant to read whose rules reading stands in (transport, malformed, ungrounded, …). */
  fallbacks: 'ReaderFallbacks',
  /** Of the fallbacks, those because the story's daily budget was spent. */
  budgetFallbacks: 'ReaderBudgetFallbacks',
  /**
   * Model readings refused by grounding (or unparseable, or omitted), with a `reason` dimension: `unknown_party`,
   * `unknown_label`, `unknown_condition`, `missing_quote`, `ungrounded_quote`, `malformed`, `omitted`.
   */
  rejections: 'ReaderRejections',
  /** Answer entries for refs that were not asked about (or carry none): ignored, but a sign of a confused model. */
  strangerRefs: 'ReaderStrangerRefs',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC] | (typeof READER_METRIC)[keyof typeof READER_METRIC];

/**
 * How much the deploy watches, chosen with the `monitoring` context key. Fixed monitoring is most of the bill, so
 * each level pays only for what it alarms on:
 * - `full`: every alarm, the dashboard and every count as a metric;
 * - `standard` (default): the alarms that mean lost or stopped work (DLQs, poll heartbeat, feed failure ratio,
 *   reader and SMS alarms, story pages that stopped updating), no dashboard, and only the metrics those alarms read;
 * - `minimal`: only the alarms on parked work, which is lost if nobody hears of it: the DLQs, and channel deliveries
 *   given up on (the one custom metric, written only when channels are declared and one parks).
 */
export const MONITORING_LEVELS = ['full', 'standard', 'minimal'] as const;
export type MonitoringLevel = (typeof MONITORING_LEVELS)[number];
export const DEFAULT_MONITORING_LEVEL: MonitoringLevel = 'standard';

/**
 * The custom metrics each level writes through EMF, all in one namespace (METRICS_NAMESPACE) with one dimension
 * (`service`), so each name is exactly one billed custom metric; ReaderRejections alone adds a `reason`, one metric
 * per reason that ever happens (seven at most, none while every answer holds up). A count left out is still in the
 * function's log line; the reader metrics are written only when the bedrock reader reads, DeliveriesParked only
 * when a channel delivery parks (channels declared), SitePublishFailed only when publishing the story pages fails.
 */
export const EMITTED_METRICS: Record<MonitoringLevel, readonly MetricName[]> = {
  full: [...Object.values(METRIC), ...Object.values(READER_METRIC)],
  standard: [
    METRIC.feedsPolled,
    METRIC.feedsFailed,
    METRIC.deliveriesParked,
    METRIC.sitePublishFailed,
    ...Object.values(READER_METRIC),
  ],
  minimal: [METRIC.deliveriesParked],
};

export function isMonitoringLevel(value: unknown): value is MonitoringLevel {
  return (MONITORING_LEVELS as readonly unknown[]).includes(value);
}
