import type { Clock } from '../core/ports/clock';
import { type AlertNotifier, ChannelsPendingError, DeliveryDeferredError } from '../core/ports/notifier';
import type { Outbox } from '../core/ports/outbox';
import type { Alert } from '../core/stance-state';

export interface PublishDeps {
  store: Outbox;
  notifier: AlertNotifier;
  clock: Clock;
}

export interface PublishReport {
  sent: string[];
  /** `channelsOnly`: the primary notifier has the alert, only channels failed (they retry on their own). */
  failed: { alertId: string; message: string; channelsOnly: boolean }[];
  /** Still pending only because what is left of their delivery waits out a channel's backoff. */
  deferred: string[];
}

/**
 * Sends these alerts, oldest first, and marks each sent. A failed publish leaves the alert pending for the next
 * sweep; a crash after publishing but before marking resends it, and subscribers drop the repeat by its id.
 */
export async function publishAlerts(deps: PublishDeps, alerts: readonly Alert[]): Promise<PublishReport> {
  const report: PublishReport = { sent: [], failed: [], deferred: [] };
  for (const alert of alerts) {
    try {
      await deps.notifier.publish(alert);
    } catch (error) {
      if (error instanceof DeliveryDeferredError) {
        report.deferred.push(alert.id);
        continue;
      }
      report.failed.push({
        alertId: alert.id,
        message: error instanceof Error ? error.message : String(error),
        channelsOnly: error instanceof ChannelsPendingError,
      });
      continue;
    }
    await deps.store.markAlertSent(alert.id, deps.clock.now().toISOString());
    report.sent.push(alert.id);
  }
  return report;
}

/** The sweep: sends every alert still pending in the outbox, whoever committed it. */
export async function publishPendingAlerts(
  deps: PublishDeps,
  options: { limit?: number } = {},
): Promise<PublishReport> {
  return publishAlerts(deps, await deps.store.listPendingAlerts(options.limit));
}
