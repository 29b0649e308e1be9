import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORIES_DIR, StoryValidationError, validateStory } from '../../../src/detection/index';
import { sharedListReader } from '../../../src/detection/story';
import { STORY_DRAFT_SCHEMA, storyDraftRequest } from '../../../src/stories/draft-prompt';
import { draftFromModelAnswer } from '../../../src/stories/model-draft';

const SEEDS = join(import.meta.dirname, '..', '..', 'fixtures', 'detection', 'seeds');
const strike = readFileSync(join(SEEDS, 'port-strike-2031.txt'), 'utf8');
const input = { seeds: [strike], storiesDir: DEFAULT_STORIES_DIR, startDate: '2031-05-01' };

/** A model's answer for the port strike seed; each test spoils one field. */
function strikeAnswer(change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Harbor City port strike',
    description: 'Dockworkers strike over wages and automation at the port of Harbor City.',
    parties: [
      { id: 'union', include: null, name: 'Dockworkers Union', aliases: ['Mara Lindqvist', 'dockworkers'] },
      { id: 'employers', include: null, name: 'Maritime Employers Council', aliases: ['Owen Achebe'] },
    ],
    sharedTopics: [],
    topicPhrases: ['wage deal', 'port of Harbor City'],
    topicWords: ['strike', 'automation', 'picket'],
    conditions: [
      { id: 'wage_deal', terms: ['fair wage deal', 'wage deal'] },
      { id: 'pension', terms: ['pension fund'] },
    ],
    conflictTerms: ['Harbor City'],
    otherStories: null,
    ...change,
  };
}

describe('the model draft of a story', () => {
  it('becomes a story file that validates, with the seed text the seed’s own and the rules draft’s weights', () => {
    const draft = draftFromModelAnswer(JSON.stringify(strikeAnswer()), input, 'openai:test-model');
    const story = validateStory(draft.json, 'draft', sharedListReader(DEFAULT_STORIES_DIR));
    expect(story.id).toBe('harbor-city-port-strike');
    expect(story.seedText.startsWith('Dockworkers at the port of Harbor City walked out')).toBe(true);
    expect(story.parties.map((party) => party.id)).toEqual(['union', 'employers']);
    expect(draft.json.topic).toEqual([
      { weight: 1.2, terms: ['wage deal', 'port of Harbor City'] },
      { weight: 0.8, terms: ['strike', 'automation'] },
    ]);
    expect(draft.notes[1]).toMatch(/Drafted by openai:test-model/);
  });

  it('leaves out the terms no seed writes, and the conditions left with none, and says so', () => {
    const draft = draftFromModelAnswer(strikeAnswer(), input, 'bedrock:m');
    expect(draft.json.conditions).toEqual([{ id: 'wage_deal', terms: ['fair wage deal', 'wage deal'] }]);
    expect(draft.notes.join('\n')).toMatch(/Left out, no seed writes them: picket, pension fund\./);
  });

  it('names the field at fault', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ parties: [] }, /the m draft: parties must list at least one party/],
      [{ parties: [{ id: 'Union!', include: null, name: 'U', aliases: [] }] }, /parties\[0\]\.id must be lower-case/],
      [
        { parties: [{ id: 'x', include: 'actors/atlantis', name: null, aliases: [] }] },
        /parties\[0\]\.include "actors\/atlantis" is no shared list/,
      ],
      [{ topicWords: ['picket'], topicPhrases: [] }, /topicWords names no topic term that the seeds write/],
      [{ otherStories: 'conflicts/1812' }, /otherStories "conflicts\/1812" is no shared list/],
      [{ conditions: [{ id: 'wage', terms: 'wages' }] }, /conditions\[0\]\.terms must be an array/],
    ];
    for (const [change, message] of cases) {
      expect(() => draftFromModelAnswer(strikeAnswer(change), input, 'm')).toThrow(message);
    }
    expect(() => draftFromModelAnswer('{"title": ', input, 'm')).toThrow(StoryValidationError);
  });

  it('accepts a shared actor by name and a wildcard term the seeds write in some form', () => {
    const tariffs = readFileSync(join(SEEDS, 'tariff-talks-2031.txt'), 'utf8');
    const draft = draftFromModelAnswer(
      strikeAnswer({
        parties: [{ id: 'china', include: 'actors/china', name: null, aliases: [] }],
        topicWords: ['tariff*'],
        topicPhrases: [],
        conditions: [],
        conflictTerms: ['Geneva'],
      }),
      { ...input, seeds: [tariffs] },
      'm',
    );
    expect(draft.json.parties).toEqual([{ id: 'china', include: 'actors/china' }]);
    expect(draft.json.topic).toEqual([{ weight: 0.8, terms: ['tariff*'] }]);
  });
});

describe('the request for a model draft', () => {
  it('sends the seeds and the shared lists it may include, and a schema that requires every field', () => {
    const request = storyDraftRequest(input);
    const user = JSON.parse(request.user) as { seeds: string[]; sharedLists: Record<string, string[]> };
    expect(user.seeds).toEqual([strike]);
    expect(user.sharedLists.actors).toContain('actors/china');
    expect(user.sharedLists.conflicts).toContain('conflicts/2025');
    const schema = STORY_DRAFT_SCHEMA as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(Object.keys(schema.properties));
  });
});
