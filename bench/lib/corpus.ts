import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeedItem } from '../../src/core/feed';
import { syntheticItems } from './synthetic-feeds';

/** The labeled dev set sits beside the repo in the team's shared folder; override with STORYWATCH_EVAL_FILE. */
export const DEV_SET_PATH =
  process.env.STORYWATCH_EVAL_FILE ?? fileURLToPath(new URL('../../../shared/eval/dev.jsonl', import.meta.url));

/**
 * Feed-sized items for detection figures: the real dev entries when they are reachable (read in place, never
 * copied), topped up with synthetic items so the corpus does not depend on that file.
 */
export function detectionCorpus(size: number): FeedItem[] {
  const items: FeedItem[] = [];
  if (existsSync(DEV_SET_PATH)) {
    for (const line of readFileSync(DEV_SET_PATH, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as Record<string, string>;
      items.push({
        id: entry.id ?? '',
        title: entry.title ?? '',
        description: entry.description ?? '',
        link: entry.link ?? null,
        published: entry.published ?? null,
        source: entry.source ?? '',
        language: 'en',
      });
    }
  }
  for (let feed = 0; items.length < size; feed += 1) {
    for (const item of syntheticItems(feed, 50)) {
      items.push({
        id: item.guid,
        title: item.title,
        description: item.description,
        link: item.link,
        published: item.published.toISOString(),
        source: `https://news.example.org/feed-${feed}.xml`,
        language: 'en',
      });
    }
  }
  return items.slice(0, size);
}
