import { METRIC } from '../../src/config/metrics';
import { type PublishDeps, type PublishReport, publishPendingAlerts } from '../../src/pipeline/publish-alerts';
import type { InvocationContext, ScheduledInvocation } from '../lib/events';
import type { Log, MetricsSink } from '../lib/observability';

export interface PublisherDeps extends PublishDeps {
  metrics: MetricsSink;
  log: Log;
}

/**
 * Scheduled sweep of the outbox. Alerts that fail stay pending for the next sweep; the invocation itself fails
 * only when nothing could be sent, so the errors alarm fires on an outage rather than on one bad message.
 */
export function createPublisherHandler(deps: PublisherDeps) {
  return async (event: ScheduledInvocation, _context?: InvocationContext): Promise<PublishReport> => {
    try {
      const report = await publishPendingAlerts(deps);
      deps.metrics.count(METRIC.alertsSent, report.sent.length);
      deps.log.info('swept pending alerts', {
        trigger: event?.source ?? 'unknown',
        sent: report.sent.length,
        failed: report.failed.length,
      });
      if (report.failed.length > 0 && report.sent.length === 0) {
        throw new Error(`could not send any of ${report.failed.length} pending alerts: ${report.failed[0]?.message}`);
      }
      return report;
    } finally {
      deps.metrics.flush();
    }
  };
}
