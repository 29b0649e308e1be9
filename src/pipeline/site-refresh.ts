import type { Clock } from '../core/ports/clock';
import type { SitePublishReport, StaleSite, StaleSites } from '../core/ports/site';
import type { StorySiteRefresher } from './publish-site';

export interface SiteRefreshDeps {
  site: StorySiteRefresher;
  /** Where a failed publish is noted for the next sweep; without it a failure waits for the next commit. */
  stale?: StaleSites;
  clock: Clock;
}

/** What one refresh did; the handler turns it into its log lines and the SitePublishFailed count. */
export interface SiteRefreshOutcome {
  /** Every story published (or attempted): the ones asked for and the stale ones retried. */
  storyIds: string[];
  /** Of those, the stories a previous failure had left stale. */
  retried: string[];
  /** What the site wrote, or null when publishing failed. */
  report: SitePublishReport | null;
  publishError?: unknown;
  /** Reading, noting or clearing the stale stories failed (the publish itself may have worked). */
  staleError?: unknown;
}

/**
 * Publishes the stories' pages and feeds after a commit, never throwing: the commit is already stored and the
 * alerts sent, so a failed publish is noted as stale instead. With `retryStale` (the publisher's sweep) the
 * stories noted earlier are published too and their notes cleared once that worked.
 */
export async function refreshSites(
  deps: SiteRefreshDeps,
  storyIds: readonly string[],
  options: { retryStale: boolean },
): Promise<SiteRefreshOutcome> {
  const outcome: SiteRefreshOutcome = { storyIds: [...storyIds], retried: [], report: null };
  let noted: StaleSite[] = [];
  if (options.retryStale && deps.stale) {
    try {
      noted = await deps.stale.list();
    } catch (error) {
      outcome.staleError = error;
    }
  }
  outcome.retried = noted.map((entry) => entry.storyId).filter((id) => deps.site.storyIds.includes(id));
  outcome.storyIds = [...new Set([...storyIds, ...outcome.retried])];
  if (outcome.storyIds.length === 0) return outcome;
  try {
    outcome.report = await deps.site.refresh(outcome.storyIds);
  } catch (error) {
    outcome.publishError = error;
  }
  try {
    if (outcome.report) await deps.stale?.clear(noted);
    else await deps.stale?.mark(outcome.storyIds, deps.clock.now().toISOString());
  } catch (error) {
    outcome.staleError = error;
  }
  return outcome;
}
