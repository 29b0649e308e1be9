import { METRIC } from '../../src/config/metrics';
import type { PublishReport } from '../../src/pipeline/publish-alerts';
import type { Log, MetricsSink } from './observability';

/**
 * Alerts SNS refused for good, parked in the store with the reason: counted with the parked deliveries (whose alarm
 * fires at every monitoring level) and logged with what an operator needs to find them.
 */
export function reportParkedAlerts(deps: { metrics: MetricsSink; log: Log }, report: PublishReport): void {
  if (report.parked.length === 0) return;
  deps.metrics.count(METRIC.deliveriesParked, report.parked.length);
  for (const parked of report.parked) {
    deps.log.error('alert parked: the notifier refused it for good; kept in the store, never retried', { ...parked });
  }
}
