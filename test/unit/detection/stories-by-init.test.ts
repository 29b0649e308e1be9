import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyItem, DEFAULT_STORIES_DIR, loadStory } from '../../../src/detection/index';
import { draftStory } from '../../../src/detection/story-draft';
import { FIXTURE_STORIES, FIXTURES, feedItem, readFixtureItems } from '../../support/detection-helpers';

const seed = (name: string) => readFileSync(join(FIXTURES, 'seeds', `${name}.txt`), 'utf8');
const draft = (name: string) => draftStory({ seeds: [seed(name)], storiesDir: DEFAULT_STORIES_DIR });
const stancesOf = (result: ReturnType<typeof classifyItem>) =>
  Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label]));

describe('the tariff story, drafted by story init from its seed', () => {
  const tariff = loadStory('tariff-talks-2031', FIXTURE_STORIES);

  it('keeps the parties init found in the shared actor lists and the conditions it read from the demands', () => {
    const drafted = draft('tariff-talks-2031').json;
    expect(drafted.parties).toEqual([
      { id: 'china', include: 'actors/china' },
      { id: 'us', include: 'actors/us' },
    ]);
    const draftedConditions = (drafted.conditions as { id: string }[]).map((condition) => condition.id).sort();
    expect(tariff.conditions.map((condition) => condition.id).sort()).toEqual(draftedConditions);
    expect(tariff.parties.find((party) => party.id === 'china')?.aliases).toContain('Пекин');
  });

  const items = readFixtureItems('tariff-talks-items.jsonl');
  it.each(items.map((item) => [item.behaviour, item] as const))('%s', (_behaviour, item) => {
    const result = classifyItem(feedItem(item), tariff);
    expect(result.followUp).toBe(item.expect.followUp);
    if (item.expect.stances) expect(stancesOf(result)).toEqual(item.expect.stances);
  });

  it('is not the strike story, nor the strike story it', () => {
    const strike = loadStory('port-strike-2031', FIXTURE_STORIES);
    for (const item of items) expect(classifyItem(feedItem(item), strike).followUp).toBe(false);
    for (const item of readFixtureItems('port-strike-items.jsonl')) {
      expect(classifyItem(feedItem(item), tariff).followUp).toBe(false);
    }
  });
});

describe('the strike story, drafted by story init from its seed', () => {
  it('starts from the organisations and people of the seed when no shared actor list knows them', () => {
    const drafted = draft('port-strike-2031');
    const names = (drafted.json.parties as { name: string }[]).map((party) => party.name);
    expect(names).toEqual(expect.arrayContaining(['Maritime Employers Council', 'Harbor City']));
    const story = loadStory('port-strike-2031', FIXTURE_STORIES);
    const aliases = story.parties.flatMap((party) => party.aliases);
    for (const name of names) expect(aliases).toContain(name);
    const draftedTerms = (drafted.json.conditions as { terms: string[] }[]).flatMap((condition) => condition.terms);
    expect(draftedTerms).toEqual(expect.arrayContaining(['wage deal', 'limits on automation']));
    expect(drafted.notes.join(' ')).toMatch(/parties were made from names in the seed/);
  });

  it('keeps each person the draft gave a party as that party’s speaker', () => {
    const drafted = draft('port-strike-2031').json.parties as { name: string; selfSpeakers: string[] }[];
    const story = loadStory('port-strike-2031', FIXTURE_STORIES);
    for (const party of drafted) {
      const kept = story.parties.find((candidate) => candidate.aliases.includes(party.name));
      expect(kept?.selfSpeakers, party.name).toEqual(expect.arrayContaining(party.selfSpeakers.slice(1)));
    }
    expect(drafted.flatMap((party) => party.selfSpeakers)).toEqual(
      expect.arrayContaining(['Mara Lindqvist', 'Owen Achebe', 'Ruiz']),
    );
  });
});
