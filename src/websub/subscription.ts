/**
 * The life of one WebSub subscription, as pure functions over a record: requested → active (the hub verified our
 * intent) → renewed before the lease ends; or the lease lapses, or the hub denies or misbehaves (failed), and the
 * feed is polled again.
 * Push is trusted only while the subscription is active, its lease runs and the hub has not misbehaved too often.
 */
import { newSubscriptionSecret } from './signature';

export type SubscriptionStatus = 'requested' | 'active' | 'denied' | 'failed';

export interface Subscription {
  /** Our id for it; the callback URL ends with it, so a delivery names its subscription. */
  id: string;
  feedId: string;
  topic: string;
  hub: string;
  secret: string;
  status: SubscriptionStatus;
  requestedAt: string;
  /** Set by a verified intent; push is trusted until then. */
  leaseExpiresAt: string | null;
  /** Lease the hub granted, seconds. */
  leaseSeconds: number | null;
  /** When a renewal went out that the hub has not verified yet. */
  renewalSentAt: string | null;
  /** Deliveries refused (bad or missing signature, unreadable body) since the last good one. */
  strikes: number;
  /** Why the subscription is not active, for `storywatch` output and logs. */
  note: string | null;
  /**
   * When the upkeep put the feed back on its own polling schedule after this subscription stopped pushing (failed
   * or denied); absent or null until then. Rows written before the field existed have none.
   */
  fallbackAt?: string | null;
}

export interface WebSubConfig {
  /** Lease we ask for; hubs may grant another. Default 1 day. */
  leaseSeconds: number;
  /** Renew when less than this remains of the lease (or half a short lease). Default 1 h. */
  renewBeforeSec: number;
  /** A hub that has not verified a request within this long is treated as failing. Default 10 min. */
  verifyTimeoutSec: number;
  /** Refused deliveries in a row after which the hub is no longer trusted and the feed is polled. Default 3. */
  maxStrikes: number;
  /** A hub that failed or denied us is asked again at most this often, when a poll still names it. Default 1 day. */
  resubscribeAfterSec: number;
}

export const DEFAULT_WEBSUB_CONFIG: Readonly<WebSubConfig> = Object.freeze({
  leaseSeconds: 86_400,
  renewBeforeSec: 3_600,
  verifyTimeoutSec: 600,
  maxStrikes: 3,
  resubscribeAfterSec: 86_400,
});

export function requestSubscription(input: {
  id: string;
  feedId: string;
  topic: string;
  hub: string;
  now: Date;
  secret?: string;
}): Subscription {
  return {
    id: input.id,
    feedId: input.feedId,
    topic: input.topic,
    hub: input.hub,
    secret: input.secret ?? newSubscriptionSecret(),
    status: 'requested',
    requestedAt: input.now.toISOString(),
    leaseExpiresAt: null,
    leaseSeconds: null,
    renewalSentAt: null,
    strikes: 0,
    note: null,
    fallbackAt: null,
  };
}

/** A renewal keeps the id and secret (deliveries in flight still verify) and stays active until the hub answers. */
export function renewalRequested(subscription: Subscription, now: Date): Subscription {
  return { ...subscription, renewalSentAt: now.toISOString() };
}

export function isPushActive(subscription: Subscription | undefined, now: Date, config = DEFAULT_WEBSUB_CONFIG) {
  if (subscription?.status !== 'active' || subscription.leaseExpiresAt === null) return false;
  return Date.parse(subscription.leaseExpiresAt) > now.getTime() && subscription.strikes < config.maxStrikes;
}

export function needsRenewal(subscription: Subscription, now: Date, config = DEFAULT_WEBSUB_CONFIG): boolean {
  if (subscription.status !== 'active' || subscription.leaseExpiresAt === null) return false;
  const sent = subscription.renewalSentAt;
  // A renewal the hub is still verifying is not sent again until verification is overdue.
  if (sent !== null && now.getTime() - Date.parse(sent) <= config.verifyTimeoutSec * 1000) return false;
  return Date.parse(subscription.leaseExpiresAt) - now.getTime() <= renewalMarginMs(subscription, config);
}

/** How long before its lease ends a subscription is renewed: the configured margin, at most half the lease. */
export function renewalMarginMs(subscription: Subscription, config = DEFAULT_WEBSUB_CONFIG): number {
  const lease = (subscription.leaseSeconds ?? config.leaseSeconds) * 1000;
  return Math.min(config.renewBeforeSec * 1000, lease / 2);
}

/** The hub took the request but never verified it: it is not going to push. */
export function verificationOverdue(subscription: Subscription, now: Date, config = DEFAULT_WEBSUB_CONFIG): boolean {
  if (subscription.status !== 'requested') return false;
  return now.getTime() - Date.parse(subscription.requestedAt) > config.verifyTimeoutSec * 1000;
}

export type VerificationAnswer = { status: 200; body: string } | { status: 404; body: string };

/**
 * The hub's GET to our callback (§5.3): answer the challenge only for the topic we asked for, in a mode we asked
 * for; anything else is 404, so no one can subscribe us to something else.
 */
export function answerVerification(
  subscription: Subscription | undefined,
  query: URLSearchParams,
  now: Date,
  config = DEFAULT_WEBSUB_CONFIG,
): { answer: VerificationAnswer; next: Subscription | null } {
  const mode = query.get('hub.mode');
  const topic = query.get('hub.topic');
  const refuse = { answer: { status: 404 as const, body: 'unknown subscription' }, next: null };
  if (!subscription || topic !== subscription.topic) return refuse;
  if (mode === 'denied') {
    const reason = query.get('hub.reason');
    const note = `hub denied the subscription${reason ? `: ${reason.slice(0, 200)}` : ''}`;
    return { answer: { status: 200, body: '' }, next: { ...subscription, status: 'denied', note } };
  }
  const challenge = query.get('hub.challenge');
  if (mode !== 'subscribe' || !challenge) return refuse;
  const granted = Number(query.get('hub.lease_seconds'));
  const leaseSeconds = Number.isFinite(granted) && granted > 0 ? granted : config.leaseSeconds;
  const next: Subscription = {
    ...subscription,
    status: 'active',
    requestedAt: now.toISOString(),
    leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
    leaseSeconds,
    renewalSentAt: null,
    strikes: 0,
    note: null,
  };
  return { answer: { status: 200, body: challenge }, next };
}

/** A delivery was refused: one more strike; at maxStrikes the subscription fails and polling takes over. */
export function deliveryRefused(subscription: Subscription, reason: string, config = DEFAULT_WEBSUB_CONFIG) {
  const strikes = subscription.strikes + 1;
  const failed = strikes >= config.maxStrikes;
  return {
    ...subscription,
    strikes,
    status: failed ? ('failed' as const) : subscription.status,
    note: failed
      ? `hub stopped being trusted after ${strikes} refused deliveries (last: ${reason})`
      : subscription.note,
  };
}

export function deliveryAccepted(subscription: Subscription): Subscription {
  return subscription.strikes === 0 ? subscription : { ...subscription, strikes: 0 };
}

export function subscriptionFailed(subscription: Subscription, note: string): Subscription {
  return { ...subscription, status: 'failed', note };
}
