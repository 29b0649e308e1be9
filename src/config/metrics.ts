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

/** What the reader reports per analysis batch; the stack alarms on the fallback share and on a spent budget. */
export const READER_METRIC = {
  /** Items whose final reading came from the model. */
  modelReadings: 'ReaderModelReadings',
  /** Items the model was meant to read whose rules reading stands in (transport, malformed, ungrounded, …). */
  fallbacks: 'ReaderFallbacks',
  /** Of the fallbacks, those because the story's daily budget was spent. */
  budgetFallbacks: 'ReaderBudgetFallbacks',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC] | (typeof READER_METRIC)[keyof typeof READER_METRIC];
