import type { Subscription } from '../../websub/subscription';

/** Subscriptions whose upkeep is due, oldest first, and the read units reading them cost. */
export interface SubscriptionsDue {
  subscriptions: Subscription[];
  readUnits: number;
}

/**
 * WebSub subscriptions between requests: the callback reads one per delivery, the poller looks up its feed's when
 * the feed names a hub (and asks the hub when it has none that pushes), and the dispatcher tick reads those whose
 * upkeep is due to renew leases and to put feeds that stopped pushing back on their polling schedule. In memory
 * locally; rows of the table in AWS, secret included (the table is encrypted with the deployment's KMS key).
 */
export interface WebSubSubscriptions {
  get(id: string): Promise<Subscription | undefined>;
  /** Replaces the stored subscription with this id. */
  put(subscription: Subscription): Promise<void>;
  list(): Promise<Subscription[]>;
  /** The feed's subscription (the one requested last, when several are stored); undefined when it has none. */
  forFeed(feedId: string): Promise<Subscription | undefined>;
  /** Subscriptions whose upkeep (upkeepDueAt) is due at `now`, oldest first, at most `limit`. */
  upkeepDue(now: string, limit: number): Promise<SubscriptionsDue>;
}
