import type { Digest } from '../digest';
import type { Alert, AlertSeverity } from '../stance-state';

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

/**
 * The daily digest's delivery state: one record per UTC day and channel, the same shape as an alert's. Two runs of
 * the same day (a duplicate schedule tick, the CLI beside the function) race through `claimDigestDelivery`: only
 * one of them sends.
 */
export interface DigestDeliveries {
  /** Every channel's record for the day's digest (channels never tried have none). */
  listDigestDeliveries(day: string): Promise<ChannelDelivery[]>;
  /**
   * Takes the (day, channel) digest for one attempt with a conditional write: succeeds only while the record is
   * as `delivery` says (absent, or pending with those attempts) and due at `now`, and keeps other runs off it
   * until `until`. False when another run took it first or it was settled meanwhile.
   */
  claimDigestDelivery(delivery: ChannelDelivery, now: Date, until: Date): Promise<boolean>;
  /** Writes the outcome of an attempt; a record already sent stays sent (false then). */
  saveDigestDelivery(delivery: ChannelDelivery): Promise<boolean>;
}

/** A channel that takes one digest a day instead of each alert (`digest: "daily"`). */
export interface DigestChannel {
  readonly id: string;
  /** The channel's filter, which decides what its digest holds. */
  readonly filter: { parties?: readonly string[]; severities?: readonly AlertSeverity[] };
  /** Must throw when delivery failed, so it is tried again. */
  deliverDigest(digest: Digest): Promise<void>;
}
