import type { AnalysisOutcome } from '../../src/pipeline/analyze-batch';
import type { StorySiteRefresher } from '../../src/pipeline/publish-site';
import type { Log } from './observability';

/** The stories a committed batch changed: those with a follow-up or a committed stance change. */
export function storiesChangedBy(outcome: AnalysisOutcome): string[] {
  const changed = new Set(outcome.alerts.map((alert) => alert.storyId));
  for (const item of outcome.items) {
    for (const story of item.stories) if (story.classification.followUp) changed.add(story.storyId);
  }
  return [...changed];
}

/**
 * Regenerates the hosted page and feeds of these stories after a commit. A failure is logged and never fails
 * the invocation: the items are committed and the alerts sent, and the next commit rewrites every document.
 */
export async function refreshSite(
  site: StorySiteRefresher | undefined,
  storyIds: readonly string[],
  log: Log,
): Promise<void> {
  if (!site || storyIds.length === 0) return;
  try {
    const report = await site.refresh(storyIds);
    log.info('published the story site', { written: report.written, unchanged: report.unchanged.length });
  } catch (error) {
    log.warn('publishing the story site failed; the next commit publishes it again', { error });
  }
}
