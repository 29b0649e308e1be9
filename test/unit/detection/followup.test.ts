import { describe, expect, it } from 'vitest';
import { classifyItem, FOLLOW_UP_THRESHOLD, loadStory } from '../../../src/detection/index';
import { FIXTURE_STORIES, feedItem, readFixtureItems } from '../../support/detection-helpers';

const ceasefire = loadStory('ceasefire-2025');

describe('follow-up detection on hand-written items (en, ru, uk)', () => {
  const items = readFixtureItems('items.jsonl');
  it.each(items.map((item) => [item.behaviour, item] as const))('%s', (_behaviour, item) => {
    const result = classifyItem(feedItem(item), ceasefire);
    expect(result.followUp).toBe(item.expect.followUp);
    expect(result.followUp).toBe(result.score >= FOLLOW_UP_THRESHOLD);
    if (item.expect.stances) {
      const stances = Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label]));
      expect(stances).toEqual(item.expect.stances);
    }
    for (const [party, conditions] of Object.entries(item.expect.conditions ?? {})) {
      expect(result.stances.find((stance) => stance.party === party)?.conditions).toEqual(conditions);
    }
  });
});

describe('evidence combination', () => {
  it('explains its decision with the story terms, the parties and the score', () => {
    const result = classifyItem(
      feedItem({ title: 'Zelensky and Putin envoys hold ceasefire talks in Istanbul' }),
      ceasefire,
    );
    expect(result.followUp).toBe(true);
    expect(result.reasons.join('\n')).toMatch(/story terms: .*ceasefire/);
    expect(result.reasons.join('\n')).toMatch(/parties: .*ukraine/);
    expect(result.reasons.at(-1)).toMatch(/^follow-up: score 0\.\d+ ≥ 0\.5$/);
  });

  it('lets other-story signals outweigh a shared word when the item has no anchor in this story', () => {
    const gaza = classifyItem(feedItem({ title: 'Hamas and Israel weigh a new Gaza ceasefire' }), ceasefire);
    expect(gaza.followUp).toBe(false);
    expect(gaza.reasons.join('\n')).toMatch(/other-story signals: .*Gaza/);
  });

  it('scores an item lower the more other-story signals it carries, all else equal', () => {
    const base = 'Ukraine and Russia resume ceasefire talks';
    const clean = classifyItem(feedItem({ title: base }), ceasefire).score;
    const passing = classifyItem(feedItem({ title: base, description: 'The envoy also visited Gaza.' }), ceasefire);
    const crowded = classifyItem(
      feedItem({ title: base, description: 'Gaza, Israel, Hamas and Lebanon dominated the day instead.' }),
      ceasefire,
    );
    expect(passing.followUp).toBe(true);
    expect(passing.score).toBeLessThan(clean);
    expect(crowded.score).toBeLessThan(passing.score);
  });

  it('counts a call between parties on different sides as diplomacy, but not a meeting of allies', () => {
    const across = classifyItem(feedItem({ title: 'Trump and Putin speak by phone for two hours' }), ceasefire);
    const allies = classifyItem(feedItem({ title: 'Macron hosts Zelensky for dinner in Paris' }), ceasefire);
    expect(across.followUp).toBe(true);
    expect(across.reasons).toContain('contact across sides between us and russia');
    expect(allies.followUp).toBe(false);
    expect(allies.score).toBeLessThan(across.score);
  });

  it('does not read "calls for" as a call between parties', () => {
    const result = classifyItem(feedItem({ title: 'Zelensky calls for more air defence from Washington' }), ceasefire);
    expect(result.followUp).toBe(false);
    expect(result.reasons.join('\n')).not.toMatch(/contact/);
  });

  it('does not make a follow-up out of a generic word like "deal" alone', () => {
    const result = classifyItem(feedItem({ title: 'Germany and Ukraine sign a deal on drone production' }), ceasefire);
    expect(result.followUp).toBe(false);
    expect(result.reasons.at(-1)).toMatch(/no strong story term/);
  });

  it('needs the story anchored by a party or a place: a truce word alone is not enough', () => {
    const result = classifyItem(feedItem({ title: 'Rival gangs announce a truce in the capital' }), ceasefire);
    expect(result.followUp).toBe(false);
  });

  it('decays gently with the age of the story: a year later the same item is still a follow-up', () => {
    const fields = { title: 'Kremlin says it is open to a ceasefire proposal' };
    const early = classifyItem(feedItem({ ...fields, published: '2025-03-12T00:00:00Z' }), ceasefire);
    const late = classifyItem(feedItem({ ...fields, published: '2026-03-12T00:00:00Z' }), ceasefire);
    expect(late.score).toBeLessThan(early.score);
    expect(late.score).toBeGreaterThan(early.score * 0.9);
    expect(late.followUp).toBe(true);
  });

  it('reads the full content when the feed carries it', () => {
    const withoutContent = classifyItem(
      feedItem({ title: 'Monday briefing', description: 'Plus, the weather.' }),
      ceasefire,
    );
    const withContent = classifyItem(
      feedItem({
        title: 'Monday briefing',
        description: 'Plus, the weather.',
        content: 'Ukraine said it was ready to accept a 30-day ceasefire proposed by the United States.',
      }),
      ceasefire,
    );
    expect(withoutContent.followUp).toBe(false);
    expect(withContent.followUp).toBe(true);
    expect(withContent.stances.map((stance) => stance.party).sort()).toEqual(['ukraine', 'us']);
  });

  it('weighs a passing mention deep in a long body less than the same words in the lead', () => {
    const filler = 'The city council debated parking fees and school budgets at length. '.repeat(8);
    const lead = classifyItem(
      feedItem({ title: 'Evening update', description: 'Short.', content: `Ceasefire talks resumed. ${filler}` }),
      ceasefire,
    );
    const deep = classifyItem(
      feedItem({ title: 'Evening update', description: 'Short.', content: `${filler} Ceasefire talks resumed.` }),
      ceasefire,
    );
    expect(deep.score).toBeLessThan(lead.score);
  });

  it('decodes HTML entities and strips markup before matching', () => {
    const result = classifyItem(
      feedItem({ title: 'Putin&#039;s envoy discusses a <b>ceasefire</b> with Kyiv&#160;officials' }),
      ceasefire,
    );
    expect(result.followUp).toBe(true);
    expect(result.summary?.title).toBe("Putin's envoy discusses a ceasefire with Kyiv officials");
  });

  it('gives no stances and no summary to an item that is not a follow-up', () => {
    const result = classifyItem(feedItem({ title: 'Putin rejects criticism of Russian football league' }), ceasefire);
    expect(result.followUp).toBe(false);
    expect(result.stances).toEqual([]);
    expect(result.summary).toBeUndefined();
  });
});

describe('a second story needs no code change', () => {
  const portStrike = loadStory('port-strike-2031', FIXTURE_STORIES);
  const items = readFixtureItems('port-strike-items.jsonl');
  it.each(items.map((item) => [item.behaviour, item] as const))('%s', (_behaviour, item) => {
    const result = classifyItem(feedItem(item), portStrike);
    expect(result.storyId).toBe('port-strike-2031');
    expect(result.followUp).toBe(item.expect.followUp);
    if (item.expect.stances) {
      expect(Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label]))).toEqual(
        item.expect.stances,
      );
    }
  });

  it('does not treat the ceasefire story as the strike story', () => {
    const [first] = items;
    if (!first) throw new Error('fixture is empty');
    expect(classifyItem(feedItem(first), ceasefire).followUp).toBe(false);
  });
});
