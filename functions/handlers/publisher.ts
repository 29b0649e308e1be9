import { METRIC } from '../../src/config/metrics';
import { type PublishDeps, type PublishReport, publishPendingAlerts } from '../../src/pipeline/publish-alerts';
import type { InvocationContext, ScheduledInvocation } from '../lib/events';
import type { Log, MetricsSink } from '../lib/observability';
import { reportParkedAlerts } from '../lib/parked-alerts';
import { refreshSite, type SiteHandlerDeps } from '../lib/site';

/**
 * With `site`, the hosted story pages (whose alerts show pending or sent) are regenerated when a sweep sent
 * something, and the pages an earlier failure left stale are published again on every sweep.
 */
export interface PublisherDeps extends PublishDeps, Omit<SiteHandlerDeps, 'clock'> {
  metrics: MetricsSink;
  log: Log;
}

/**
 * Scheduled sweep of the outbox. Alerts that fail stay pending for the next sweep; the invocation itself fails
 * only when nothing could be sent, so the errors alarm fires on an outage rather than on one bad message. A
 * channel that fails while SNS has the alert is no outage of the publisher: it retries with its own backoff and,
 * given up on, raises the parked-deliveries alarm. So does an alert SNS refuses for good, parked at once.
 */
export function createPublisherHandler(deps: PublisherDeps) {
  return async (event: ScheduledInvocation, _context?: InvocationContext): Promise<PublishReport> => {
    try {
      const report = await publishPendingAlerts(deps);
      const sentStories = report.sent.length > 0 ? (deps.site?.storyIds ?? []) : [];
      await refreshSite(deps, sentStories, { retryStale: true });
      deps.metrics.count(METRIC.alertsSent, report.sent.length);
      deps.log.info('swept pending alerts', {
        trigger: event?.source ?? 'unknown',
        sent: report.sent.length,
        failed: report.failed.length,
        deferred: report.deferred.length,
        parked: report.parked.length,
      });
      reportParkedAlerts(deps, report);
      for (const failure of report.failed.filter((entry) => entry.channelsOnly)) {
        deps.log.warn('channel delivery failed; it is retried after its backoff', { ...failure });
      }
      const outage = report.failed.filter((failure) => !failure.channelsOnly);
      if (outage.length > 0 && report.sent.length === 0) {
        throw new Error(`could not send any of ${outage.length} pending alerts: ${outage[0]?.message}`);
      }
      return report;
    } finally {
      deps.metrics.flush();
    }
  };
}
