import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function stancesOf(title: string, description = ''): Record<string, string> {
  const result = classifyItem(feedItem({ title, description }), story);
  return Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label]));
}

describe('signalling is speaking', () => {
  it('gives the hope that talks could resume, or the progress a party signals, to that party', () => {
    expect(
      stancesOf('Talks are on hold, Moscow says, even as Kyiv signaled that truce talks could resume next week'),
    ).toEqual({ ukraine: 'supports' });
    expect(stancesOf('Kyiv signals progress on the ceasefire after a call with Washington')).toEqual({
      ukraine: 'supports',
    });
    expect(stancesOf('Переговоры о перемирии могут возобновиться, заявил Киев')).toEqual({ ukraine: 'supports' });
  });

  it('still reads a signal as nobody’s stance when no party sends it', () => {
    expect(stancesOf('Markets signal doubts that truce talks could resume')).toEqual({});
  });
});

describe('turning a proposal down', () => {
  it.each([
    'Кремль отклонил план перемирия',
    'Москва отклоняет предложение о перемирии',
    'Кремль відхилив план перемир’я',
  ])('is a refusal in Russian as in Ukrainian: "%s"', (title) => {
    expect(stancesOf(title)).toEqual({ russia: 'opposes' });
  });
});
