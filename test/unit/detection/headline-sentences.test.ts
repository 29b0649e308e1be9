import { describe, expect, it } from 'vitest';
import { classifyItem, FOLLOW_UP_THRESHOLD, loadStory } from '../../../src/detection/index';
import { splitSentences } from '../../../src/detection/text';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');
// A programme teaser: the headline names the story, the rest is the programme's own words.
const teaser = 'Есть ли выход из тупика — разбираемся с политологом в эфире нашей программы';
const classify = (title: string, description = '') =>
  classifyItem(feedItem({ title, description, published: '2026-05-12T08:00:00Z' }), story);
const stancesOf = (result: ReturnType<typeof classify>) =>
  result.stances.map((stance) => [stance.party, stance.label, stance.evidence]);

describe('sentences of a headline', () => {
  it.each([
    ['Kremlin turns down the truce offer. Where do talks go from here?', 2],
    ['Кремль отклонил план перемирия. Чего ждать от переговоров?', 2],
    ['Кремль відхилив план перемир’я. Чого чекати від переговорів?', 2],
    ['Москва: «Мы против паузы». «Что дальше?» — спрашивают в Киеве', 2],
    ['В. Зеленский и Д. Трамп обсудили перемирие', 1],
    ['В. Зеленський і Д. Трамп обговорили перемир’я', 1],
  ])('"%s" is %i sentence(s)', (headline, count) => {
    expect(splitSentences(headline)).toHaveLength(count);
  });
});

describe('a headline with a trailing question', () => {
  it.each([
    ['Kremlin turns down the truce offer. Where do talks go from here?', 'Kremlin turns down the truce offer.'],
    ['Кремль отверг план перемирия. Чего ждать от переговоров?', 'Кремль отверг план перемирия.'],
    ['Кремль відхилив план перемир’я. Чого чекати від переговорів?', 'Кремль відхилив план перемир’я.'],
  ])('keeps the stance its statement carries: "%s"', (headline, statement) => {
    expect(stancesOf(classify(headline))).toEqual([['russia', 'opposes', statement]]);
  });

  it('gives the question no stance, and the statement after a leading question keeps its own', () => {
    const result = classify('Will Moscow turn down the truce offer? Kyiv backs the ceasefire plan');
    expect(stancesOf(result)).toEqual([['ukraine', 'supports', 'Kyiv backs the ceasefire plan']]);
  });

  it('still counts a position stated in a headline of two sentences toward a follow-up', () => {
    const result = classify('Путин отверг перемирие. Кто следующий?', teaser);
    expect(result.score).toBeLessThan(FOLLOW_UP_THRESHOLD);
    expect(result.followUp).toBe(true);
    expect(result.reasons.at(-1)).toMatch(/a party's position in the headline/);
  });

  it('keeps the whole headline as the summary title', () => {
    const headline = 'Kremlin turns down the truce offer. Where do talks go from here?';
    expect(classify(headline).summary?.title).toBe(headline);
  });
});
