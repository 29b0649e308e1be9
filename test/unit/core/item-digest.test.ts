import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import { itemDigest } from '../../../src/core/item-digest';

const item: FeedItem = {
  id: 'urn:example:1',
  title: 'Kremlin rejects the 30-day ceasefire proposal',
  description: 'Peskov said Moscow would not pause.',
  link: 'https://news.example.test/1',
  published: '2026-02-10T09:00:00.000Z',
  source: 'https://news.example.test/world.xml',
  language: 'en',
};

describe('itemDigest', () => {
  it('is the same for the same item however its object was built', () => {
    const rebuilt = Object.fromEntries(Object.entries(item).reverse()) as unknown as FeedItem;
    expect(itemDigest(rebuilt)).toBe(itemDigest(item));
    expect(itemDigest(item)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('changes with anything a reader sees: id, text, full content, date, source', () => {
    const variants: FeedItem[] = [
      { ...item, id: 'urn:example:2' },
      { ...item, title: `${item.title}.` },
      { ...item, description: 'Updated: Peskov spoke again.' },
      { ...item, content: 'The full article.' },
      { ...item, published: '2026-02-11T09:00:00.000Z' },
      { ...item, source: 'https://other.example.test/rss' },
    ];
    const digests = new Set([item, ...variants].map(itemDigest));
    expect(digests.size).toBe(variants.length + 1);
  });
});
