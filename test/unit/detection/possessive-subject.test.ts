import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');
const stancesOf = (title: string, description = '') =>
  Object.fromEntries(
    classifyItem(feedItem({ title, description }), story).stances.map((stance) => [stance.party, stance.label]),
  );

describe('a possessive subject ("its president proposes")', () => {
  it('gives the stance to the party the pronoun refers back to', () => {
    expect(
      stancesOf(
        'Drones hit Moscow as Kyiv presses for a truce',
        'It was a reminder of Ukraine’s reach as its president proposes an air truce.',
      ),
    ).toMatchObject({ ukraine: 'supports' });
    expect(stancesOf('Washington and its envoys back the ceasefire plan')).toMatchObject({ us: 'supports' });
  });

  it('gives it to the nearest party before the pronoun, not to one named earlier', () => {
    expect(stancesOf('Russia struck Ukraine overnight, and its leaders accept the truce proposal')).toEqual({
      ukraine: 'supports',
    });
  });
});
