import type { Outbox } from '../../core/ports/outbox';
import { clipText } from '../../core/text-limits';
import { keyOf, s } from './attributes';
import { keys, PARTITIONS } from './keys';
import { indexPartition, type TableRequests } from './requests';
import { alertFromRow } from './rows/alert-rows';
import { PENDING_INDEX } from './schema';

/** A parked alert's reason is an error message: kept readable, never large enough to matter for the row. */
const PARKED_REASON_MAX_CHARS = 1_000;

export function createDynamoOutbox(table: TableRequests): Outbox {
  /** Sets the status of a pending alert and takes it out of the outbox index; false when it was not pending. */
  const settle = (alertId: string, status: 'sent' | 'parked', fields: Record<string, string>) => {
    const names = Object.keys(fields);
    return table.conditionalUpdate({
      Key: keyOf(keys.alert(alertId)),
      UpdateExpression: `SET #status = :status, ${names.map((name) => `${name} = :${name}`).join(', ')} REMOVE gsi2pk, gsi2sk`,
      ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': s(status),
        ':pending': s('pending'),
        ...Object.fromEntries(names.map((name) => [`:${name}`, s(fields[name] as string)])),
      },
    });
  };
  const assertKnown = async (alertId: string, operation: string) => {
    // A missing alert is a bug upstream; an alert already settled (a second sweep after a crash) is kept as it is.
    if (!(await table.getRow(keys.alert(alertId)))) throw new Error(`${operation}: no alert ${alertId}`);
  };
  return {
    async listPendingAlerts(limit) {
      const rows = await table.queryAll(indexPartition(PENDING_INDEX, PARTITIONS.pending), limit);
      return rows.map(alertFromRow);
    },
    async markAlertSent(alertId, sentAt) {
      if (!(await settle(alertId, 'sent', { sentAt }))) await assertKnown(alertId, 'markAlertSent');
    },
    async markAlertParked(alertId, parked) {
      const reason = clipText(parked.reason, PARKED_REASON_MAX_CHARS);
      if (!(await settle(alertId, 'parked', { parkedAt: parked.at, parkedReason: reason }))) {
        await assertKnown(alertId, 'markAlertParked');
      }
    },
  };
}
