import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function read(title: string, description = '') {
  const result = classifyItem(feedItem({ title, description }), story);
  return {
    stances: Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label])),
    contact: result.reasons.find((reason) => reason.startsWith('contact')),
    followUp: result.followUp,
  };
}

describe('a people’s adjective is not the party acting', () => {
  it('takes no stance from a private person or a thing the adjective describes', () => {
    expect(read('A Ukrainian soldier backs the ceasefire proposal').stances).toEqual({});
    expect(read('A Ukrainian soldier said he backs the ceasefire proposal').stances).toEqual({});
    expect(read('Russian bloggers reject the ceasefire proposal').stances).toEqual({});
    expect(read('российские блогеры отвергли предложение о перемирии').stances).toEqual({});
  });

  it('still reads the party in those who speak for it, in English, Russian and Ukrainian', () => {
    expect(read('Ukrainian officials back the ceasefire proposal').stances).toEqual({ ukraine: 'supports' });
    expect(read('Russian Foreign Minister rejects the ceasefire proposal').stances).toEqual({ russia: 'opposes' });
    expect(read('American envoy welcomes the ceasefire deal').stances).toEqual({ us: 'supports' });
    expect(read('российские власти отвергли предложение о перемирии').stances).toEqual({ russia: 'opposes' });
    expect(read('Russian and Ukrainian delegations agree on a ceasefire').stances).toEqual({
      russia: 'supports',
      ukraine: 'supports',
    });
  });

  it('counts no contact between people the adjectives only describe', () => {
    const call = read('Russian student arrested after video call with American friend');
    expect(call.contact).toBeUndefined();
    expect(call.followUp).toBe(false);
    expect(read('Ukrainian singer met American fans in Warsaw').followUp).toBe(false);
    expect(read('Russian and American negotiators met in Riyadh').contact).toMatch(/between russia and us/);
  });

  it('leaves a surname of the adjective’s shape alone', () => {
    expect(read('Зеленский отверг предложение о перемирии').stances).toEqual({ ukraine: 'opposes' });
  });
});

describe('a call is contact, unless it demands something', () => {
  it('reads a call between parties as contact, also a call on the matter', () => {
    expect(read('Putin and Trump hold a call').contact).toMatch(/contact across sides between russia and us/);
    expect(read('Putin and Trump hold a two-hour call on the ceasefire').contact).toMatch(/between russia and us/);
  });

  it('does not read a call for something as contact', () => {
    const demand = read('Kremlin dismisses a call from a Kyiv opposition leader for early elections');
    expect(demand.contact).toBeUndefined();
    expect(demand.followUp).toBe(false);
    expect(read('Kremlin rejects call by Kyiv for a ceasefire').contact).toBeUndefined();
    expect(read('Zelensky renews truce call as Moscow shells Kharkiv').contact).toBeUndefined();
    expect(read('Moscow calls on Kyiv to withdraw before any truce').contact).toBeUndefined();
  });
});
