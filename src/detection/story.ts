import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveStanceConfig } from '../tracking/config';
import {
  type FieldContext,
  fail,
  type IncludeResolver,
  isRecord,
  openIncludes,
  requireId,
  requireString,
  requireTerm,
  StoryValidationError,
  termList,
} from './story-fields';

export { StoryValidationError } from './story-fields';

/**
 * Vocabulary entries are plain words or phrases. A trailing `*` matches any word ending, which is how
 * inflected Russian and Ukrainian forms (перемирие, перемирия, перемирии) share one entry.
 */
export interface WeightedTerm {
  term: string;
  weight: number;
}

export interface PartyDefinition {
  id: string;
  name: string;
  /** Every way a text can name the party: people, institutions, capitals, adjectives, inflected forms. */
  aliases: string[];
  /** The subset of aliases that speak for the party itself (its officials), as opposed to reports about it. */
  selfSpeakers: string[];
  /** Parties sharing a side are allies; contact across sides counts as diplomacy. Defaults to the party id. */
  side?: string;
}

export interface ConditionDefinition {
  /** Normalized id stored in observations, e.g. "no_mobilization". */
  id: string;
  terms: string[];
}

export interface StoryDefinition {
  id: string;
  title: string;
  description: string;
  seedText: string;
  /** ISO date (YYYY-MM-DD) the story started; relevance decays gently from here. */
  startDate: string;
  parties: PartyDefinition[];
  topic: WeightedTerm[];
  /** Places and names that anchor an item in this story's conflict without naming a party. */
  conflictTerms: string[];
  /** Signals that an item belongs to a different story (another conflict) even when the vocabulary overlaps. */
  otherStories: string[];
  conditions: ConditionDefinition[];
  /** Nouns of what the parties negotiate (the deal, the truce): what a stance is a stance on. */
  matter: string[];
  /** Words besides the language's meeting verbs that say parties are in touch (envoys, mediators). */
  contact: string[];
  /** The story's own ways of stating a position ("fighting will continue"), read like the language's cues. */
  stancePhrases: StancePhrases;
  /** Stance-machine settings owned by the tracking module; checked at load by its rules, carried through as given. */
  tracking?: Record<string, unknown>;
}

export interface StancePhrases {
  supports: string[];
  conditional: string[];
  opposes: string[];
}

/** Checks an untrusted JSON value and returns it as a story; every error names the file and the field. */
export function validateStory(json: unknown, origin: string, include: IncludeResolver = noIncludes): StoryDefinition {
  if (!isRecord(json)) fail(origin, 'story', 'must be a JSON object');
  const context: FieldContext = { origin, include, chain: [] };
  const id = requireId(origin, 'id', json.id);
  const title = requireString(origin, 'title', json.title);
  const description = requireString(origin, 'description', json.description);
  const seedText = requireString(origin, 'seedText', json.seedText);
  const startDate = requireString(origin, 'startDate', json.startDate);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate) || Number.isNaN(Date.parse(`${startDate}T00:00:00Z`))) {
    fail(origin, 'startDate', `must be a date like 2025-03-11 (got "${startDate}")`);
  }
  if (json.tracking !== undefined && !isRecord(json.tracking)) fail(origin, 'tracking', 'must be an object');
  try {
    // The stance machine would only read these mid-run; a typo found then stops a cycle half-way.
    resolveStanceConfig(json.tracking);
  } catch (error) {
    throw new StoryValidationError(`${origin}: ${(error as Error).message}`);
  }
  return {
    id,
    title,
    description,
    seedText,
    startDate,
    parties: partiesOf(context, json.parties),
    topic: topicOf(context, 'topic', json.topic, false),
    conflictTerms: termList(context, 'conflictTerms', json.conflictTerms),
    otherStories: termList(context, 'otherStories', json.otherStories),
    conditions: conditionsOf(context, 'conditions', json.conditions),
    matter: termList(context, 'matter', json.matter),
    contact: termList(context, 'contact', json.contact),
    stancePhrases: stancePhrasesOf(context, json.stancePhrases),
    ...(json.tracking !== undefined ? { tracking: json.tracking as Record<string, unknown> } : {}),
  };
}

function noIncludes(name: string): never {
  throw new Error(`"${name}" can only be included by a story loaded from a stories directory`);
}

function partiesOf(context: FieldContext, value: unknown): PartyDefinition[] {
  const { origin } = context;
  if (!Array.isArray(value) || value.length === 0) fail(origin, 'parties', 'must be a non-empty array');
  const seen = new Set<string>();
  return value.map((raw, index) => {
    const path = `parties[${index}]`;
    if (!isRecord(raw)) fail(origin, path, 'must be an object');
    const id = requireId(origin, `${path}.id`, raw.id);
    if (seen.has(id)) fail(origin, `${path}.id`, `duplicates party "${id}"`);
    seen.add(id);
    const actors = raw.include === undefined ? [] : openIncludes(context, `${path}.include`, raw.include);
    const shared = actors.map((actor) => actorOf(actor.context, actor.json));
    const aliases = [...shared.flatMap((actor) => actor.aliases), ...termList(context, `${path}.aliases`, raw.aliases)];
    if (aliases.length === 0) fail(origin, `${path}.aliases`, 'must not be empty');
    const selfSpeakers = [
      ...shared.flatMap((actor) => actor.selfSpeakers),
      ...termList(context, `${path}.selfSpeakers`, raw.selfSpeakers),
    ];
    const name = raw.name === undefined && shared[0] ? shared[0].name : requireString(origin, `${path}.name`, raw.name);
    return {
      id,
      name,
      aliases: [...new Set(aliases)],
      selfSpeakers: [...new Set(selfSpeakers)],
      ...(raw.side !== undefined ? { side: requireId(origin, `${path}.side`, raw.side) } : {}),
    };
  });
}

/**
 * A shared actor: `aliases` either one list or groups by kind (country, capital, officials, institutions), each
 * with its inflected Russian and Ukrainian forms; `selfSpeakers` are the ones that speak for the actor itself.
 */
function actorOf(context: FieldContext, json: Record<string, unknown>) {
  const { origin } = context;
  const name = requireString(origin, 'name', json.name);
  const groups = isRecord(json.aliases) ? Object.entries(json.aliases) : [['', json.aliases] as const];
  const aliases = groups.flatMap(([group, list]) => termList(context, group ? `aliases.${group}` : 'aliases', list));
  if (aliases.length === 0) fail(origin, 'aliases', 'must not be empty');
  return { name, aliases, selfSpeakers: termList(context, 'selfSpeakers', json.selfSpeakers) };
}

function requireWeight(origin: string, path: string, weight: unknown): number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 5) {
    fail(origin, path, 'must be a number in (0, 5]');
  }
  return weight;
}

/** Topic entries: `{term, weight}`, a row `{weight, terms: [...]}`, or `{"include": "topics/..."}`. */
function topicOf(context: FieldContext, path: string, value: unknown, allowEmpty: boolean): WeightedTerm[] {
  const { origin } = context;
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) fail(origin, path, 'must be a non-empty array');
  return value.flatMap((raw, index): WeightedTerm[] => {
    const at = `${path}[${index}]`;
    if (!isRecord(raw)) fail(origin, at, 'must be an object {term, weight}');
    if (raw.include !== undefined) {
      return openIncludes(context, `${at}.include`, raw.include).flatMap((shared) =>
        topicOf(shared.context, 'topic', shared.json.topic, false),
      );
    }
    const weight = requireWeight(origin, `${at}.weight`, raw.weight);
    if (raw.terms !== undefined)
      return termList(context, `${at}.terms`, raw.terms, false).map((term) => ({ term, weight }));
    return [{ term: requireTerm(origin, `${at}.term`, raw.term), weight }];
  });
}

function conditionsOf(context: FieldContext, path: string, value: unknown): ConditionDefinition[] {
  const { origin } = context;
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(origin, path, 'must be an array');
  return value.flatMap((raw, index): ConditionDefinition[] => {
    const at = `${path}[${index}]`;
    if (!isRecord(raw)) fail(origin, at, 'must be an object {id, terms}');
    if (raw.include !== undefined && raw.id === undefined) {
      return openIncludes(context, `${at}.include`, raw.include).flatMap((shared) =>
        conditionsOf(shared.context, 'conditions', shared.json.conditions),
      );
    }
    return [{ id: requireId(origin, `${at}.id`, raw.id), terms: termList(context, `${at}.terms`, raw.terms, false) }];
  });
}

function stancePhrasesOf(context: FieldContext, value: unknown): StancePhrases {
  if (value === undefined) return { supports: [], conditional: [], opposes: [] };
  if (!isRecord(value)) fail(context.origin, 'stancePhrases', 'must be an object {supports, conditional, opposes}');
  for (const key of Object.keys(value)) {
    if (!['supports', 'conditional', 'opposes'].includes(key)) {
      fail(context.origin, `stancePhrases.${key}`, 'is not a stance (supports, conditional, opposes)');
    }
  }
  return {
    supports: termList(context, 'stancePhrases.supports', value.supports),
    conditional: termList(context, 'stancePhrases.conditional', value.conditional),
    opposes: termList(context, 'stancePhrases.opposes', value.opposes),
  };
}

function repoStoriesDir(): string {
  // src/detection/ → repo root; bundled Lambdas set STORYWATCH_STORIES_DIR instead. A CommonJS bundle has
  // no import.meta.url, so fall back to the working directory rather than fail at import time.
  const here = typeof import.meta.url === 'string' ? fileURLToPath(import.meta.url) : null;
  return here ? resolve(dirname(here), '..', '..', 'stories') : resolve('stories');
}

export const DEFAULT_STORIES_DIR: string = process.env.STORYWATCH_STORIES_DIR ?? repoStoriesDir();

/**
 * Shared lists live in `shared/` beside the stories; a directory without its own (a test's, a user's draft)
 * uses the repository's, so a story written anywhere can include `actors/russia`.
 */
export function sharedListReader(storiesDir: string): IncludeResolver {
  const own = join(storiesDir, 'shared');
  const base = existsSync(own) ? own : join(repoStoriesDir(), 'shared');
  return (name) => {
    const origin = join(base, `${name}.json`);
    try {
      return { json: JSON.parse(readFileSync(origin, 'utf8')), origin };
    } catch (error) {
      if (error instanceof SyntaxError) throw new StoryValidationError(`${origin}: not valid JSON (${error.message})`);
      throw error;
    }
  };
}

/** A story file that could not be loaded, with the message naming the file and the field. */
export interface BrokenStoryFile {
  path: string;
  message: string;
}

/** Every story of a directory that loads, and every file that does not: one bad file need not stop the others. */
export interface StoryCatalog {
  dir: string;
  stories: StoryDefinition[];
  broken: BrokenStoryFile[];
}

/** One story file, its shared lists read from `shared/` beside it (or the repository's). */
export function readStoryFile(path: string): StoryDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StoryValidationError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return validateStory(parsed, path, sharedListReader(dirname(path)));
}

export function readStoryCatalog(dir: string = DEFAULT_STORIES_DIR): StoryCatalog {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  const catalog: StoryCatalog = { dir, stories: [], broken: [] };
  const firstFileOf = new Map<string, string>();
  for (const name of files) {
    const path = join(dir, name);
    try {
      const story = readStoryFile(path);
      const first = firstFileOf.get(story.id);
      if (first !== undefined) {
        throw new StoryValidationError(`${path}: two stories share the id "${story.id}" (also in ${first})`);
      }
      firstFileOf.set(story.id, path);
      catalog.stories.push(story);
    } catch (error) {
      if (!(error instanceof StoryValidationError)) throw error;
      catalog.broken.push({ path, message: error.message });
    }
  }
  return catalog;
}

/** Every story of the directory; any broken file fails the whole load (Lambdas and synth want all or nothing). */
export function loadStories(dir: string = DEFAULT_STORIES_DIR): StoryDefinition[] {
  const catalog = readStoryCatalog(dir);
  if (catalog.broken.length > 0) {
    throw new StoryValidationError(catalog.broken.map((file) => file.message).join('\n'));
  }
  return catalog.stories;
}

/** One story by id; a broken file elsewhere in the directory does not stop it, but is named if the id is missing. */
export function loadStory(id: string, dir: string = DEFAULT_STORIES_DIR): StoryDefinition {
  const catalog = readStoryCatalog(dir);
  const story = catalog.stories.find((candidate) => candidate.id === id);
  if (!story) {
    const known = catalog.stories.map((candidate) => candidate.id).join(', ') || 'none';
    const broken = catalog.broken.map((file) => `\n  ${file.message}`).join('');
    throw new StoryValidationError(
      `no story "${id}" in ${dir} (known: ${known})${broken ? `; files that failed to load:${broken}` : ''}`,
    );
  }
  return story;
}
