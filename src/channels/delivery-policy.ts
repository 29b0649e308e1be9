import type { ChannelDelivery } from '../core/ports/channels';

/** How often and how patiently a failing channel is retried before it is parked. */
export interface RetryPolicy {
  /** Wait after the first failure; doubled after each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failed attempts after which the delivery is parked (given up on, alarmed). */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 60 * 60_000, maxAttempts: 8 };

export function firstDelivery(alertId: string, channelId: string): ChannelDelivery {
  return { alertId, channelId, status: 'pending', attempts: 0, nextAttemptAt: null, lastError: null, settledAt: null };
}

/** A pending delivery is due once its backoff has passed; sent and parked ones never are. */
export function isDue(delivery: ChannelDelivery, now: Date): boolean {
  if (delivery.status !== 'pending') return false;
  return delivery.nextAttemptAt === null || Date.parse(delivery.nextAttemptAt) <= now.getTime();
}

export function afterSuccess(delivery: ChannelDelivery, now: Date): ChannelDelivery {
  return { ...delivery, status: 'sent', nextAttemptAt: null, settledAt: now.toISOString() };
}

/** One more failure: wait longer (exponential, capped), or park once the attempts are used up. */
export function afterFailure(
  delivery: ChannelDelivery,
  error: string,
  now: Date,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): ChannelDelivery {
  const attempts = delivery.attempts + 1;
  const lastError = error.slice(0, 500);
  if (attempts >= policy.maxAttempts) {
    return { ...delivery, attempts, lastError, status: 'parked', nextAttemptAt: null, settledAt: now.toISOString() };
  }
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
  return { ...delivery, attempts, lastError, nextAttemptAt: new Date(now.getTime() + delay).toISOString() };
}
