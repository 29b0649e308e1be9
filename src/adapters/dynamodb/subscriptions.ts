import type { WebSubSubscriptions } from '../../core/ports/subscriptions';
import type { Subscription } from '../../websub/subscription';
import { data, keyOf, type Row, s, withData } from './attributes';
import { indexPartition, type TableRequests } from './requests';
import { GSI1 } from './schema';

/** gsi1 partition listing every subscription, sorted by feed. */
export const SUBSCRIPTIONS_PARTITION = 'WEBSUB';
export const subscriptionKey = (id: string) => ({ pk: `WEBSUB#${id}`, sk: 'SUBSCRIPTION' });

/**
 * WebSub subscriptions as one row each (the record as JSON in `data`), listed under WEBSUB in gsi1. The secret is
 * stored with it: the hub signs every delivery with it, so the callback must read it back. At rest it is protected
 * by the table's KMS encryption and by the table grants (only the callback and the dispatcher functions read it);
 * it never appears in a log line or a CLI listing.
 */
export function createDynamoSubscriptions(table: TableRequests): WebSubSubscriptions {
  return {
    async get(id) {
      const row = await table.getRow(subscriptionKey(id));
      return row ? data<Subscription>(row) : undefined;
    },
    async put(subscription) {
      await table.batchPut([subscriptionRow(subscription)]);
    },
    async list() {
      const rows = await table.queryAll(indexPartition(GSI1, SUBSCRIPTIONS_PARTITION));
      return rows.map((row) => data<Subscription>(row));
    },
  };
}

function subscriptionRow(subscription: Subscription): Row {
  return {
    ...keyOf(subscriptionKey(subscription.id)),
    gsi1pk: s(SUBSCRIPTIONS_PARTITION),
    gsi1sk: s(`${subscription.feedId}#${subscription.id}`),
    ...withData(subscription),
  };
}
