import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportData } from '../report/report-data';
import { type FeedLinks, feedFileNames, renderStoryFeeds } from './story-feeds';

/** Writes the story's two Atom feeds into `dir` (beside the report), linked to each other by relative names. */
export function writeStoryFeeds(data: ReportData, dir: string, links: FeedLinks = {}): string[] {
  const names = feedFileNames(data.story.id);
  const feeds = renderStoryFeeds(data, { changes: names.changes, followUps: names.followUps, ...links });
  const paths = [join(dir, names.changes), join(dir, names.followUps)];
  writeFileSync(paths[0] as string, feeds.changes);
  writeFileSync(paths[1] as string, feeds.followUps);
  return paths;
}
