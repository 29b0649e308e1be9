import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_STORIES_DIR,
  loadStories,
  loadStory,
  readStoryCatalog,
  StoryValidationError,
  validateStory,
} from '../../../src/detection/index';
import { FIXTURE_STORIES } from '../../support/detection-helpers';

function minimalStory(): Record<string, unknown> {
  return {
    id: 'tiny',
    title: 'Tiny story',
    description: 'A story used to exercise validation.',
    seedText: 'Something happened and people reacted.',
    startDate: '2030-01-01',
    parties: [{ id: 'a', name: 'A', aliases: ['Alpha'], selfSpeakers: [] }],
    topic: [{ term: 'happening', weight: 1 }],
  };
}

describe('validateStory', () => {
  it('accepts a minimal story and fills the optional lists with empty ones', () => {
    const story = validateStory(minimalStory(), 'tiny.json');
    expect(story.id).toBe('tiny');
    expect(story.conditions).toEqual([]);
    expect(story.otherStories).toEqual([]);
    expect(story.tracking).toBeUndefined();
  });

  it('keeps a valid tracking object as given', () => {
    const story = validateStory({ ...minimalStory(), tracking: { confirmations: 2, coolDownHours: 12 } }, 'tiny.json');
    expect(story.tracking).toEqual({ confirmations: 2, coolDownHours: 12 });
  });

  it.each([
    ['a missing id', { id: undefined }, /tiny\.json: id must be a non-empty string/],
    ['an id with capitals', { id: 'Tiny' }, /id must be lower-case/],
    ['a bad start date', { startDate: '11 March 2025' }, /startDate must be a date like 2025-03-11/],
    ['no parties', { parties: [] }, /parties must be a non-empty array/],
    [
      'a party without aliases',
      { parties: [{ id: 'a', name: 'A', aliases: [] }] },
      /parties\[0\]\.aliases must not be empty/,
    ],
    [
      'two parties with one id',
      {
        parties: [
          { id: 'a', name: 'A', aliases: ['x'] },
          { id: 'a', name: 'B', aliases: ['y'] },
        ],
      },
      /parties\[1\]\.id duplicates party "a"/,
    ],
    ['a zero topic weight', { topic: [{ term: 'x', weight: 0 }] }, /topic\[0\]\.weight must be a number in \(0, 5\]/],
    ['a condition without terms', { conditions: [{ id: 'c', terms: [] }] }, /conditions\[0\]\.terms must not be empty/],
    ['a tracking array', { tracking: [] }, /tracking must be an object/],
    [
      'an unknown tracking setting',
      { tracking: { confirmation: 2 } },
      /tiny\.json: unknown tracking setting "confirmation"/,
    ],
    [
      'a tracking value out of range',
      { tracking: { confidenceThreshold: 1.5 } },
      /tiny\.json: tracking\.confidenceThreshold must be a number from 0 to 1, got 1\.5/,
    ],
    [
      'a side that is not an id',
      { parties: [{ id: 'a', name: 'A', aliases: ['x'], side: 'Side A' }] },
      /parties\[0\]\.side must be lower-case/,
    ],
    [
      'a wildcard with too short a stem',
      { topic: [{ term: 'pe*', weight: 1 }] },
      /topic\[0\]\.term needs at least three letters before "\*"/,
    ],
  ])('rejects %s with an error naming the file and the field', (_name, change, message) => {
    expect(() => validateStory({ ...minimalStory(), ...change }, 'tiny.json')).toThrow(message);
  });

  it('rejects a value that is not an object', () => {
    expect(() => validateStory([1, 2], 'list.json')).toThrow(StoryValidationError);
  });
});

describe('loading stories', () => {
  const made: string[] = [];
  const scratchDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'stories-'));
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('takes the default directory from STORYWATCH_STORIES_DIR when set, as bundled Lambdas do', async () => {
    vi.stubEnv('STORYWATCH_STORIES_DIR', FIXTURE_STORIES);
    vi.resetModules();
    const fresh = await import('../../../src/detection/index');
    expect(fresh.DEFAULT_STORIES_DIR).toBe(FIXTURE_STORIES);
    expect(fresh.loadStories().map((story) => story.id)).toEqual(['port-strike-2031', 'tariff-talks-2031']);
  });

  it('loads the repository stories by default, the ceasefire story among them', () => {
    expect(DEFAULT_STORIES_DIR.endsWith('stories')).toBe(true);
    const story = loadStory('ceasefire-2025');
    expect(story.startDate).toBe('2025-03-11');
    expect(story.parties.map((party) => party.id)).toEqual(['russia', 'ukraine', 'us', 'europe']);
  });

  it('loads every story of another directory', () => {
    const ids = loadStories(FIXTURE_STORIES).map((story) => story.id);
    expect(ids).toEqual(['port-strike-2031', 'tariff-talks-2031']);
  });

  it('names the known stories when the requested one does not exist', () => {
    expect(() => loadStory('no-such-story', FIXTURE_STORIES)).toThrow(/no story "no-such-story".*port-strike-2031/);
  });

  it('reports invalid JSON with the file path', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    expect(() => loadStories(dir)).toThrow(/broken\.json: not valid JSON/);
  });

  it('refuses two files that define the same story id', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'one.json'), JSON.stringify(minimalStory()));
    writeFileSync(join(dir, 'two.json'), JSON.stringify(minimalStory()));
    expect(() => loadStories(dir)).toThrow(/two\.json: two stories share the id "tiny" \(also in .*one\.json\)/);
  });

  it('catalogs a broken file beside the good ones instead of failing them all', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'good.json'), JSON.stringify(minimalStory()));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...minimalStory(), id: 'bad', tracking: { coolDown: 1 } }));
    const catalog = readStoryCatalog(dir);
    expect(catalog.stories.map((story) => story.id)).toEqual(['tiny']);
    expect(catalog.broken).toEqual([
      { path: join(dir, 'bad.json'), message: expect.stringMatching(/bad\.json: unknown tracking setting "coolDown"/) },
    ]);
    expect(() => loadStories(dir)).toThrow(/bad\.json: unknown tracking setting/);
  });

  it('loads one story by id past a broken file, and names the broken file when the id is not found', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'good.json'), JSON.stringify(minimalStory()));
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(loadStory('tiny', dir).id).toBe('tiny');
    expect(() => loadStory('other', dir)).toThrow(/no story "other".*known: tiny.*bad\.json: not valid JSON/s);
  });
});
