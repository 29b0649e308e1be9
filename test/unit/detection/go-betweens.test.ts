import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function stancesOf(title: string, description = ''): Record<string, string> {
  const result = classifyItem(feedItem({ title, description }), story);
  return Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label]));
}

describe('go-betweens hold none', () => {
  it('gives no stance to a party brokering or mediating between two others', () => {
    expect(stancesOf('EU-brokered Russia-Ukraine talks stall over prisoner lists')).toEqual({});
    expect(stancesOf('France mediates talks between Moscow and Kyiv on a ceasefire')).toEqual({});
    expect(stancesOf('Russia-Ukraine talks brokered by Washington end without a deal')).toEqual({});
    expect(stancesOf('Talks between Kyiv and Moscow, mediated by the EU, resume on the truce')).toEqual({});
  });

  it('still credits the broker of a deal with nobody named between', () => {
    expect(stancesOf('Washington mediated a truce, Kyiv says').us).toBe('supports');
    expect(stancesOf('Russia and Ukraine trade blame over US-brokered energy truce').us).toBe('supports');
    expect(stancesOf('Russia, Ukraine accuse each other of breaking US-brokered energy truce').us).toBe('supports');
  });
});

describe('relayed words belong to whoever said them', () => {
  it('gives no stance to a go-between passing on an offer, and credits who asked for it', () => {
    expect(stancesOf('Kyiv asks French diplomats to pass on its truce offer to Moscow')).toEqual({
      ukraine: 'supports',
    });
    expect(stancesOf('Україна попросила американських посередників передати пропозицію про перемир’я Росії')).toEqual({
      ukraine: 'supports',
    });
    expect(stancesOf('Witkoff relays the Kremlin’s truce terms to Kyiv').us).toBeUndefined();
  });

  it('reads "asks X to" with X as the one asked, not the one acting', () => {
    expect(stancesOf('Kyiv asks Washington to pressure Moscow into a truce')).toEqual({ ukraine: 'supports' });
  });

  it('gives a quoted assessment to the speaker nearest it, not to who reports it', () => {
    expect(stancesOf('Macron says Putin told him he is optimistic about a truce')).toEqual({ russia: 'supports' });
    expect(stancesOf('Peskov says Washington told Moscow the ceasefire talks were on track')).toEqual({
      us: 'supports',
    });
  });
});
