import type { Alert, ParkedAlert } from '../stance-state';

/** Alerts committed with their stance change and not yet delivered. */
export interface Outbox {
  /** Oldest first, at most `limit`. */
  listPendingAlerts(limit?: number): Promise<Alert[]>;
  /** Takes the alert out of the outbox; marking it again keeps the first `sentAt`. Throws for an unknown alert. */
  markAlertSent(alertId: string, sentAt: string): Promise<void>;
  /**
   * Takes a pending alert the notifier refused for good out of the outbox, keeping it (status `parked`, with when and
   * why) for an operator to see. A sent or already parked alert is left as it is. Throws for an unknown alert.
   */
  markAlertParked(alertId: string, parked: ParkedAlert): Promise<void>;
}
