export { createDynamoClient, type DynamoClientOptions, isLoopbackEndpoint } from './client';
export { DEFAULT_DATA_DIR, type EmbeddedDynamo, startEmbeddedDynamo } from './embedded';
export { keys } from './keys';
export {
  DEFAULT_TABLE_NAME,
  ensureTable,
  GLOBAL_SECONDARY_INDEXES,
  GSI1,
  PENDING_INDEX,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
} from './schema';
export { createDynamoStoryStore, type DynamoStoreOptions } from './store';
export { attachWriteCounter, type WriteCounter, type WriteCounts } from './write-counter';
