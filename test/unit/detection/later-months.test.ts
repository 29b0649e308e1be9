import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifierPredictor,
  evaluateSlice,
  keywordPredictor,
  predictAll,
  readLabeledFile,
} from '../../../scripts/lib/evaluation';
import { loadStory } from '../../../src/detection/index';
import { FIXTURES } from '../../support/detection-helpers';

// Hand-written items in the vocabulary of June–December 2025 (Istanbul rounds, Alaska, the 28/20-point plans,
// envoy meetings, reassurance force), with other conflicts' truces as the hard negatives.
const items = readLabeledFile(join(FIXTURES, 'later-months.jsonl'));
const story = loadStory('ceasefire-2025');
const parties = story.parties.map((party) => party.id);

describe('later-months vocabulary', () => {
  it('holds a balanced set of 30–40 labeled items in English, Russian and Ukrainian', () => {
    expect(items.length).toBeGreaterThanOrEqual(30);
    expect(items.length).toBeLessThanOrEqual(40);
    const followUps = items.filter((item) => item.followUp).length;
    expect(followUps).toBeGreaterThan(items.length / 3);
    expect(items.length - followUps).toBeGreaterThan(items.length / 5);
    expect(items.some((item) => /[ыэъ]/.test(item.title))).toBe(true);
    expect(items.some((item) => /[іїєґ]/.test(item.title))).toBe(true);
  });

  it('finds the follow-ups with F1 of at least 0.9', () => {
    const evaluation = evaluateSlice(items, predictAll(items, classifierPredictor(story)), parties);
    expect(evaluation.followUp.f1).toBeGreaterThanOrEqual(0.9);
  });

  it('is hard enough that a ceasefire-keyword filter does not pass the same bar', () => {
    const evaluation = evaluateSlice(items, predictAll(items, keywordPredictor), parties);
    expect(evaluation.followUp.f1).toBeLessThan(0.9);
  });

  it('keeps the labeled stances of the later months with F1 of at least 0.75', () => {
    const evaluation = evaluateSlice(items, predictAll(items, classifierPredictor(story)), parties);
    expect(evaluation.stance.f1).toBeGreaterThanOrEqual(0.75);
  });
});

describe('later-months terms on their own', () => {
  it.each([
    ['Zelensky offers Moscow an air truce over the winter', ''],
    [
      'Kyiv and Washington trim the peace framework to 20 points',
      'Negotiators said the 20-point plan now leaves territory to the leaders.',
    ],
    ['Дрісколл привіз до Києва оновлений мирний план', ''],
    ['На переговорах в Абу-Даби Россия и Украина договорились об обмене пленными', ''],
    ['Kremlin demands Ukraine withdraw from Donbas before any peace accord', ''],
  ])('recognises "%s" as a follow-up', (title, description) => {
    const [prediction] = predictAll(
      [
        {
          id: 'x',
          source: '',
          link: null,
          published: '2025-11-30T00:00:00Z',
          title,
          description,
          followUp: true,
          borderline: false,
          stances: {},
        },
      ],
      classifierPredictor(story),
    ).values();
    expect(prediction?.followUp).toBe(true);
  });
});
