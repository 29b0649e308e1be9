import { describe, expect, it } from 'vitest';
import { classifyItem, loadStory, type StoryDefinition } from '../../../src/detection/index';
import { compileStory, scanLexicon } from '../../../src/detection/lexicon';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function stanceOf(party: string, title: string, description = '') {
  const result = classifyItem(feedItem({ title, description }), story);
  expect(result.followUp).toBe(true);
  return result.stances.find((stance) => stance.party === party);
}

describe('condition vocabulary', () => {
  it.each([
    ['Zelensky insists on binding security guarantees before any ceasefire', ''],
    ['Kyiv will accept a ceasefire only if it gets security guarantees, Zelensky says', ''],
    ['Zelensky says Ukraine will agree to a truce only once European peacekeepers are deployed', ''],
    ['Зеленский требует гарантий безопасности перед перемирием', ''],
    ['Зеленський вимагає гарантій безпеки перед перемир’ям', ''],
  ])('maps security guarantees in "%s" to security_guarantees, not monitoring', (title, description) => {
    const ukraine = stanceOf('ukraine', title, description);
    expect(ukraine?.label).toBe('conditional');
    expect(ukraine?.conditions).toEqual(['security_guarantees']);
  });

  it('keeps a monitoring mission and security guarantees apart when both are named', () => {
    const ukraine = stanceOf(
      'ukraine',
      'Zelensky sets terms for a lasting truce',
      'Zelensky insisted that Kyiv will accept a lasting ceasefire only once partners give binding security guarantees and a monitoring mission is in place.',
    );
    expect(ukraine?.conditions).toEqual(['monitoring', 'security_guarantees']);
  });

  it('reads Russia ruling out NATO troops as its no_foreign_troops condition', () => {
    const russia = stanceOf('russia', 'Kremlin rules out any peace deal that brings NATO troops into Ukraine');
    expect(russia).toMatchObject({ label: 'opposes', conditions: ['no_foreign_troops'] });
  });

  it.each([
    ['Putin says a ceasefire is only possible after new elections in Ukraine'],
    ['Путин: перемирие возможно только после выборов на Украине'],
  ])('reads "%s" as conditional on elections', (title) => {
    expect(stanceOf('russia', title)).toMatchObject({ label: 'conditional', conditions: ['elections'] });
  });

  it('does not read "выбор" (a choice) as elections', () => {
    const russia = stanceOf('russia', 'Путин поставил условием перемирия выбор Киева');
    expect(russia?.label).toBe('conditional');
    expect(russia?.conditions).toEqual([]);
  });
});

describe('overlapping vocabulary entries', () => {
  const overlapping: StoryDefinition = {
    id: 'overlap',
    title: 'Overlap',
    description: '',
    seedText: '',
    startDate: '2030-01-01',
    parties: [],
    topic: [{ term: 'harbour levies', weight: 1 }],
    conflictTerms: [],
    otherStories: [],
    conditions: [{ id: 'levy_cap', terms: ['harbour lev*'] }],
    matter: [],
    contact: [],
    stancePhrases: { supports: [], conditional: [], opposes: [] },
  };

  it('gives an exact entry the roles of a same-length prefix entry that also accepts it', () => {
    const [hit] = scanLexicon(compileStory(overlapping), 'New harbour levies announced');
    expect(hit?.roles).toMatchObject({ topicWeight: 1, condition: 'levy_cap' });
  });

  it('leaves words only the prefix entry accepts with the prefix entry alone', () => {
    const [hit] = scanLexicon(compileStory(overlapping), 'The harbour levy rises');
    expect(hit?.roles.condition).toBe('levy_cap');
    expect(hit?.roles.topicWeight).toBeUndefined();
  });
});

describe('terms in later-months phrasing', () => {
  it.each([
    ['Lavrov: Moscow ready for talks but its goals remain unchanged'],
    ['Кремль: Россия готова к переговорам, но цели СВО неизменны'],
    ['Russia says it is ready to sign a peace deal if its interests are taken into account'],
  ])('reads "%s" as a conditional yes', (title) => {
    expect(stanceOf('russia', title)?.label).toBe('conditional');
  });

  it('reads fighting on unless land is handed over as opposition with a territorial term', () => {
    expect(stanceOf('russia', 'Putin says Russia will fight on unless Ukraine withdraws from Donbas')).toMatchObject({
      label: 'opposes',
      conditions: ['territory'],
    });
  });

  it('gives the terms after "but says" to the subject, not to the owner of a noun in between', () => {
    const title = "Kremlin welcomes Trump's efforts but says root causes must be addressed";
    expect(stanceOf('russia', title)).toMatchObject({ label: 'conditional', conditions: ['root_causes'] });
    expect(stanceOf('us', title)?.label).not.toBe('conditional');
  });
});
