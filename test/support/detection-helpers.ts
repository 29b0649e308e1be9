import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeedItem } from '../../src/core/feed';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'detection');
export const FIXTURE_STORIES = join(FIXTURES, 'stories');

export interface FixtureItem {
  id: string;
  behaviour: string;
  title: string;
  description: string;
  published: string;
  expect: { followUp: boolean; stances?: Record<string, string>; conditions?: Record<string, string[]> };
}

export function readFixtureItems(name: string): FixtureItem[] {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as FixtureItem);
}

export function feedItem(fields: Partial<FeedItem> & { title: string }): FeedItem {
  return {
    id: fields.id ?? 'item-1',
    title: fields.title,
    description: fields.description ?? '',
    ...(fields.content !== undefined ? { content: fields.content } : {}),
    link: fields.link ?? null,
    published: fields.published ?? '2025-06-01T00:00:00Z',
    source: fields.source ?? 'https://feeds.example.test/world.xml',
    language: fields.language ?? null,
  };
}
