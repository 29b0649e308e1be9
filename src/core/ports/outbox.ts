import type { Alert } from '../stance-state';

/** Alerts committed with their stance change and not yet delivered. */
export interface Outbox {
  /** Oldest first, at most `limit`. */
  listPendingAlerts(limit?: number): Promise<Alert[]>;
  /** Takes the alert out of the outbox; marking it again keeps the first `sentAt`. Throws for an unknown alert. */
  markAlertSent(alertId: string, sentAt: string): Promise<void>;
}
