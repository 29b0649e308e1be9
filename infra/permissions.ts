import type { TableAction } from './constructs/storywatch-function';

/**
 * The table operations each function's code sends, and nothing else: read from the use-cases each handler
 * calls and the store methods behind them. test/infra/permissions.test.ts runs every handler against a real
 * engine and fails when a function sends an operation missing here, or is granted one it never sends.
 */
export const TABLE_ACCESS = {
  // findDueFeeds: getFeedStates (BatchGetItem).
  dispatcher: ['BatchGetItem'],
  // pollOneFeed: getFeedState (GetItem); recordItems reads claims (BatchGetItem) and writes them in conditional
  // transactions or single conditional puts (PutItem); putFeedStates (BatchWriteItem).
  poller: ['GetItem', 'BatchGetItem', 'PutItem', 'BatchWriteItem'],
  // analyzeItems: story profiles (GetItem, PutItem), stance states (Query), stance commits in conditional
  // transactions of puts (PutItem) checked on replay (BatchGetItem), follow-ups and item marks (BatchWriteItem);
  // then publishes what it committed: pending alerts (Query on the pending index), marks them sent (UpdateItem).
  analyzer: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'BatchWriteItem', 'UpdateItem'],
  // publishPendingAlerts: pending alerts (Query on the pending index), marks them sent (UpdateItem).
  publisher: ['Query', 'UpdateItem'],
} as const satisfies Record<string, readonly TableAction[]>;
