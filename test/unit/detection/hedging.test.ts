import { describe, expect, it } from 'vitest';
import type { StanceObservation } from '../../../src/core/story';
import { stanceVocabulary } from '../../../src/detection/cues';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { compileStory, scanLexicon } from '../../../src/detection/lexicon';
import { extractStances } from '../../../src/detection/stance';
import { splitSentences, tokenize } from '../../../src/detection/text';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function stancesOf(title: string, description = ''): Record<string, StanceObservation> {
  const result = classifyItem(feedItem({ title, description }), story);
  expect(result.followUp).toBe(true);
  return Object.fromEntries(result.stances.map((stance) => [stance.party, stance]));
}

/** Everything the extractor reads from one sentence, before classification drops weak observations. */
function rawStances(sentence: string): Record<string, StanceObservation> {
  const tokens = tokenize(sentence);
  const observations = extractStances({
    text: sentence,
    sentences: splitSentences(sentence),
    hits: scanLexicon(compileStory(story), sentence, tokens),
    wordStarts: tokens.starts,
    vocabulary: stanceVocabulary(story),
  });
  return Object.fromEntries(observations.map((stance) => [stance.party, stance]));
}

describe('deliberation is not a stance', () => {
  it.each([
    ['Putin is carefully studying the proposed ceasefire', ''],
    ['Kremlin says it is considering the peace plan put forward in Miami', ''],
    ['Moscow weighing the 20-point peace framework, Peskov says', ''],
    [
      'Kremlin reviewing the draft peace memorandum',
      'Peskov said Moscow would examine the document before giving an answer.',
    ],
    ['Russia will study the proposed energy truce, Kremlin says', ''],
    ['Putin has not yet decided on the ceasefire offer', ''],
    ['Kremlin is yet to respond to the proposed peace deal', ''],
    ['Кремль изучает предложенный мирный план', ''],
    ['Москва рассматривает предложение о перемирии', ''],
    ['Кремль вивчає запропонований мирний план', ''],
  ])('gives Russia no stance for "%s"', (title, description) => {
    expect(stancesOf(title, description).russia).toBeUndefined();
  });

  it('keeps the stance of another party named in the same headline', () => {
    const stances = stancesOf('Kremlin studies US-drafted peace plan');
    expect(stances.russia).toBeUndefined();
    expect(stances.us?.label).toBe('supports');
  });

  it('still reads the terms a deliberating party sets as conditional', () => {
    const stances = stancesOf(
      'Kremlin studying the peace plan',
      'Peskov said Moscow is examining the text and insists that any ceasefire requires Kyiv to leave Donbas.',
    );
    expect(stances.russia?.label).toBe('conditional');
  });

  it('lets a headline about deliberation outweigh background on the party in the description', () => {
    const stances = stancesOf(
      'Putin weighing the new truce proposal',
      'The Russian leader rejected an earlier version of the ceasefire plan.',
    );
    expect(stances.russia).toBeUndefined();
  });

  it('reads "not considering" as no deliberation, leaving the refusal to the other cues', () => {
    expect(stancesOf('Putin says he rejects the ceasefire plan and is not considering it').russia?.label).toBe(
      'opposes',
    );
  });
});

describe('third-party speculation is not the party speaking', () => {
  it.each([
    'Analysts say the Kremlin is likely to oppose the ceasefire plan',
    'Experts expect Moscow to reject the peace proposal',
    'Analysts say Moscow will reject the 28-point plan',
    'Russia is expected to reject the peace framework',
    'Russia could accept the energy truce, sources suggest',
    'Kremlin might reject the peace deal',
    'Officials say Moscow is poised to accept the energy truce',
    'Эксперты ожидают, что Москва отвергнет мирный план',
    'Експерти: Росія, ймовірно, відкине мирний план',
  ])('yields no stance from "%s"', (title) => {
    expect(stancesOf(title).russia).toBeUndefined();
  });

  it('keeps a forecast only as a low-confidence, indirect observation', () => {
    const forecast = rawStances('Analysts say the Kremlin is likely to oppose the ceasefire plan.').russia;
    expect(forecast?.label).toBe('opposes');
    expect(forecast?.confidence).toBeLessThan(0.6);
    expect(forecast?.direct).toBe(false);
  });

  it('prefers a firm report about the party over a forecast in the same item', () => {
    const stances = rawStances(
      'Experts expect Moscow to reject the peace plan. The Kremlin agreed to the energy truce on Tuesday.',
    );
    expect(stances.russia?.label).toBe('supports');
    expect(stances.russia?.direct).toBe(true);
  });

  it('does not mark what commentators say about a party as its own statement', () => {
    const stances = rawStances("Moscow's demands are slowing the ceasefire talks, experts said.");
    expect(stances.russia?.label).toBe('conditional');
    expect(stances.russia?.direct).toBe(false);
  });

  it('treats the party reporting its own decision as direct', () => {
    const stances = stancesOf('Kremlin rejects the 28-point peace plan, Peskov says');
    expect(stances.russia).toMatchObject({ label: 'opposes', direct: true });
  });
});

describe('obligations and objects are not the party holding a stance', () => {
  it.each([
    ['Vance says Ukraine must accept territorial concessions for peace', 'ukraine'],
    ['Ukraine must accept the ceasefire, Trump says', 'ukraine'],
    ['Russia has to agree to the truce now, Merz says', 'russia'],
  ])('gives no stance to the party an obligation is put on in "%s"', (title, party) => {
    expect(stancesOf(title)[party]).toBeUndefined();
  });

  it('keeps an obligation a party states for itself as its own condition', () => {
    const stances = stancesOf('Zelensky says Ukraine must first get security guarantees before any ceasefire');
    expect(stances.ukraine).toMatchObject({ label: 'conditional', conditions: ['security_guarantees'] });
  });

  it("does not credit the person being met with the host's terms", () => {
    const stances = stancesOf('Kremlin says Putin open to meeting Zelensky only at final stage of talks');
    expect(stances.russia?.label).toBe('conditional');
    expect(stances.ukraine).toBeUndefined();
  });
});

describe('dropped positions and nearer speakers', () => {
  it('gives no stance to a party backing off its own demand for a truce', () => {
    expect(stancesOf('Trump backs off his demand that Russia declare a ceasefire').us).toBeUndefined();
    expect(stancesOf('Washington drops its push for an immediate truce').us).toBeUndefined();
  });

  it('reads "stepping back from" as a retreat, not as backing', () => {
    expect(stancesOf('Washington is stepping back from efforts to end the war in Ukraine').us).toBeUndefined();
    expect(stancesOf('Washington backs the truce plan for Ukraine').us?.label).toBe('supports');
  });

  it('credits a speaker cue to the speaker of its own clause, not the first speaker of the sentence', () => {
    const stances = stancesOf(
      'Truce talks to start soon',
      'The US president says both sides will start talks at once, as Putin says the peace efforts are on the right track.',
    );
    expect(stances.russia?.label).toBe('supports');
  });
});
