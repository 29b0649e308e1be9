/**
 * What to do about a feed's WebSub subscription, as pure decisions over its record: whether a poll that found a
 * hub should subscribe, what the scheduled upkeep owes a subscription now (renew its lease, give up on a hub that
 * never verified or let the lease lapse, put a feed that stopped pushing back on its polling schedule), and when
 * the record next needs that upkeep, so a tick reads only the subscriptions that need something.
 */
import {
  DEFAULT_WEBSUB_CONFIG,
  isPushActive,
  needsRenewal,
  renewalMarginMs,
  type Subscription,
  verificationOverdue,
  type WebSubConfig,
} from './subscription';

/** A hub a feed's own document (or its Link header) names, and the topic to subscribe to. */
export interface DiscoveredHub {
  hub: string;
  topic: string;
}

/**
 * Whether a poll that found `found` should ask the hub for a subscription. Not while one is active or waiting
 * for the hub's verification (for the same hub and topic); a failed or denied one is asked again only after
 * `resubscribeAfterSec` since it was last requested, so a broken hub costs one request a day, not one a poll.
 */
export function shouldSubscribe(
  existing: Subscription | undefined,
  found: DiscoveredHub,
  now: Date,
  config: WebSubConfig = DEFAULT_WEBSUB_CONFIG,
): boolean {
  if (!existing) return true;
  const sameTarget = existing.hub === found.hub && existing.topic === found.topic;
  if (existing.status === 'requested') return !sameTarget || verificationOverdue(existing, now, config);
  if (existing.status === 'active' && sameTarget) return !isPushActive(existing, now, config);
  if (!sameTarget) return true;
  return now.getTime() - Date.parse(existing.requestedAt) >= config.resubscribeAfterSec * 1000;
}

export type UpkeepStep =
  | { kind: 'renew' }
  /** The subscription stops being trusted; the feed goes back to its own polling schedule. */
  | { kind: 'give-up'; note: string }
  /** It stopped pushing earlier (failed, denied): the feed's next poll moves to now, once. */
  | { kind: 'resume-polling' }
  | { kind: 'none' };

export function upkeepStep(subscription: Subscription, now: Date, config = DEFAULT_WEBSUB_CONFIG): UpkeepStep {
  if (verificationOverdue(subscription, now, config)) {
    return { kind: 'give-up', note: 'hub never verified the subscription' };
  }
  if (subscription.status === 'active') {
    const lease = subscription.leaseExpiresAt;
    if (lease !== null && Date.parse(lease) <= now.getTime()) {
      return { kind: 'give-up', note: 'lease lapsed before the hub verified a renewal' };
    }
    return needsRenewal(subscription, now, config) ? { kind: 'renew' } : { kind: 'none' };
  }
  if (subscription.status === 'failed' || subscription.status === 'denied') {
    return subscription.fallbackAt ? { kind: 'none' } : { kind: 'resume-polling' };
  }
  return { kind: 'none' };
}

/**
 * When the upkeep next has something to do for this subscription (ISO), or null when nothing until a poll asks
 * the hub again. Kept as the subscription's key in the upkeep index, so a tick reads only what is due.
 */
export function upkeepDueAt(subscription: Subscription, config = DEFAULT_WEBSUB_CONFIG): string | null {
  const at = (ms: number) => new Date(ms).toISOString();
  const verifyMs = config.verifyTimeoutSec * 1000;
  switch (subscription.status) {
    case 'requested':
      // Overdue strictly after the timeout.
      return at(Date.parse(subscription.requestedAt) + verifyMs + 1);
    case 'active': {
      if (subscription.leaseExpiresAt === null) return null;
      const expires = Date.parse(subscription.leaseExpiresAt);
      if (subscription.renewalSentAt !== null) {
        return at(Math.min(Date.parse(subscription.renewalSentAt) + verifyMs + 1, expires));
      }
      return at(expires - renewalMarginMs(subscription, config));
    }
    default:
      return subscription.fallbackAt ? null : subscription.requestedAt;
  }
}

/** Of a feed's subscriptions, the one requested last. */
export function latestOf(subscriptions: Subscription[]): Subscription | undefined {
  return [...subscriptions].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)).at(-1);
}
