import { type DigestDeps, type DigestReport, sendDailyDigests } from '../../src/pipeline/send-digests';
import type { InvocationContext, ScheduledInvocation } from '../lib/events';
import type { Log, MetricsSink } from '../lib/observability';

export interface DigestHandlerDeps extends DigestDeps {
  metrics: MetricsSink;
  log: Log;
}

/**
 * Hourly tick: sends yesterday's (UTC) digest to each daily channel that does not have it yet (a tick in the first
 * minutes after midnight leaves it to the next: the day's last commits may still be landing). A channel that
 * fails is retried on a later tick after its backoff and parked (alarmed) in the end, so its failure does not fail
 * the invocation; only a store that cannot be read does, which the schedule DLQ then shows.
 */
export function createDigestHandler(deps: DigestHandlerDeps) {
  return async (event: ScheduledInvocation, _context?: InvocationContext): Promise<DigestReport> => {
    try {
      const report = await sendDailyDigests(deps);
      deps.log.info('daily digests', {
        trigger: event?.source ?? 'unknown',
        day: report.day,
        sent: report.sent,
        quiet: report.quiet,
        skipped: report.skipped,
        notOver: report.notOver,
      });
      for (const failure of report.failed) {
        deps.log.warn('digest delivery failed; it is retried after its backoff', { day: report.day, ...failure });
      }
      return report;
    } finally {
      deps.metrics.flush();
    }
  };
}
