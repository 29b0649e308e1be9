import type { AlertNotifier, Clock, StoryStore } from '../core/ports';

export interface PublishDeps {
  store: StoryStore;
  notifier: AlertNotifier;
  clock: Clock;
}

export interface PublishReport {
  sent: string[];
  failed: { alertId: string; message: string }[];
}

/**
 * Sends every pending alert of the outbox and marks it sent. A failed publish leaves the alert pending for the
 * next sweep; a crash after publishing but before marking resends it, and subscribers drop the repeat by its id.
 */
export async function publishPendingAlerts(
  deps: PublishDeps,
  options: { limit?: number } = {},
): Promise<PublishReport> {
  const pending = await deps.store.listPendingAlerts(options.limit);
  const report: PublishReport = { sent: [], failed: [] };
  for (const alert of pending) {
    try {
      await deps.notifier.publish(alert);
    } catch (error) {
      report.failed.push({ alertId: alert.id, message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    await deps.store.markAlertSent(alert.id, deps.clock.now().toISOString());
    report.sent.push(alert.id);
  }
  return report;
}
