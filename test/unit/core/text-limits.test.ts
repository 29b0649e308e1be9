import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/stance-state';
import {
  BYTE_LIMITS,
  boundedAlert,
  boundedId,
  boundedSummary,
  clipBytes,
  clipText,
  TEXT_LIMITS,
  utf8Bytes,
} from '../../../src/core/text-limits';

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

  it('keeps text of at most the limit in characters although its pairs make it longer in code units', () => {
    const pairs = '😀'.repeat(6);
    expect(clipText(pairs, 6)).toBe(pairs);
    expect(clipText(pairs, 6, { ellipsis: '' })).toBe(pairs);
  });

  it('cuts without an ellipsis when given an empty one, still never inside a pair', () => {
    expect(clipText('ab😀cd', 3, { ellipsis: '' })).toBe('ab😀');
    expect(clipText('ab😀cd', 2, { ellipsis: '' })).toBe('ab');
  });

  it('counts a lone surrogate as one character', () => {
    expect(clipText('a\uD800bcd', 3, { ellipsis: '' })).toBe('a\uD800b');
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

describe('byte bounds', () => {
  it('clips by UTF-8 bytes between code points', () => {
    expect(clipBytes('abc', 3)).toBe('abc');
    expect(clipBytes('дддд', 5)).toBe('дд');
    expect(clipBytes('a😀b', 4)).toBe('a');
    expect(utf8Bytes(clipBytes('😀'.repeat(100), 99))).toBe(96);
  });

  it('keeps an id within the bound as it is and replaces a longer one by its head and hash', () => {
    const fits = 'x'.repeat(BYTE_LIMITS.id);
    expect(boundedId(fits)).toBe(fits);
    // 300 characters, 600 bytes: over the bound only when counted in bytes.
    const cyrillic = `urn:${'д'.repeat(300)}`;
    const bounded = boundedId(cyrillic);
    expect(utf8Bytes(bounded)).toBeLessThanOrEqual(BYTE_LIMITS.id);
    expect(bounded.startsWith('urn:дддд')).toBe(true);
    expect(bounded).toMatch(/~sha256:[0-9a-f]{64}$/);
  });

  it('maps one long id to one bounded id, two long ids sharing a head to two, and a bounded id to itself', () => {
    const head = 'https://example.org/'.padEnd(4_000, 'a');
    expect(boundedId(`${head}1`)).toBe(boundedId(`${head}1`));
    expect(boundedId(`${head}1`)).not.toBe(boundedId(`${head}2`));
    expect(boundedId(boundedId(`${head}1`))).toBe(boundedId(`${head}1`));
  });

  it('drops the links over a byte bound from an alert, never cutting one', () => {
    const evidence = (link: string) => ({ itemId: 'i', quote: 'q', source: 's', link, published: null });
    const alert = {
      evidence: evidence('https://a.example/short'),
      previousEvidence: evidence(`https://a.example/${'l'.repeat(5_000)}`),
      recentStatements: [evidence(`https://a.example/${'l'.repeat(5_000)}`)],
    } as unknown as Alert;
    const bounded = boundedAlert(alert, 2_048);
    expect(bounded.evidence.link).toBe('https://a.example/short');
    expect(bounded.previousEvidence?.link).toBeNull();
    expect(bounded.recentStatements[0]?.link).toBeNull();
    expect(boundedAlert(alert).previousEvidence?.link).toBe(alert.previousEvidence?.link);
  });
});
