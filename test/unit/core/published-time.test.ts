import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import { boundPublishedTime, FUTURE_TOLERANCE_MS } from '../../../src/core/published-time';

const NOW = new Date('2025-03-18T12:00:00.000Z');
const item = (published: string | null): FeedItem => ({
  id: 'x',
  title: 'T',
  description: '',
  link: null,
  published,
  source: 'https://x.example/rss',
  language: 'en',
});

describe('boundPublishedTime', () => {
  it('leaves past, present and missing times alone', () => {
    for (const published of ['2025-03-18T11:59:00.000Z', NOW.toISOString(), null]) {
      expect(boundPublishedTime(item(published), NOW)).toEqual(item(published));
    }
  });

  it('takes a time a little ahead of the clock as the clock, without a flag', () => {
    const ahead = new Date(NOW.getTime() + FUTURE_TOLERANCE_MS).toISOString();
    expect(boundPublishedTime(item(ahead), NOW)).toEqual(item(NOW.toISOString()));
  });

  it('takes a time beyond the tolerance as the clock and keeps the declared one as the flag', () => {
    expect(boundPublishedTime(item('2099-01-01T00:00:00.000Z'), NOW)).toEqual({
      ...item(NOW.toISOString()),
      declaredPublished: '2099-01-01T00:00:00.000Z',
    });
  });
});
