import { METRIC } from '../../src/config/metrics';
import type { Clock } from '../../src/core/ports/clock';
import type { StaleSites } from '../../src/core/ports/site';
import type { AnalysisOutcome } from '../../src/pipeline/analyze-batch';
import type { StorySiteRefresher } from '../../src/pipeline/publish-site';
import { refreshSites } from '../../src/pipeline/site-refresh';
import type { Log, MetricsSink } from './observability';

/** What a handler needs to publish the hosted site; all of it absent where no site is deployed (tests, local). */
export interface SiteHandlerDeps {
  site?: StorySiteRefresher;
  /** Stories a failed publish left stale, for the publisher's sweep to publish again. */
  staleSites?: StaleSites;
  clock: Clock;
  metrics: MetricsSink;
  log: Log;
}

/** The stories a committed batch changed: those with a follow-up or a committed stance change. */
export function storiesChangedBy(outcome: AnalysisOutcome): string[] {
  const changed = new Set(outcome.alerts.map((alert) => alert.storyId));
  for (const item of outcome.items) {
    for (const story of item.stories) if (story.classification.followUp) changed.add(story.storyId);
  }
  return [...changed];
}

/**
 * Regenerates the hosted page and feeds of these stories after a commit (and, in the sweep, of the stories an
 * earlier failure left stale). A failure never fails the invocation: the items are committed and the alerts sent.
 * It is logged as an error and counted as SitePublishFailed, and the stories are noted for the next sweep.
 */
export async function refreshSite(
  deps: SiteHandlerDeps,
  storyIds: readonly string[],
  options: { retryStale: boolean },
): Promise<void> {
  const { site, log } = deps;
  if (!site) return;
  const outcome = await refreshSites({ site, stale: deps.staleSites, clock: deps.clock }, storyIds, options);
  if (outcome.report) {
    log.info('published the story site', {
      storyIds: outcome.storyIds,
      retried: outcome.retried,
      written: outcome.report.written,
      unchanged: outcome.report.unchanged.length,
    });
  } else if (outcome.publishError !== undefined) {
    deps.metrics.count(METRIC.sitePublishFailed, 1);
    log.error('publishing the story site failed; the next publisher sweep publishes it again', {
      storyIds: outcome.storyIds,
      error: outcome.publishError,
    });
  }
  if (outcome.staleError !== undefined) {
    log.error('could not read or note the stale story pages; they are published again on the next commit', {
      storyIds: outcome.storyIds,
      error: outcome.staleError,
    });
  }
}
