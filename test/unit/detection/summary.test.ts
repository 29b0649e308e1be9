import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

describe('structured summary of a follow-up', () => {
  const item = feedItem({
    id: 'abc123',
    link: 'https://news.example.test/a',
    title: 'Putin backs ceasefire in principle, but sets conditions',
    description:
      'Russian President Vladimir Putin said the truce was "a good idea" but demanded guarantees that Ukraine would not mobilize during the pause. ' +
      'The weather in Moscow was mild. ' +
      'Ukraine said it had already accepted the ceasefire proposed by the United States at talks hosted by Saudi Arabia.',
    published: '2025-03-14T10:00:00Z',
  });
  const result = classifyItem(item, story);
  const summary = result.summary;

  it('carries the item identity, the story and the score', () => {
    expect(summary).toMatchObject({
      storyId: 'ceasefire-2025',
      itemId: 'abc123',
      link: 'https://news.example.test/a',
      published: '2025-03-14T10:00:00Z',
      score: result.score,
      title: 'Putin backs ceasefire in principle, but sets conditions',
    });
  });

  it('is extractive: one or two sentences of the item, the off-topic one left out', () => {
    expect(summary?.summary).toContain('Vladimir Putin said the truce');
    expect(summary?.summary).not.toContain('weather');
    expect(item.description).toContain(summary?.summary.split('. ')[0] ?? '<none>');
  });

  it('lists the parties mentioned, their stances and the union of conditions', () => {
    expect(summary?.parties).toEqual(expect.arrayContaining(['russia', 'ukraine', 'us']));
    const labels = Object.fromEntries(summary?.stances.map((stance) => [stance.party, stance.label]) ?? []);
    expect(labels.russia).toBe('conditional');
    expect(labels.ukraine).toBe('supports');
    expect(summary?.conditions).toEqual(['no_mobilization']);
  });

  it('collects text in quotation marks as quotes', () => {
    expect(summary?.quotes).toEqual(['a good idea']);
  });

  it('names the story terms found and new names as key terms', () => {
    expect(summary?.keyTerms).toEqual(expect.arrayContaining(['ceasefire', 'truce', 'Saudi Arabia']));
  });

  it('caps the summary length and cuts at a word boundary', () => {
    const long = classifyItem(
      feedItem({
        title: 'Ceasefire talks in Istanbul',
        description: `Ukraine and Russia held ceasefire talks ${'with many long and winding clauses '.repeat(20)}today.`,
      }),
      story,
    );
    expect(long.summary?.summary.length).toBeLessThanOrEqual(280);
    expect(long.summary?.summary.endsWith('…')).toBe(true);
  });
});

describe('classification invariants on arbitrary text', () => {
  const words = fc.constantFrom(
    'ceasefire',
    'truce',
    'Putin',
    'Zelensky',
    'Kremlin',
    'Gaza',
    'Hamas',
    'rejects',
    'accepts',
    'not',
    'if',
    'but',
    'conditions',
    'said',
    'the',
    'talks',
    'перемирие',
    'Путин',
    'заявив',
    'припинення',
    'вогню',
    '"',
    ',',
    '.',
    '?',
    'U.S.',
    '-',
    "'s",
    'Kursk',
    'monitoring',
    '&amp;',
    '<b>',
  );
  const text = fc.array(words, { maxLength: 40 }).map((parts) => parts.join(' '));

  it('never throws, keeps the score in 0..1, and gives a summary exactly to follow-ups', () => {
    fc.assert(
      fc.property(text, text, fc.option(text, { nil: undefined }), (title, description, content) => {
        const result = classifyItem(feedItem({ title, description, ...(content ? { content } : {}) }), story);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(1);
        expect(result.summary !== undefined).toBe(result.followUp);
        const parties = story.parties.map((party) => party.id);
        for (const stance of result.stances) {
          expect(parties).toContain(stance.party);
          expect(stance.confidence).toBeGreaterThan(0);
          expect(stance.confidence).toBeLessThanOrEqual(1);
        }
        expect(new Set(result.stances.map((stance) => stance.party)).size).toBe(result.stances.length);
        if (result.summary) expect(result.summary.summary.length).toBeLessThanOrEqual(280);
      }),
      { numRuns: 300 },
    );
  });
});
