import { type HostBudgetPlan, nextWindow, windowStart } from '../../core/host-budget';
import type { HostRequestBudget } from '../../core/ports/host-budget';
import { boundedId } from '../../core/text-limits';
import { keyOf, n, type RowKey } from './attributes';
import type { TableRequests } from './requests';
import { TTL_ATTRIBUTE } from './schema';

/** A window's counter outlives the hour it can count in, then TTL removes it. */
const RETENTION_SEC = 2 * 3600;

/** One counter row per host and window; the host name is bounded like every id that goes into a key. */
export const hostWindowKey = (host: string, startMs: number): RowKey => ({
  pk: `HOSTBUDGET#${boundedId(host)}`,
  sk: `WINDOW#${new Date(startMs).toISOString()}`,
});

/**
 * The per-host request budget as one counter row per host and window, shared by every poller. A take is one
 * `UpdateItem ADD taken :1` conditioned on the count being under the caller's ceiling, so the table itself refuses
 * a request past the window's share however many pollers race for it, and no read comes first. A refused take
 * spends nothing; the poll waits for the next window.
 */
export function createDynamoHostBudget(table: TableRequests, plan: HostBudgetPlan): HostRequestBudget {
  return {
    async take(host, now, priority) {
      const at = new Date(now);
      const startMs = windowStart(plan, at);
      const granted = await table.conditionalUpdate({
        Key: keyOf(hostWindowKey(host, startMs)),
        UpdateExpression: 'SET #expires = :expires ADD #taken :one',
        ConditionExpression: 'attribute_not_exists(#taken) OR #taken < :ceiling',
        ExpressionAttributeNames: { '#taken': 'taken', '#expires': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':one': n(1),
          ':ceiling': n(plan.ceilings[priority]),
          ':expires': n(Math.floor(startMs / 1000) + RETENTION_SEC),
        },
      });
      return granted ? { granted: true } : { granted: false, retryAt: nextWindow(plan, at).toISOString() };
    },
  };
}
