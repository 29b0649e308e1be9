import type { WebSubSubscriptions } from '../../core/ports/subscriptions';
import { boundedId } from '../../core/text-limits';
import { DEFAULT_WEBSUB_CONFIG, type Subscription, type WebSubConfig } from '../../websub/subscription';
import { latestOf, upkeepDueAt } from '../../websub/upkeep';
import { data, keyOf, type Row, s, withData } from './attributes';
import { keys } from './keys';
import { indexPartition, type TableRequests } from './requests';
import { GSI1, PENDING_INDEX } from './schema';

/** gsi1 partition listing every subscription, sorted by feed. */
export const SUBSCRIPTIONS_PARTITION = 'WEBSUB';
/** Partition of the sparse gsi2 index holding the subscriptions that need upkeep, by when they need it. */
export const UPKEEP_PARTITION = 'WEBSUB-UPKEEP';

/**
 * WebSub subscriptions as one row each (the record as JSON in `data`), listed under WEBSUB in gsi1 by feed, and,
 * while their upkeep has something to do, under WEBSUB-UPKEEP in gsi2 by when (upkeepDueAt): a dispatcher tick
 * reads only that due range, so its cost follows the subscriptions that need renewing, not all of them. The secret
 * is stored with it: the hub signs every delivery with it, so the callback must read it back. At rest it is
 * protected by the table's KMS encryption and by the table grants (only the callback, the poller and the
 * dispatcher read it); it never appears in a log line or a CLI listing. `config` times the upkeep index: pass the
 * one the subscriber and the callback use.
 */
export function createDynamoSubscriptions(
  table: TableRequests,
  config: WebSubConfig = DEFAULT_WEBSUB_CONFIG,
): WebSubSubscriptions {
  const subscriptionRow = (subscription: Subscription) => rowOf(subscription, upkeepDueAt(subscription, config));
  return {
    async get(id) {
      const row = await table.getRow(keys.subscription(id));
      return row ? data<Subscription>(row) : undefined;
    },
    async put(subscription) {
      await table.batchPut([subscriptionRow(subscription)]);
    },
    async list() {
      const rows = await table.queryAll(indexPartition(GSI1, SUBSCRIPTIONS_PARTITION));
      return rows.map((row) => data<Subscription>(row));
    },
    async forFeed(feedId) {
      const rows = await table.queryAll({
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :partition AND begins_with(gsi1sk, :feed)',
        ExpressionAttributeValues: { ':partition': s(SUBSCRIPTIONS_PARTITION), ':feed': s(`${boundedId(feedId)}#`) },
      });
      return latestOf(rows.map((row) => data<Subscription>(row)));
    },
    async upkeepDue(now, limit) {
      // Every entry due at `now` sorts before `<now>$` ('$' follows the '#' after the time).
      const page = await table.queryCounted(
        {
          IndexName: PENDING_INDEX.name,
          KeyConditionExpression: 'gsi2pk = :partition AND gsi2sk < :after',
          ExpressionAttributeValues: { ':partition': s(UPKEEP_PARTITION), ':after': s(`${now}$`) },
        },
        limit,
      );
      return { subscriptions: page.rows.map((row) => data<Subscription>(row)), readUnits: page.readUnits };
    },
  };
}

/** Ids and feed ids are bounded by bytes in the index sort keys too, as keys.ts bounds them in the primary key. */
function rowOf(subscription: Subscription, upkeepAt: string | null): Row {
  return {
    ...keyOf(keys.subscription(subscription.id)),
    gsi1pk: s(SUBSCRIPTIONS_PARTITION),
    gsi1sk: s(`${boundedId(subscription.feedId)}#${boundedId(subscription.id)}`),
    ...(upkeepAt !== null
      ? { gsi2pk: s(UPKEEP_PARTITION), gsi2sk: s(`${upkeepAt}#${boundedId(subscription.id)}`) }
      : {}),
    ...withData(subscription),
  };
}
