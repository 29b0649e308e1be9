import type { Alert } from '../stance-state';

/** Where alerts go: SNS in AWS, the console and a JSON Lines file locally. */
export interface AlertNotifier {
  /** Must throw when delivery failed, so the alert stays pending. */
  publish(alert: Alert): Promise<void>;
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
