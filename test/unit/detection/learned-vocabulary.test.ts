import { describe, expect, it } from 'vitest';
import type { FollowUpSummary } from '../../../src/core/story';
import { LEARNED_TOPIC_CAP } from '../../../src/detection/classify';
import { type LabeledItem, predictAll } from '../../../src/detection/evaluation';
import {
  adaptProfile,
  classifyItem,
  initialProfile,
  loadStory,
  PROFILE_LIMITS,
  type StoryProfile,
} from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function summary(fields: Partial<FollowUpSummary> & { title: string }, itemId = 'item'): FollowUpSummary {
  return {
    storyId: story.id,
    itemId,
    source: 'https://feeds.example.test/world.xml',
    link: null,
    published: '2026-06-01T00:00:00Z',
    score: 0.8,
    summary: '',
    parties: [],
    stances: [],
    conditions: [],
    quotes: [],
    keyTerms: [],
    reasons: [],
    ...fields,
  };
}

const learnedWith = (terms: string[], weight: number = PROFILE_LIMITS.maxLearnedWeight): StoryProfile => ({
  ...initialProfile(story),
  updates: 10,
  learned: Object.fromEntries(terms.map((term) => [term, weight])),
});

describe('what a profile learns from a follow-up', () => {
  it('takes the new names first and leaves the words of negotiating and of news reports to the detector', () => {
    const profile = adaptProfile(
      initialProfile(story),
      summary({
        title: 'Envoys agreed to meet again and discuss the proposals, officials said',
        summary: 'The delegations accepted a second meeting next week.',
        keyTerms: ['Zorkovsky', 'Valletta'],
      }),
      story,
    );
    const terms = Object.keys(profile.candidates);
    expect(terms.slice(0, 2).sort()).toEqual(['valletta', 'zorkovsky']);
    for (const language of ['agre', 'agreed', 'meet', 'meeting', 'proposal', 'accepted', 'accept', 'official', 'said'])
      expect(terms).not.toContain(language);
  });

  it('finds names in a sentence-case headline but not in a title-case one', () => {
    const sentenceCase = classifyItem(
      feedItem({ title: 'Kremlin says envoy Zorkovsky will bring its ceasefire terms to Valletta' }),
      story,
    );
    const titleCase = classifyItem(
      feedItem({ title: 'Kremlin Says Envoy Zorkovsky Will Bring Its Ceasefire Terms To Valletta' }),
      story,
    );
    expect(sentenceCase.summary?.keyTerms).toEqual(expect.arrayContaining(['Zorkovsky', 'Valletta']));
    expect(titleCase.summary?.keyTerms ?? []).not.toContain('Zorkovsky');
  });
});

describe('learned words in follow-up scoring', () => {
  const item = feedItem({
    title: 'Ukraine and Russia delegations meet in Valletta with Zorkovsky, Marlow and Quenby',
    description: 'The Valletta round with Zorkovsky continues.',
  });

  it('raise the score of an item in the new words, adding at most the cap to its topic', () => {
    const plain = classifyItem(item, story).score;
    const one = classifyItem(item, story, learnedWith(['zorkovsky'], 0.1));
    const two = classifyItem(item, story, learnedWith(['zorkovsky', 'valletta']));
    const four = classifyItem(item, story, learnedWith(['zorkovsky', 'valletta', 'marlow', 'quenby']));
    expect(one.score).toBeGreaterThan(plain);
    expect(two.score).toBeGreaterThan(one.score);
    const added = (reasons: string[]) =>
      reasons.find((reason) => reason.startsWith('learned terms'))?.match(/\+([\d.]+)/)?.[1];
    expect(added(one.reasons)).toBe('0.13');
    // Two learned words at full weight (one in the headline) already reach the cap; two more add nothing to it.
    expect(added(two.reasons)).toBe(LEARNED_TOPIC_CAP.toFixed(2));
    expect(added(four.reasons)).toBe(LEARNED_TOPIC_CAP.toFixed(2));
  });

  it('never make a follow-up of an item with no angle on the story', () => {
    const strike = feedItem({
      title: 'Zorkovsky, Marlow and Quenby report drone strikes on Valletta harbour in Ukraine',
    });
    const profile = learnedWith(['zorkovsky', 'valletta', 'marlow', 'quenby', 'harbour', 'drone']);
    expect(classifyItem(strike, story, profile).followUp).toBe(false);
  });

  it('fade with the profile: once follow-ups stop carrying them, the item scores as without them', () => {
    let profile = learnedWith(['zorkovsky', 'valletta']);
    const lifted = classifyItem(item, story, profile).score;
    for (let index = 0; index < 120; index++) {
      profile = adaptProfile(profile, summary({ title: 'Geneva prisoner exchange' }, `later-${index}`), story);
    }
    expect(classifyItem(item, story, profile).score).toBeLessThan(lifted);
    expect(classifyItem(item, story, profile).score).toBe(classifyItem(item, story).score);
  });
});

describe('the evaluation reads as the pipeline does', () => {
  it('predicts in published order whatever the order of the file, undated items last', () => {
    const labeled = (id: string, published: string | null): LabeledItem => ({
      id,
      source: '',
      link: null,
      published,
      title: id,
      description: '',
      followUp: false,
      borderline: false,
      stances: {},
    });
    const seen: string[] = [];
    const predictions = predictAll(
      [labeled('c', '2026-03-01T00:00:00Z'), labeled('x', null), labeled('a', '2026-01-01T00:00:00Z')],
      (feed) => {
        seen.push(feed.id);
        return { followUp: false, score: seen.length, stances: {} };
      },
    );
    expect(seen).toEqual(['a', 'c', 'x']);
    expect([...predictions.keys()]).toEqual(['c', 'x', 'a']);
  });
});
