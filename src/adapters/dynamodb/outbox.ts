import type { Outbox } from '../../core/ports/outbox';
import { keyOf, s } from './attributes';
import { keys, PARTITIONS } from './keys';
import { indexPartition, type TableRequests } from './requests';
import { alertFromRow } from './rows/alert-rows';
import { PENDING_INDEX } from './schema';

export function createDynamoOutbox(table: TableRequests): Outbox {
  return {
    async listPendingAlerts(limit) {
      const rows = await table.queryAll(indexPartition(PENDING_INDEX, PARTITIONS.pending), limit);
      return rows.map(alertFromRow);
    },
    async markAlertSent(alertId, sentAt) {
      const marked = await table.conditionalUpdate({
        Key: keyOf(keys.alert(alertId)),
        UpdateExpression: 'SET #status = :sent, sentAt = :sentAt REMOVE gsi2pk, gsi2sk',
        ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': s('sent'), ':pending': s('pending'), ':sentAt': s(sentAt) },
      });
      // Already sent (a second sweep after a crash): keep the first sentAt. A missing alert is a bug upstream.
      if (!marked && !(await table.getRow(keys.alert(alertId)))) throw new Error(`markAlertSent: no alert ${alertId}`);
    },
  };
}
