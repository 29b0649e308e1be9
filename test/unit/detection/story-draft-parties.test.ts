import { describe, expect, it } from 'vitest';
import { DEFAULT_STORIES_DIR, validateStory } from '../../../src/detection/index';
import { sharedListReader } from '../../../src/detection/story';
import { draftStory } from '../../../src/detection/story-draft';

// Invented countries and people: no shared actor list knows them, so the draft has only the seed to go on.
const seed = [
  'Valdoria and Ostrava agree to talks on a river water-sharing deal',
  'Valdorian Foreign Minister Ana Petrov said on Monday that Valdoria was ready to sign a water-sharing deal with ' +
    "Ostrava if the dam on the Sava river stays open in summer. Ostrava's prime minister, Ivo Maren, said his " +
    'government demands a fixed share of the river flow. Ostravan negotiators will meet their Valdorian ' +
    'counterparts in Geneva next week. Lina Sorel, who speaks for the Valdoria Water Board, said the board backs a deal.',
].join('\n');

type DraftedParty = { id: string; name?: string; include?: string; aliases?: string[]; selfSpeakers?: string[] };
const partiesOf = (text: string) =>
  draftStory({ seeds: [text], storiesDir: DEFAULT_STORIES_DIR }).json.parties as DraftedParty[];

describe('parties story init drafts for names no shared list knows', () => {
  const parties = partiesOf(seed);
  const party = (id: string) => parties.find((entry) => entry.id === id);

  it('joins a people’s adjective to its country, sentence-initial ones too', () => {
    expect(party('valdoria')?.aliases).toEqual(expect.arrayContaining(['Valdoria', 'Valdorian']));
    expect(party('ostrava')?.aliases).toEqual(expect.arrayContaining(['Ostrava', 'Ostravan']));
    expect(parties.map((entry) => entry.id)).not.toContain('valdorian');
  });

  it('makes a person with a title or a role a speaker of their party, not a party', () => {
    expect(party('valdoria')?.selfSpeakers).toContain('Ana Petrov');
    expect(party('ostrava')?.selfSpeakers).toContain('Ivo Maren');
    expect(party('valdoria-water-board')?.selfSpeakers).toContain('Lina Sorel');
    const ids = parties.map((entry) => entry.id);
    for (const person of ['ana-petrov', 'ivo-maren', 'lina-sorel']) expect(ids).not.toContain(person);
  });

  it('puts names written only as places in conflictTerms instead of the parties', () => {
    const drafted = draftStory({ seeds: [seed], storiesDir: DEFAULT_STORIES_DIR }).json;
    expect(drafted.conflictTerms).toEqual(expect.arrayContaining(['Geneva', 'Sava']));
    expect(parties.map((entry) => entry.id)).not.toContain('geneva');
  });

  it('adds the people a seed gives a shared actor to that actor’s own list', () => {
    const withShared = partiesOf(
      'Valdoria and China resume tariff talks\nChinese Vice Premier Liu Sen met Valdorian officials in Geneva. ' +
        'Vice Premier He Lifeng will join them.',
    );
    const china = withShared.find((entry) => entry.include === 'actors/china');
    expect(china?.selfSpeakers).toEqual(['Liu Sen']);
  });

  it('keeps an organisation written after "The" at the start of a sentence', () => {
    const ids = partiesOf('Strike at the mill\nThe Millworkers Guild walked out. Guild leader Jon Ash spoke.').map(
      (entry) => entry.id,
    );
    expect(ids).toContain('millworkers-guild');
  });
});

describe('shared actor lists for countries of other stories', () => {
  const seed = [
    'India and Pakistan agree to a ceasefire along the Line of Control',
    'India and Pakistan agreed on Saturday to a full ceasefire after four days of cross-border strikes. ' +
      'Pakistani Foreign Minister Ishaq Dar said Islamabad demands talks on Kashmir. Indian officials said New ' +
      'Delhi would hold fire only if attacks stop. Prime Minister Narendra Modi warned against any violation.',
  ].join('\n');
  const drafted = draftStory({ seeds: [seed], storiesDir: DEFAULT_STORIES_DIR });

  it('includes the countries by reference, their officials and capitals already known', () => {
    expect(drafted.json.parties).toEqual([
      { id: 'india', include: 'actors/india' },
      { id: 'pakistan', include: 'actors/pakistan' },
    ]);
  });

  it('keeps a name written with "of" whole ("Line of Control")', () => {
    expect(drafted.json.conflictTerms).toEqual(['Line of Control']);
  });

  it('gives every list Russian and Ukrainian forms', () => {
    const story = validateStory(
      { ...drafted.json, notes: undefined },
      'drafted.json',
      sharedListReader(DEFAULT_STORIES_DIR),
    );
    const aliases = story.parties.flatMap((party) => party.aliases);
    expect(aliases).toEqual(expect.arrayContaining(['Индии', 'Індії', 'Пакистана', 'Пакистані']));
  });
});
