import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { createRulesReader, RULES_READER_ID, RULES_VERSION } from '../../../src/reader/rules';
import { feedItem, readFixtureItems } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

describe('the rules reader', () => {
  it("answers each item with the detector's classification, labelled rules with the rules' version", async () => {
    const items = readFixtureItems('items.jsonl')
      .slice(0, 12)
      .map((fixture) => feedItem({ ...fixture }));
    const readings = await createRulesReader().read(items, story);
    expect(readings).toHaveLength(items.length);
    readings.forEach((reading, index) => {
      const item = items[index];
      if (!item) throw new Error('missing item');
      expect(reading).toEqual({ ...classifyItem(item, story), reader: RULES_READER_ID, promptVersion: RULES_VERSION });
    });
    // The slice holds both kinds, so the comparison above covers stances and summaries too.
    expect(readings.some((reading) => reading.followUp && reading.stances.length > 0)).toBe(true);
    expect(readings.some((reading) => !reading.followUp)).toBe(true);
  });

  it('keeps the order of the batch and never sets a fallback reason', async () => {
    const items = ['a', 'b', 'c'].map((id) => feedItem({ id, title: `Kremlin rejects ceasefire plan ${id}` }));
    const readings = await createRulesReader().read(items, story);
    expect(readings.map((reading) => reading.itemId)).toEqual(['a', 'b', 'c']);
    expect(readings.every((reading) => reading.fallbackReason === undefined)).toBe(true);
  });

  it('reads an empty batch as no readings', async () => {
    const reader = createRulesReader();
    expect(reader.id).toBe('rules');
    expect(await reader.read([], story)).toEqual([]);
  });
});
