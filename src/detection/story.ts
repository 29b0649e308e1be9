import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveStanceConfig } from '../tracking/config';

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
  /** Stance-machine settings owned by the tracking module; checked at load by its rules, carried through as given. */
  tracking?: Record<string, unknown>;
}

export class StoryValidationError extends Error {}

const ID_PATTERN = /^[a-z0-9][a-z0-9-_]*$/;

function fail(origin: string, path: string, problem: string): never {
  throw new StoryValidationError(`${origin}: ${path} ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(origin: string, path: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') fail(origin, path, 'must be a non-empty string');
  return value;
}

function requireId(origin: string, path: string, value: unknown): string {
  const id = requireString(origin, path, value);
  if (!ID_PATTERN.test(id)) fail(origin, path, `must be lower-case letters, digits, "-" or "_" (got "${id}")`);
  return id;
}

function requireStringList(origin: string, path: string, value: unknown, allowEmpty = false): string[] {
  if (!Array.isArray(value)) fail(origin, path, 'must be an array of strings');
  if (!allowEmpty && value.length === 0) fail(origin, path, 'must not be empty');
  return value.map((entry, index) => requireString(origin, `${path}[${index}]`, entry));
}

// Wildcard entries are indexed by their first three letters; a shorter stem could never be found.
function requireTerm(origin: string, path: string, value: unknown): string {
  const term = requireString(origin, path, value);
  const words = term.split(/[^\p{L}\p{N}*]+/u).filter((word) => word !== '');
  words.forEach((word, index) => {
    // A lone "*" (as in "перемир'*") extends the word before it.
    const stem = word === '*' ? (words[index - 1] ?? '') : word.endsWith('*') ? word.slice(0, -1) : null;
    if (stem !== null && stem.length < 3) fail(origin, path, `needs at least three letters before "*" (got "${term}")`);
  });
  return term;
}

function requireTermList(origin: string, path: string, value: unknown, allowEmpty = false): string[] {
  return requireStringList(origin, path, value, allowEmpty).map((term, index) =>
    requireTerm(origin, `${path}[${index}]`, term),
  );
}

/** Checks an untrusted JSON value and returns it as a story; every error names the file and the field. */
export function validateStory(json: unknown, origin: string): StoryDefinition {
  if (!isRecord(json)) fail(origin, 'story', 'must be a JSON object');
  const id = requireId(origin, 'id', json.id);
  const title = requireString(origin, 'title', json.title);
  const description = requireString(origin, 'description', json.description);
  const seedText = requireString(origin, 'seedText', json.seedText);
  const startDate = requireString(origin, 'startDate', json.startDate);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate) || Number.isNaN(Date.parse(`${startDate}T00:00:00Z`))) {
    fail(origin, 'startDate', `must be a date like 2025-03-11 (got "${startDate}")`);
  }

  if (!Array.isArray(json.parties) || json.parties.length === 0) fail(origin, 'parties', 'must be a non-empty array');
  const seenParties = new Set<string>();
  const parties: PartyDefinition[] = json.parties.map((raw, index) => {
    const path = `parties[${index}]`;
    if (!isRecord(raw)) fail(origin, path, 'must be an object');
    const partyId = requireId(origin, `${path}.id`, raw.id);
    if (seenParties.has(partyId)) fail(origin, `${path}.id`, `duplicates party "${partyId}"`);
    seenParties.add(partyId);
    return {
      id: partyId,
      name: requireString(origin, `${path}.name`, raw.name),
      aliases: requireTermList(origin, `${path}.aliases`, raw.aliases),
      selfSpeakers: requireStringList(origin, `${path}.selfSpeakers`, raw.selfSpeakers ?? [], true),
      ...(raw.side !== undefined ? { side: requireId(origin, `${path}.side`, raw.side) } : {}),
    };
  });

  if (!Array.isArray(json.topic) || json.topic.length === 0) fail(origin, 'topic', 'must be a non-empty array');
  const topic: WeightedTerm[] = json.topic.map((raw, index) => {
    const path = `topic[${index}]`;
    if (!isRecord(raw)) fail(origin, path, 'must be an object {term, weight}');
    const weight = raw.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 5) {
      fail(origin, `${path}.weight`, 'must be a number in (0, 5]');
    }
    return { term: requireTerm(origin, `${path}.term`, raw.term), weight };
  });

  const conditions: ConditionDefinition[] = (() => {
    if (json.conditions === undefined) return [];
    if (!Array.isArray(json.conditions)) fail(origin, 'conditions', 'must be an array');
    return json.conditions.map((raw, index) => {
      const path = `conditions[${index}]`;
      if (!isRecord(raw)) fail(origin, path, 'must be an object {id, terms}');
      return {
        id: requireId(origin, `${path}.id`, raw.id),
        terms: requireStringList(origin, `${path}.terms`, raw.terms),
      };
    });
  })();

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
    parties,
    topic,
    conflictTerms: requireTermList(origin, 'conflictTerms', json.conflictTerms ?? [], true),
    otherStories: requireTermList(origin, 'otherStories', json.otherStories ?? [], true),
    conditions,
    ...(json.tracking !== undefined ? { tracking: json.tracking as Record<string, unknown> } : {}),
  };
}

function repoStoriesDir(): string {
  // src/detection/ → repo root; bundled Lambdas set STORYWATCH_STORIES_DIR instead. A CommonJS bundle has
  // no import.meta.url, so fall back to the working directory rather than fail at import time.
  const here = typeof import.meta.url === 'string' ? fileURLToPath(import.meta.url) : null;
  return here ? resolve(dirname(here), '..', '..', 'stories') : resolve('stories');
}

export const DEFAULT_STORIES_DIR: string = process.env.STORYWATCH_STORIES_DIR ?? repoStoriesDir();

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

function readStoryFile(path: string): StoryDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StoryValidationError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return validateStory(parsed, path);
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
