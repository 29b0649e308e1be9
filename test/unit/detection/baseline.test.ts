import { describe, expect, it } from 'vitest';
import { baselineStances, loadStory } from '../../../src/detection/index';

describe('baselineStances', () => {
  it("reads the seed as Russia conditional on the Kremlin's conditions, the US and Ukraine supporting", () => {
    const stances = baselineStances(loadStory('ceasefire-2025'));
    const byParty = Object.fromEntries(stances.map((stance) => [stance.party, stance]));
    expect(Object.keys(byParty).sort()).toEqual(['russia', 'ukraine', 'us']);
    expect(byParty.russia?.label).toBe('conditional');
    expect(byParty.russia?.conditions).toEqual(['kursk_troops', 'monitoring', 'no_mobilization', 'no_rearmament']);
    expect(byParty.us?.label).toBe('supports');
    expect(byParty.ukraine?.label).toBe('supports');
  });

  it('quotes the seed sentence that carries each baseline stance', () => {
    const story = loadStory('ceasefire-2025');
    for (const stance of baselineStances(story)) {
      expect(story.seedText).toContain(stance.evidence);
      expect(stance.confidence).toBeGreaterThan(0);
      expect(stance.confidence).toBeLessThanOrEqual(1);
    }
  });
});
