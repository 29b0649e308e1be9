import type { Alert } from '../../../core/stance-state';
import { boundedAlert } from '../../../core/text-limits';
import { data, keyOf, type Row, s, withData } from '../attributes';
import { keys, PARTITIONS } from '../keys';
import { fittedRow } from './fit-row';

/**
 * An alert row: listed by time under ALERTS in gsi1, and while pending under PENDING in the sparse outbox index.
 * The status lives outside the JSON body so marking an alert sent is one small update.
 */
export function alertRow(alert: Alert): Row {
  const timeKey = `${alert.createdAt}#${alert.id}`;
  return fittedRow('alert', (links) => ({
    ...keyOf(keys.alert(alert.id)),
    storyId: s(alert.storyId),
    party: s(alert.party),
    kind: s(alert.kind),
    severity: s(alert.severity),
    status: s(alert.status),
    createdAt: s(alert.createdAt),
    gsi1pk: s(PARTITIONS.alerts),
    gsi1sk: s(timeKey),
    ...(alert.status === 'pending' ? { gsi2pk: s(PARTITIONS.pending), gsi2sk: s(timeKey) } : {}),
    ...withData(boundedAlert(alert, links)),
  }));
}

export function alertFromRow(row: Row): Alert {
  const alert = data<Alert>(row);
  const status = row.status?.S === 'sent' || row.status?.S === 'parked' ? row.status.S : 'pending';
  const parked =
    status === 'parked' ? { parked: { at: row.parkedAt?.S ?? '', reason: row.parkedReason?.S ?? '' } } : {};
  return { ...alert, status, sentAt: row.sentAt?.S ?? null, ...parked };
}
