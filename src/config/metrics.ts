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
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
