import type { Clock } from '../core/ports/clock';
import {
  type AlertNotifier,
  ChannelsPendingError,
  DeliveryDeferredError,
  UndeliverableError,
} from '../core/ports/notifier';
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
  /** Refused for good by the notifier: out of the outbox, kept with the reason, never tried again. */
  parked: { alertId: string; reason: string }[];
}

/** A report of nothing sent yet: what a sweep starts from, and what a cycle reports when it never got to one. */
export const emptyPublishReport = (): PublishReport => ({ sent: [], failed: [], deferred: [], parked: [] });

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Sends these alerts, oldest first, and marks each sent. A failed publish leaves the alert pending for the next
 * sweep; a crash after publishing but before marking resends it, and subscribers drop the repeat by its id. An alert
 * the notifier refuses for good is parked (kept, with the reason) so it neither blocks nor costs every later sweep.
 */
export async function publishAlerts(deps: PublishDeps, alerts: readonly Alert[]): Promise<PublishReport> {
  const report = emptyPublishReport();
  for (const alert of alerts) {
    try {
      await deps.notifier.publish(alert);
    } catch (error) {
      if (error instanceof UndeliverableError) {
        await deps.store.markAlertParked(alert.id, { at: deps.clock.now().toISOString(), reason: error.message });
        report.parked.push({ alertId: alert.id, reason: error.message });
      } else if (error instanceof DeliveryDeferredError) {
        report.deferred.push(alert.id);
      } else {
        const channelsOnly = error instanceof ChannelsPendingError;
        report.failed.push({ alertId: alert.id, message: messageOf(error), channelsOnly });
      }
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
