/** Hot feeds (a follow-up within the hot window) may take the part of a host's window kept back for them. */
export type RequestPriority = 'hot' | 'other';

/** A budget's answer: the request may go out now, or not before `retryAt` (ISO). */
export type HostGrant = { granted: true } | { granted: false; retryAt: string };

/**
 * The per-host request budget every poller draws on (see core/host-budget.ts for the windows and the priority
 * rule). Taking is atomic: pollers racing for a host's last requests never get more than its budget between them.
 */
export interface HostRequestBudget {
  /** Spends one request to `host` at `now` (ISO) for a poll of this priority, if the host's window has room. */
  take(host: string, now: string, priority: RequestPriority): Promise<HostGrant>;
}
