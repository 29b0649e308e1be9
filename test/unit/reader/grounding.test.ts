import { describe, expect, it } from 'vitest';
import { loadStory } from '../../../src/detection/index';
import { ground, MODEL_STANCE_CONFIDENCE, normalizeForQuote, SUMMARY_LIMIT } from '../../../src/reader/grounding';
import { readByRules } from '../../../src/reader/rules';
import type { WireAnswerItem } from '../../../src/reader/wire';
import { FIXTURE_STORIES, feedItem } from '../../support/detection-helpers';

const story = loadStory('port-strike-2031', FIXTURE_STORIES);
const identity = { reader: 'openai:test', promptVersion: 'story-prompt-1.0000000000' };
const item = feedItem({
  id: 'ps-x',
  title: 'Employers reject union proposal as port strike enters third week',
  description: 'The Maritime Employers Council dismissed the “wage deal on the table”, Owen Achebe told reporters.',
  published: '2031-02-20T09:00:00Z',
});
const rules = readByRules(item, story);

function answer(stances: WireAnswerItem['stances'], followUp = true): WireAnswerItem {
  return { ref: item.id, followUp, stances, summary: 'Employers rejected the union proposal.' };
}

describe('grounding a model answer', () => {
  it('normalizes only whitespace and quote marks', () => {
    expect(normalizeForQuote(' “a”\n\t‘b’  «c» ')).toBe(`"a" 'b' "c"`);
    expect(normalizeForQuote('Café')).toBe('Café');
  });

  it('turns a grounded answer into a reading with the evidence, the direct flag and the summary', () => {
    const result = ground(
      item,
      answer([
        {
          party: 'employers',
          label: 'opposes',
          quote: 'The Maritime Employers Council dismissed the "wage deal on the table"',
          conditions: [],
        },
      ]),
      story,
      rules,
      identity,
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.reading).toMatchObject({ followUp: true, reader: 'openai:test', score: rules.score });
    expect(result.reading.stances).toEqual([
      {
        party: 'employers',
        label: 'opposes',
        confidence: MODEL_STANCE_CONFIDENCE,
        evidence: 'The Maritime Employers Council dismissed the "wage deal on the table"',
        conditions: [],
        direct: true,
      },
    ]);
    expect(result.reading.summary).toMatchObject({ summary: 'Employers rejected the union proposal.', conditions: [] });
    // The parties the item names, by the model's stances and the rules' mentions.
    expect(result.reading.summary?.parties).toEqual(['employers', 'union']);
    expect(result.reading.summary?.quotes).toEqual([result.reading.stances[0]?.evidence]);
  });

  it.each([
    [{ party: 'harbor', label: 'opposes', quote: item.title, conditions: [] }, 'unknown_party'],
    [{ party: 'employers', label: 'hostile', quote: item.title, conditions: [] }, 'unknown_label'],
    [{ party: 'employers', label: 'conditional', quote: item.title, conditions: ['free_lunch'] }, 'unknown_condition'],
    [{ party: 'employers', label: 'opposes', quote: ' ', conditions: [] }, 'missing_quote'],
    [
      { party: 'employers', label: 'opposes', quote: 'Employers reject the union … third week', conditions: [] },
      'ungrounded_quote',
    ],
  ])('rejects %j as %s', (stance, reason) => {
    const result = ground(item, answer([stance]), story, rules, identity);
    expect(result).toMatchObject({ ok: false, reason });
  });

  it('drops stances on an item the model says is not a follow-up', () => {
    const result = ground(
      item,
      answer([{ party: 'employers', label: 'opposes', quote: item.title, conditions: [] }], false),
      story,
      rules,
      identity,
    );
    expect(result).toMatchObject({ ok: true, reading: { followUp: false, stances: [] } });
    expect(result.ok && result.reading.summary).toBeUndefined();
  });

  it('strips control and bidi characters from the summary the model wrote', () => {
    const result = ground(item, { ...answer([]), summary: 'Employers\u202e said no.\u0007' }, story, rules, identity);
    expect(result.ok && result.reading.summary?.summary).toBe('Employers said no.');
  });

  it('cuts a long summary the model wrote at its limit in characters, an emoji at the cut kept whole', () => {
    const head = 'a'.repeat(SUMMARY_LIMIT - 2);
    const summary = `${head}😀 and the rest of a long summary`;
    const result = ground(item, { ...answer([]), summary }, story, rules, identity);
    expect(result.ok && result.reading.summary?.summary).toBe(`${head}😀…`);
  });
});
