export { createDynamoClient, type DynamoClientOptions, isLoopbackEndpoint } from './client';
export { createDynamoDueFeeds } from './due-feeds';
export { keys } from './keys';
export {
  DEFAULT_TABLE_NAME,
  dropTable,
  ensureTable,
  GLOBAL_SECONDARY_INDEXES,
  GSI1,
  PENDING_INDEX,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
} from './schema';
export { createDynamoStaleSites } from './stale-sites';
export { startTableOver } from './start-over';
export { createDynamoStoryStore, type DynamoStoreOptions } from './store';
export { createDynamoStoryHeat } from './story-heat';
export { createDynamoSubscriptions } from './subscriptions';
