import { describe, expect, it } from 'vitest';
import { classifyItem, FOLLOW_UP_THRESHOLD, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');
// A talk-show teaser: the headline names the story, the rest is the programme's own words.
const teaser = 'Есть ли выход из тупика — обсуждаем с политологом в эфире нашей программы';
const classify = (title: string, description = teaser) =>
  classifyItem(feedItem({ title, description, published: '2026-06-18T10:00:00Z' }), story);

describe('a party’s position stated in the headline', () => {
  it('makes a follow-up of an item just under the threshold, with that stance', () => {
    const result = classify('Путин отверг перемирие — обсуждаем с политологом');
    expect(result.score).toBeLessThan(FOLLOW_UP_THRESHOLD);
    expect(result.followUp).toBe(true);
    expect(result.stances.map((stance) => [stance.party, stance.label])).toEqual([['russia', 'opposes']]);
    expect(result.reasons.at(-1)).toMatch(/just under 0.5, a party's position in the headline/);
  });

  it('leaves the same item without a stated position below the threshold', () => {
    const result = classify('Путин обсудил перемирие — обсуждаем с политологом');
    expect(result.score).toBeLessThan(FOLLOW_UP_THRESHOLD);
    expect(result.followUp).toBe(false);
  });
});

describe('an assessment of talks', () => {
  it('is no position on the matter: "productive talks" says how a meeting went', () => {
    const stances = classifyItem(
      feedItem({ title: 'Ukraine says first day of peace talks with Russia ‘productive’', description: '' }),
      story,
    ).stances;
    expect(stances).toEqual([]);
  });
});
