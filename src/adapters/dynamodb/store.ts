import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Clock, type StoryStore, systemClock } from '../../core/ports/index';
import { createDynamoChannelDeliveries, createDynamoDigestDeliveries } from './deliveries';
import { createDynamoFeedStates } from './feed-states';
import { createDynamoFollowUps } from './follow-ups';
import { createDynamoItemClaims } from './item-claims';
import { createDynamoOutbox } from './outbox';
import { createDynamoReadModel } from './read-model';
import { createDynamoReadings } from './readings';
import { createTableRequests } from './requests';
import { createDynamoStanceLedger } from './stance-ledger';

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
  /**
   * How long an item's dedup claims (and its stored readings) live before TTL removes them. Feeds rarely repeat
   * items older than this.
   */
  dedupRetentionDays?: number;
}

/** Every storage port on one DynamoDB table (layout in docs/data-model.md); one adapter file per port. */
export function createDynamoStoryStore(options: DynamoStoreOptions): StoryStore {
  const table = createTableRequests(options.client, options.tableName);
  const clock = options.clock ?? systemClock;
  const retentionDays = options.dedupRetentionDays ?? 45;
  return {
    ...createDynamoFeedStates(table),
    ...createDynamoItemClaims(table, { clock, dedupRetentionDays: retentionDays }),
    ...createDynamoFollowUps(table),
    ...createDynamoStanceLedger(table, clock),
    ...createDynamoOutbox(table),
    ...createDynamoChannelDeliveries(table),
    ...createDynamoDigestDeliveries(table),
    ...createDynamoReadModel(table),
    ...createDynamoReadings(table, { clock, retentionDays }),
  };
}
