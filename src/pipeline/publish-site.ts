import type { Clock } from '../core/ports/clock';
import type { SiteDocument, SitePublisher, SitePublishReport } from '../core/ports/site';
import { feedFileNames, renderStoryFeeds } from '../feeds/story-feeds';
import { collectReportData, type ReportSource, type ReportStory } from '../report/collect';
import { renderReport } from '../report/render-report';
import type { ReportData } from '../report/report-data';

export interface SiteDeps {
  source: ReportSource;
  site: SitePublisher;
  clock: Clock;
  /** The site's root as readers reach it, ending in "/"; the feeds' page and self links become absolute. */
  siteUrl?: string;
}

/** Where a story's page and feeds live under the site root: side by side, so the page links them by name. */
export const sitePaths = (storyId: string) => ({ page: `${storyId}.html`, ...feedFileNames(storyId) });

/**
 * The newest moment the story's read model records (a commit, a follow-up, an alert sent), never later than now.
 * The hosted page is dated by it instead of the clock, so an unchanged story renders byte for byte the same page
 * and the publisher can skip rewriting it.
 */
export function lastChangeAt(data: ReportData, now: Date): string {
  const times = [
    ...data.history.flatMap((entry) => [entry.committedAt, entry.evidence?.published]),
    ...data.followUps.map((followUp) => followUp.published),
    ...data.alerts.flatMap((alert) => [alert.createdAt, alert.sentAt]),
  ]
    .map((value) => Date.parse(value ?? ''))
    .filter((time) => Number.isFinite(time));
  const start = Date.parse(`${data.story.startDate.slice(0, 10)}T00:00:00Z`);
  const newest = Math.max(Number.isFinite(start) ? start : 0, ...times);
  return new Date(Math.min(newest, now.getTime())).toISOString();
}

/** The story's page and both feeds, rendered from the read model as of its last change. */
export async function renderStorySite(deps: Omit<SiteDeps, 'site'>, story: ReportStory): Promise<SiteDocument[]> {
  const now = deps.clock.now();
  const collected = await collectReportData(deps.source, story, { until: now });
  const asOf = lastChangeAt(collected, now);
  const data: ReportData = { ...collected, until: asOf, generatedAt: asOf };
  const paths = sitePaths(story.id);
  const url = (path: string) => (deps.siteUrl ? `${deps.siteUrl}${path}` : path);
  const feeds = renderStoryFeeds(data, {
    page: url(paths.page),
    changes: url(paths.changes),
    followUps: url(paths.followUps),
  });
  return [
    { path: paths.page, kind: 'page', body: renderReport(data, { feeds: feedFileNames(story.id) }) },
    { path: paths.changes, kind: 'feed', body: feeds.changes },
    { path: paths.followUps, kind: 'feed', body: feeds.followUps },
  ];
}

/** Regenerates the stories' pages and feeds and hands them to the site, which stores only what changed. */
export async function publishStorySites(deps: SiteDeps, stories: readonly ReportStory[]): Promise<SitePublishReport> {
  const report: SitePublishReport = { written: [], unchanged: [] };
  for (const story of stories) {
    const result = await deps.site.publish(await renderStorySite(deps, story));
    report.written.push(...result.written);
    report.unchanged.push(...result.unchanged);
  }
  return report;
}

/** What the handlers are given: regenerate the site of the stories a commit touched, by story id. */
export interface StorySiteRefresher {
  /** Every story the site hosts. */
  readonly storyIds: readonly string[];
  refresh(storyIds: Iterable<string>): Promise<SitePublishReport>;
}

export function createStorySiteRefresher(deps: SiteDeps, stories: readonly ReportStory[]): StorySiteRefresher {
  return {
    storyIds: stories.map((story) => story.id),
    refresh: (storyIds) => {
      const wanted = new Set(storyIds);
      return publishStorySites(
        deps,
        stories.filter((story) => wanted.has(story.id)),
      );
    },
  };
}
