import type { ChannelDeliveries, ChannelDelivery, DeliveryStatus, DigestDeliveries } from '../../core/ports/channels';
import { keyOf, n, type Row, type RowKey, s } from './attributes';
import { keys, PARTITIONS } from './keys';
import { indexPartition, type TableRequests } from './requests';
import { PENDING_INDEX } from './schema';

const DELIVERY_PREFIX = 'DELIVERY#';

function deliveryRow(
  delivery: ChannelDelivery,
  key: RowKey = keys.delivery(delivery.alertId, delivery.channelId),
): Row {
  const optional = (name: string, value: string | null): Row => (value === null ? {} : { [name]: s(value) });
  return {
    ...keyOf(key),
    alertId: s(delivery.alertId),
    channelId: s(delivery.channelId),
    status: s(delivery.status),
    attempts: n(delivery.attempts),
    ...optional('nextAttemptAt', delivery.nextAttemptAt),
    ...optional('lastError', delivery.lastError),
    ...optional('settledAt', delivery.settledAt),
    // Parked deliveries are listed in the sparse outbox index under their own partition.
    ...(delivery.status === 'parked'
      ? {
          gsi2pk: s(PARTITIONS.parked),
          gsi2sk: s(`${delivery.settledAt ?? ''}#${delivery.alertId}#${delivery.channelId}`),
        }
      : {}),
  };
}

function deliveryFromRow(row: Row): ChannelDelivery {
  const status = row.status?.S;
  return {
    alertId: row.alertId?.S ?? '',
    channelId: row.channelId?.S ?? '',
    status: (status === 'sent' || status === 'parked' ? status : 'pending') as DeliveryStatus,
    attempts: Number(row.attempts?.N ?? '0'),
    nextAttemptAt: row.nextAttemptAt?.S ?? null,
    lastError: row.lastError?.S ?? null,
    settledAt: row.settledAt?.S ?? null,
  };
}

/** Per-channel delivery state: a small row per alert and channel beside the alert row (docs/data-model.md). */
export function createDynamoChannelDeliveries(table: TableRequests): ChannelDeliveries {
  return {
    async listDeliveries(alertId) {
      const rows = await table.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': s(keys.alert(alertId).pk), ':prefix': s(DELIVERY_PREFIX) },
        ConsistentRead: true,
      });
      return rows.map(deliveryFromRow);
    },
    saveDelivery: (delivery) => putUnlessSent(table, deliveryRow(delivery)),
    async listParkedDeliveries(limit) {
      const rows = await table.queryAll(indexPartition(PENDING_INDEX, PARTITIONS.parked), limit);
      return rows.map(deliveryFromRow);
    },
  };
}

/** A delivery already sent stays sent: a slower, concurrent attempt's failure cannot undo it. */
function putUnlessSent(table: TableRequests, row: Row): Promise<boolean> {
  return table.conditionalPut({
    Item: row,
    ConditionExpression: 'attribute_not_exists(pk) OR #status <> :sent',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':sent': s('sent') },
  });
}

/** A digest's record keyed by its day: `digest:<day>` is the id every channel and the parked listing show. */
const DIGEST_ID = /^digest:(\d{4}-\d{2}-\d{2})$/;
function digestKey(delivery: ChannelDelivery): RowKey {
  const day = DIGEST_ID.exec(delivery.alertId)?.[1];
  if (!day) throw new Error(`not a digest delivery: ${JSON.stringify(delivery.alertId)}`);
  return keys.digestDelivery(day, delivery.channelId);
}

/** The daily digest's delivery state: a DIGEST#<day> partition with a DELIVERY# row per channel. */
export function createDynamoDigestDeliveries(table: TableRequests): DigestDeliveries {
  return {
    async listDigestDeliveries(day) {
      const rows = await table.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': s(keys.digestDelivery(day, '').pk), ':prefix': s(DELIVERY_PREFIX) },
        ConsistentRead: true,
      });
      return rows.map(deliveryFromRow);
    },
    async claimDigestDelivery(delivery, now, until) {
      const claimed = { ...delivery, status: 'pending' as const, nextAttemptAt: until.toISOString() };
      // As read and due: a second run that read the same record before this write finds it taken and sends nothing.
      return table.conditionalPut({
        Item: deliveryRow(claimed, digestKey(delivery)),
        ConditionExpression:
          'attribute_not_exists(pk) OR (#status = :pending AND attempts = :attempts AND ' +
          '(attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': s('pending'),
          ':attempts': n(delivery.attempts),
          ':now': s(now.toISOString()),
        },
      });
    },
    async saveDigestDelivery(delivery) {
      return putUnlessSent(table, deliveryRow(delivery, digestKey(delivery)));
    },
  };
}
