import type { TableAction } from './constructs/storywatch-function';

/**
 * The table operations each function's code sends, and nothing else: read from the use-cases each handler
 * calls and the store methods behind them. test/infra/permissions.test.ts runs every handler against a real
 * engine and fails when a function sends an operation missing here, or is granted one it never sends.
 */
export const TABLE_ACCESS = {
  // Due-time index: registerFeeds reads its mark (GetItem) and pointers (BatchGetItem), writes new feeds
  // (BatchWriteItem); readDue (Query); claimDue and dropFeed are transactions of puts and deletes (PutItem,
  // DeleteItem), a lost claim reads the pointer (GetItem). WebSub upkeep: the subscriptions due (Query on gsi2),
  // written back (BatchWriteItem); a feed that stopped pushing has its due time moved (GetItem, PutItem, DeleteItem).
  dispatcher: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'DeleteItem', 'BatchWriteItem'],
  // pollOneFeed: getFeedState and, for a hot feed, the story heat (GetItem); claimItems reads claims (BatchGetItem)
  // and writes them in conditional transactions or single conditional puts (PutItem); replaceFeedState (a
  // conditional PutItem); setDue reads the feed's due pointer (GetItem) and moves it in a transaction (PutItem,
  // DeleteItem). A feed naming a WebSub hub: its subscription looked up (Query on gsi1) and, when it has none that
  // pushes, the request stored (BatchWriteItem). Before the fetch, the host budget's window counter is taken
  // (a conditional UpdateItem).
  poller: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'DeleteItem', 'BatchWriteItem', 'UpdateItem'],
  // analyzeItems: story profiles (GetItem, PutItem), stance states (Query), stance commits in conditional
  // transactions of puts (PutItem) checked on replay (BatchGetItem), follow-up rows (UpdateItem keeping the first
  // record time; GetItem once for a row from before that), their article rows and item marks (BatchWriteItem);
  // then publishes what it committed: pending alerts (Query on the pending index), marks them sent (UpdateItem);
  // then heatFeeds: the heat row and feed states read (GetItem) and replaced conditionally (PutItem), the due
  // pointer read (GetItem) and moved earlier in a transaction (PutItem, DeleteItem).
  analyzer: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'DeleteItem', 'BatchWriteItem', 'UpdateItem'],
  // The WebSub callback: the subscription read (GetItem) and written back (BatchWriteItem) on a verification or a
  // refused delivery; a push's items claimed like a poll's (BatchGetItem, conditional PutItem).
  websub: ['GetItem', 'BatchGetItem', 'PutItem', 'BatchWriteItem'],
  // publishPendingAlerts: pending alerts (Query on the pending index), marks them sent (UpdateItem).
  publisher: ['Query', 'UpdateItem'],
} as const satisfies Record<string, readonly TableAction[]>;

/**
 * The digest function (only with daily channels): stance states, follow-ups, the alerts index and the day's
 * DIGEST# rows (Query), and its conditional claim and outcome writes of those rows (PutItem).
 */
export const DIGEST_TABLE_ACCESS = ['Query', 'PutItem'] as const satisfies readonly TableAction[];

/**
 * With channels declared the publisher also keeps each alert's delivery state per channel: it lists an alert's
 * DELIVERY# rows (Query, already granted) and writes them (PutItem).
 */
export function publisherTableAccess(withChannels: boolean): readonly TableAction[] {
  return withChannels ? [...TABLE_ACCESS.publisher, 'PutItem'] : TABLE_ACCESS.publisher;
}
