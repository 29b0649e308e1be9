import { describe, expect, it } from 'vitest';
import type { StanceObservation } from '../../../src/core/story';
import { classifyItem, loadStory } from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function stancesOf(title: string, description = ''): Record<string, StanceObservation> {
  const result = classifyItem(feedItem({ title, description }), story);
  expect(result.followUp).toBe(true);
  return Object.fromEntries(result.stances.map((stance) => [stance.party, stance]));
}

describe('stance attribution', () => {
  it("attributes a spokesman's words to the party he speaks for, marked direct", () => {
    const stances = stancesOf('Peskov says Moscow welcomes the ceasefire proposal');
    expect(stances.russia?.label).toBe('supports');
    expect(stances.russia?.direct).toBe(true);
  });

  it('marks a report about a country by others as not direct', () => {
    const stances = stancesOf('Russia accepts energy truce, the White House announced');
    expect(stances.russia?.label).toBe('supports');
    expect(stances.russia?.direct).toBe(false);
  });

  it('attributes through reported speech: "X said it would support"', () => {
    const stances = stancesOf('Ceasefire push gathers pace', 'Kyiv said it would support a halt to the fighting.');
    expect(stances.ukraine?.label).toBe('supports');
  });

  it('uses "according to X" as the speaker for a cue without its own subject', () => {
    const stances = stancesOf(
      'Talks in Riyadh end',
      'Progress was made on a Black Sea ceasefire, according to the White House.',
    );
    expect(stances.us?.label).toBe('supports');
  });

  it('credits the author of an "X-brokered" or "X\'s plan" deal', () => {
    expect(stancesOf('Kyiv weighs US-brokered ceasefire').us?.label).toBe('supports');
    expect(stancesOf("Moscow studies Macron's peace plan for Ukraine").europe?.label).toBe('supports');
  });

  it('credits the agent of a passive "brokered by X"', () => {
    expect(stancesOf('A Black Sea truce brokered by Washington takes effect in Ukraine').us?.label).toBe('supports');
  });

  it('follows "he" to the speaker of the previous sentence', () => {
    const stances = stancesOf(
      'Putin speaks on truce',
      'Putin said a ceasefire was a good idea in principle. He added that Kyiv must not use the pause to mobilize.',
    );
    expect(stances.russia?.label).toBe('conditional');
    expect(stances.russia?.conditions).toEqual(['no_mobilization']);
  });
});

describe('stance labels', () => {
  it('reads "yes, but" as conditional', () => {
    expect(stancesOf('Putin backs idea of a ceasefire, but voices doubts').russia?.label).toBe('conditional');
  });

  it('reads readiness to meet the other side as support', () => {
    expect(stancesOf('Zelensky says he is ready to meet Putin to end the war').ukraine?.label).toBe('supports');
  });

  it('reads Russian and Ukrainian refusals of a proposal as opposes', () => {
    expect(stancesOf('Кремль отверг предложение о перемирии').russia?.label).toBe('opposes');
    expect(stancesOf('Україна відкинула пропозицію Росії щодо перемир’я').ukraine?.label).toBe('opposes');
  });

  it('reads refusal as opposes', () => {
    expect(stancesOf('Kremlin rules out a ceasefire in Ukraine').russia?.label).toBe('opposes');
  });

  it('turns negated support into opposition', () => {
    expect(stancesOf("Moscow won't agree to a truce, Lavrov says").russia?.label).toBe('opposes');
  });

  it('does not read a rejection when the rejection itself is negated as opposition', () => {
    expect(stancesOf('Kremlin did not reject the US ceasefire plan, Peskov says').russia?.label).not.toBe('opposes');
  });

  it('reads "demands a ceasefire" as support, and leaves the party being pressed out', () => {
    const stances = stancesOf('EU leaders demand Russia accept an unconditional ceasefire');
    expect(stances.europe?.label).toBe('supports');
    expect(stances.russia).toBeUndefined();
  });

  it('gives no stance for a hypothetical ("if Russia agrees") or an open question', () => {
    expect(stancesOf('Truce could start on Monday if Russia agrees, Ukrainian officials say').russia).toBeUndefined();
    expect(stancesOf('Will Putin accept the ceasefire?').russia).toBeUndefined();
  });

  it('gives no stance when agreement is about something other than the matter on the table', () => {
    const stances = stancesOf(
      'Russia and Ukraine agree to swap 300 prisoners',
      'The exchange came ahead of peace talks.',
    );
    expect(stances.russia).toBeUndefined();
    expect(stances.ukraine).toBeUndefined();
  });

  it('gives no stance to a party that is only mentioned', () => {
    const stances = stancesOf(
      'Ceasefire talks open in Geneva',
      'Delegations from Ukraine, Russia and the United States arrived.',
    );
    expect(stances).toEqual({});
  });

  it('reads "the US support" as a noun, not the US supporting', () => {
    const stances = stancesOf('Kyiv accepts ceasefire amid doubts over US support');
    expect(stances.ukraine?.label).toBe('supports');
    expect(stances.us).toBeUndefined();
  });
});

describe('conditions', () => {
  it('normalizes the conditions a conditional party names', () => {
    const stances = stancesOf(
      'Kremlin sets conditions for a ceasefire',
      'Moscow demands an end to Western arms supplies, limits on mobilization and the lifting of sanctions relief for its banks, and says Ukraine must drop its NATO membership bid.',
    );
    expect(stances.russia?.label).toBe('conditional');
    expect(stances.russia?.conditions).toEqual(
      expect.arrayContaining(['no_rearmament', 'no_mobilization', 'sanctions_relief', 'nato_membership']),
    );
  });

  it('does not attach conditions to plain support', () => {
    const stances = stancesOf('Zelensky accepts a ceasefire', 'He said elections could follow.');
    expect(stances.ukraine?.label).toBe('supports');
    expect(stances.ukraine?.conditions).toEqual([]);
  });

  it('reads Russian-language conditions', () => {
    const stances = stancesOf('Кремль поддерживает перемирие, но при условии', 'Песков заявил, что нужен мониторинг.');
    expect(stances.russia?.label).toBe('conditional');
    expect(stances.russia?.conditions).toContain('monitoring');
  });
});
