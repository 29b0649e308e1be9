import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STORIES_DIR, loadStories, loadStory, validateStory } from '../../../src/detection/index';
import { compileStory, scanLexicon } from '../../../src/detection/lexicon';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A stories directory with its own shared lists: `files` maps a path under it to its JSON. */
function storiesDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stories-'));
  made.push(dir);
  for (const [path, json] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(json));
  }
  return dir;
}

function story(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'tiny',
    title: 'Tiny story',
    description: 'A story used to exercise shared lists.',
    seedText: 'Something happened and people reacted.',
    startDate: '2030-01-01',
    parties: [{ id: 'a', name: 'A', aliases: ['Alpha'] }],
    topic: [{ term: 'happening', weight: 1 }],
    ...fields,
  };
}

const NORTHLAND = {
  name: 'Northland',
  aliases: { country: ['Northland', 'Northlandish'], capital: ['Borealis'], officials: ['Ada Frost'] },
  selfSpeakers: ['Ada Frost', 'Borealis'],
};

describe('shared lists included by a story', () => {
  it('takes a party from a shared actor: its name, every alias group and its speakers, plus the story’s own', () => {
    const dir = storiesDir({
      'shared/actors/northland.json': NORTHLAND,
      'tiny.json': story({ parties: [{ id: 'north', include: 'actors/northland', aliases: ['the northern envoy'] }] }),
    });
    const [party] = loadStory('tiny', dir).parties;
    expect(party).toEqual({
      id: 'north',
      name: 'Northland',
      aliases: ['Northland', 'Northlandish', 'Borealis', 'Ada Frost', 'the northern envoy'],
      selfSpeakers: ['Ada Frost', 'Borealis'],
    });
  });

  it('reads term lists, topic rows and conditions from shared files and from rows written in the story', () => {
    const dir = storiesDir({
      'shared/conflicts/elsewhere.json': { terms: ['Southland', ['Austral', 'Austral*']] },
      'shared/topics/talks.json': { topic: [{ weight: 1.2, terms: ['summit', 'accord'] }] },
      'shared/conditions/common.json': { conditions: [{ id: 'monitoring', terms: ['monitors'] }] },
      'tiny.json': story({
        topic: [{ include: 'topics/talks' }, { weight: 0.5, terms: [['harbour'], ['quay']] }],
        otherStories: { include: 'conflicts/elsewhere', terms: ['Westland'] },
        conditions: [{ include: 'conditions/common' }, { id: 'tolls', terms: [['toll', 'tolls']] }],
      }),
    });
    const loaded = loadStory('tiny', dir);
    expect(loaded.topic).toEqual([
      { term: 'summit', weight: 1.2 },
      { term: 'accord', weight: 1.2 },
      { term: 'harbour', weight: 0.5 },
      { term: 'quay', weight: 0.5 },
    ]);
    expect(loaded.otherStories).toEqual(['Southland', 'Austral', 'Austral*', 'Westland']);
    expect(loaded.conditions.map((condition) => condition.id)).toEqual(['monitoring', 'tolls']);
  });

  it.each([
    [
      'a list that does not exist, naming the story file and the field',
      { 'tiny.json': story({ otherStories: { include: 'conflicts/atlantis' } }) },
      /tiny\.json: otherStories\.include names "conflicts\/atlantis", which cannot be read/,
    ],
    [
      'a name that climbs out of the shared directory',
      { 'tiny.json': story({ parties: [{ id: 'a', include: '../tiny' }] }) },
      /tiny\.json: parties\[0\]\.include must name a shared list like "actors\/<country>"/,
    ],
    [
      'a mistake inside the shared list, naming that file and its field',
      {
        'shared/actors/northland.json': { ...NORTHLAND, aliases: { country: ['N*'] } },
        'tiny.json': story({ parties: [{ id: 'north', include: 'actors/northland' }] }),
      },
      /northland\.json: aliases\.country\[0\] needs at least three letters before "\*"/,
    ],
    [
      'a list that includes itself',
      {
        'shared/conflicts/loop.json': { terms: [{ include: 'conflicts/loop' }] },
        'tiny.json': story({ otherStories: { include: 'conflicts/loop' } }),
      },
      /loop\.json: terms\[0\]\.include includes "conflicts\/loop" in a loop/,
    ],
    [
      'an unknown stance in stancePhrases',
      { 'tiny.json': story({ stancePhrases: { maybe: ['perhaps'] } }) },
      /tiny\.json: stancePhrases\.maybe is not a stance/,
    ],
  ])('refuses %s', (_name, files, message) => {
    expect(() => loadStories(storiesDir(files))).toThrow(message);
  });

  it('refuses an include in a story validated on its own, away from any stories directory', () => {
    expect(() => validateStory(story({ otherStories: { include: 'conflicts/2025' } }), 'loose.json')).toThrow(
      /loose\.json: otherStories\.include names "conflicts\/2025", which cannot be read/,
    );
  });

  it('lets a story in a directory without shared lists use the repository’s', () => {
    const dir = storiesDir({ 'tiny.json': story({ otherStories: { include: 'conflicts/2025' } }) });
    expect(loadStory('tiny', dir).otherStories.length).toBeGreaterThan(20);
  });

  it('reads a party that the other conflicts list also names as the party, not as another story', () => {
    const dir = storiesDir({
      'tiny.json': story({
        parties: [{ id: 'israel', include: 'actors/israel' }],
        otherStories: { include: 'conflicts/2025' },
      }),
    });
    const tiny = loadStory('tiny', dir);
    expect(tiny.otherStories).toContain('Israel');
    const [hit] = scanLexicon(compileStory(tiny), 'Israel agreed.');
    expect(hit?.roles).toMatchObject({ party: 'israel' });
    expect(hit?.roles.otherStory).toBeUndefined();
    const [other] = scanLexicon(compileStory(tiny), 'Hamas agreed.');
    expect(other?.roles.otherStory).toBe(true);
  });

  it('keeps the default story under 200 lines, the rest in shared lists', () => {
    const lines = readFileSync(join(DEFAULT_STORIES_DIR, 'ceasefire-2025.json'), 'utf8').split('\n').length;
    expect(lines).toBeLessThan(200);
    const story = loadStory('ceasefire-2025');
    expect(story.parties.find((party) => party.id === 'russia')?.aliases).toContain('Кремля');
    expect(story.topic.length).toBeGreaterThan(150);
  });
});
