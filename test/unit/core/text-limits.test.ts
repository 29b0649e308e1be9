import { describe, expect, it } from 'vitest';
import { boundedSummary, clipText, TEXT_LIMITS } from '../../../src/core/text-limits';

describe('clipText', () => {
  it('returns text within the limit as it is', () => {
    expect(clipText('short enough', 12)).toBe('short enough');
  });

  it('cuts to exactly the limit, the ellipsis included', () => {
    const clipped = clipText('a'.repeat(50), 10);
    expect(clipped).toBe(`${'a'.repeat(9)}…`);
  });

  it('counts characters, never splitting a pair that makes one', () => {
    const clipped = clipText('😀'.repeat(10), 5);
    expect([...clipped]).toHaveLength(5);
    expect(clipped).toBe(`${'😀'.repeat(4)}…`);
  });

  it('leaves no space before the ellipsis, and takes another ellipsis when asked', () => {
    expect(clipText('one two three four', 11, { ellipsis: '...' })).toBe('one two...');
  });

  it('cuts prose at a word when one ends in the last part, dropping trailing separators', () => {
    expect(clipText('Talks resume in Geneva, officials say today', 30, { atWord: true })).toBe(
      'Talks resume in Geneva…',
    );
  });
});

describe('boundedSummary', () => {
  it('caps every list and text of a follow-up at its limit', () => {
    const long = 'x'.repeat(10_000);
    const bounded = boundedSummary({
      storyId: 's',
      itemId: 'i',
      source: 'https://example.org/rss',
      link: null,
      title: long,
      published: null,
      score: 1,
      summary: long,
      parties: [],
      stances: [],
      conditions: Array.from({ length: 50 }, () => long),
      quotes: [long],
      keyTerms: Array.from({ length: 100 }, (_, index) => `t${index}`),
      reasons: [],
    });
    expect(bounded.title).toHaveLength(TEXT_LIMITS.title);
    expect(bounded.summary).toHaveLength(TEXT_LIMITS.summary);
    expect(bounded.conditions).toHaveLength(TEXT_LIMITS.listEntries);
    expect(bounded.quotes[0]).toHaveLength(TEXT_LIMITS.quote);
    expect(bounded.keyTerms).toHaveLength(TEXT_LIMITS.keyTerms);
  });
});
