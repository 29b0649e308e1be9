import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { baselineStances, classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

/** The article that started the story, in the team's shared folder beside the repository (read in place). */
const SEED_ARTICLE = fileURLToPath(new URL('../../../../shared/seed/ceasefire-article.txt', import.meta.url));

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

describe('the seed article itself', () => {
  // The shared folder sits beside every clone of the team and CI; elsewhere there is no article to read.
  it.runIf(existsSync(SEED_ARTICLE))(
    "classifies as a follow-up with Russia conditional on the Kremlin's conditions, the US and Ukraine supporting",
    () => {
      const [headline = '', ...body] = readFileSync(SEED_ARTICLE, 'utf8').split('\n');
      const result = classifyItem(
        feedItem({ title: headline, description: body.join(' '), published: '2025-03-14T12:00:00Z' }),
        loadStory('ceasefire-2025'),
      );
      expect(result.followUp).toBe(true);
      const byParty = Object.fromEntries(result.stances.map((stance) => [stance.party, stance]));
      expect(byParty.russia?.label).toBe('conditional');
      expect(byParty.russia?.conditions).toEqual(
        expect.arrayContaining(['monitoring', 'no_mobilization', 'no_rearmament', 'kursk_troops']),
      );
      expect(byParty.us?.label).toBe('supports');
      expect(byParty.ukraine?.label).toBe('supports');
    },
  );
});
