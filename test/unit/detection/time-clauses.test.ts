import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function stancesOf(title: string, description = ''): Record<string, string> {
  const result = classifyItem(feedItem({ title, description }), story);
  return Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label]));
}

describe('what a cue asks for ends at a time clause', () => {
  it('does not read the matter named in a time clause as what is urged or backed', () => {
    expect(stancesOf('Macron urges partners to arm Kyiv before the next round of talks').europe).toBeUndefined();
    expect(stancesOf('Kyiv backs new air defence deliveries ahead of the Geneva talks').ukraine).toBeUndefined();
    expect(stancesOf('Киев поддержал поставки ПВО перед переговорами').ukraine).toBeUndefined();
    expect(stancesOf('Київ підтримав постачання ППО напередодні переговорів').ukraine).toBeUndefined();
  });

  it('still reads the matter when it comes before the time clause', () => {
    expect(stancesOf('Macron urges Moscow to accept a truce before Easter').europe).toBe('supports');
    expect(stancesOf('Kyiv backs a ceasefire ahead of the winter').ukraine).toBe('supports');
    expect(stancesOf('Киев поддержал перемирие перед зимой').ukraine).toBe('supports');
  });

  it('reads "the truce Russia agreed to before" as the object written before the cue', () => {
    expect(stancesOf('Kyiv says it will keep to the truce Russia agreed to before the talks').russia).toBe('supports');
  });
});

describe('a cue word right after a time word names a moment', () => {
  it('takes no stance from "before the announced truce" or "amid pressure to end the war"', () => {
    expect(stancesOf('Zelensky condemns Russian shelling before the announced truce').ukraine).toBeUndefined();
    expect(stancesOf('Putin to meet his generals amid pressure to end the war').russia).toBeUndefined();
    expect(stancesOf('Kyiv mourns the dead after the agreed pause in strikes').ukraine).toBeUndefined();
  });

  it('still reads an act after a time word ("after agreeing to a truce")', () => {
    expect(stancesOf('Moscow keeps up strikes after agreeing to a truce, Kyiv says').russia).toBe('supports');
  });
});
