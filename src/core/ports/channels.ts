import type { Alert } from '../stance-state';

/**
 * A destination an alert is delivered to besides the primary notifier: a Slack or Teams webhook, a generic
 * signed webhook. The publisher keeps a delivery state per alert and channel, so channels fail on their own.
 */
export interface AlertChannel {
  /** Stable, unique among the configured channels: it keys the channel's delivery state. */
  readonly id: string;
  /** The channel's filter (parties, severities); an alert it does not accept is never sent to it. */
  accepts(alert: Alert): boolean;
  /** Must throw when delivery failed, so the delivery is tried again. */
  deliver(alert: Alert): Promise<void>;
}

export type DeliveryStatus = 'pending' | 'sent' | 'parked';

/** Where one alert stands with one channel. */
export interface ChannelDelivery {
  alertId: string;
  channelId: string;
  status: DeliveryStatus;
  /** Failed attempts so far. */
  attempts: number;
  /** When a pending delivery may be tried again; null: at the next sweep. */
  nextAttemptAt: string | null;
  lastError: string | null;
  /** Time of the successful delivery, or of parking. */
  settledAt: string | null;
}

/** The delivery state of alerts per channel: one record per alert and channel. */
export interface ChannelDeliveries {
  /** Every channel's record for this alert (channels never tried have none). */
  listDeliveries(alertId: string): Promise<ChannelDelivery[]>;
  /**
   * Writes the record. A record already sent stays sent (a second sweep after a crash cannot undo it).
   * Returns false when it was not written for that reason.
   */
  saveDelivery(delivery: ChannelDelivery): Promise<boolean>;
  /** Deliveries given up on, oldest first: what an operator looks at when the parked alarm fires. */
  listParkedDeliveries(limit?: number): Promise<ChannelDelivery[]>;
}
