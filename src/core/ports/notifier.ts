import type { Alert } from '../stance-state';

/** Where alerts go: SNS in AWS, the console and a JSON Lines file locally. */
export interface AlertNotifier {
  /**
   * Must throw when delivery failed, so the alert stays pending; an `UndeliverableError` when no retry can deliver
   * this alert, so it is parked instead of being retried on every sweep.
   */
  publish(alert: Alert): Promise<void>;
}

/**
 * Thrown by a notifier whose service refused this alert for good (SNS's InvalidParameter for a message it will never
 * take): a retry would be refused the same way. The publisher parks the alert (kept with the reason, counted,
 * logged) and goes on with the others. Not for outages or configuration errors, which a retry or a fix may cure.
 */
export class UndeliverableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UndeliverableError';
  }
}

/**
 * Thrown by a notifier that delivered nothing this time because every delivery left is waiting out its
 * backoff: the alert stays pending, and the sweep counts it as deferred rather than failed.
 */
export class DeliveryDeferredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryDeferredError';
  }
}

/**
 * Thrown by a notifier whose primary delivery (SNS) has the alert while some channel failed this time: the alert
 * stays pending for that channel's retry, which has its own backoff, parking and alarm. Not an outage of the
 * publisher itself.
 */
export class ChannelsPendingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelsPendingError';
  }
}
