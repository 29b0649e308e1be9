import type { ChannelDeliveries, ChannelDelivery, DeliveryStatus } from '../../core/ports/channels';
import { keyOf, n, type Row, s } from './attributes';
import { keys, PARTITIONS } from './keys';
import { indexPartition, type TableRequests } from './requests';
import { PENDING_INDEX } from './schema';

const DELIVERY_PREFIX = 'DELIVERY#';

function deliveryRow(delivery: ChannelDelivery): Row {
  const optional = (name: string, value: string | null): Row => (value === null ? {} : { [name]: s(value) });
  return {
    ...keyOf(keys.delivery(delivery.alertId, delivery.channelId)),
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
    saveDelivery(delivery) {
      // A delivery already sent stays sent: a slower, concurrent sweep's failure cannot undo it.
      return table.conditionalPut({
        Item: deliveryRow(delivery),
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': s('sent') },
      });
    },
    async listParkedDeliveries(limit) {
      const rows = await table.queryAll(indexPartition(PENDING_INDEX, PARTITIONS.parked), limit);
      return rows.map(deliveryFromRow);
    },
  };
}
