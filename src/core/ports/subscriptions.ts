import type { Subscription } from '../../websub/subscription';

/**
 * WebSub subscriptions between requests: the callback reads one per delivery, the subscriber writes them when it
 * asks a hub, and the dispatcher tick lists them to renew leases and to know which feeds are pushed. In memory
 * locally; rows of the table in AWS, secret included (the table is encrypted with the deployment's KMS key).
 */
export interface WebSubSubscriptions {
  get(id: string): Promise<Subscription | undefined>;
  /** Replaces the stored subscription with this id. */
  put(subscription: Subscription): Promise<void>;
  list(): Promise<Subscription[]>;
}
