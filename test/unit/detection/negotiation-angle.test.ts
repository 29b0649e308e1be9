import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function classify(title: string, description = '') {
  return classifyItem(feedItem({ title, description, published: '2026-05-01T00:00:00Z' }), story);
}

describe('a follow-up needs a negotiation angle', () => {
  it.each([
    ['Drones hit energy infrastructure in Odesa as Russia and Ukraine trade strikes', ''],
    ['Kyiv strikes a Russian Black Sea port overnight', 'Ukrainian drones set fuel tanks on fire, the governor said.'],
    ['Grain shipments from Ukraine’s Black Sea ports grind to a halt', 'Russia has stepped up attacks on ships.'],
  ])('leaves war news that shares only places and targets out: %s', (title, description) => {
    const result = classify(title, description);
    expect(result.followUp).toBe(false);
    expect(result.reasons.join(' ')).toMatch(/no angle on the matter/);
  });

  it.each([
    ['Russia and Ukraine agree to an energy truce over the winter', ''],
    ['Kremlin says talks with Kyiv will resume next week', ''],
    ['Witkoff meets Putin in Moscow for five hours', ''],
  ])('keeps an item that names the matter, a contact or a core phrase: %s', (title, description) => {
    expect(classify(title, description).followUp).toBe(true);
  });
});

describe('parties in touch', () => {
  it('reads a call as contact only when the sentence names both parties', () => {
    const apart = classify(
      'Moscow court jails a man filmed on a video call',
      'Separately, Trump praised his own record on trade.',
    );
    expect(apart.reasons.join(' ')).not.toMatch(/contact (?:across sides )?between/);
    const together = classify('Trump and Putin spoke by phone for two hours', '');
    expect(together.reasons.join(' ')).toMatch(/contact across sides between/);
  });
});

describe('stance cues of the language', () => {
  it('reads a truce a party declared or imposed as its support', () => {
    const result = classify('Shelling goes on despite the Kremlin-declared holiday truce', '');
    expect(result.stances.find((stance) => stance.party === 'russia')?.label).toBe('supports');
  });

  it('reads trying to cement an agreement as support', () => {
    const result = classify('Macron hosts allies to try to cement security guarantees for Kyiv', '');
    expect(result.stances.find((stance) => stance.party === 'europe')?.label).toBe('supports');
  });
});
