import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeedDefinition } from '../core/feed';

function defaultRegistryPath(): string {
  const fromEnvironment = process.env.STORYWATCH_FEED_REGISTRY;
  if (fromEnvironment) return fromEnvironment;
  // Bundles may have no meaningful import.meta.url; they set STORYWATCH_FEED_REGISTRY instead.
  try {
    return fileURLToPath(new URL('../../feeds/registry.json', import.meta.url));
  } catch {
    return 'feeds/registry.json';
  }
}

/** feeds/registry.json of the repository, or the file named by STORYWATCH_FEED_REGISTRY. */
export const DEFAULT_FEED_REGISTRY_PATH: string = defaultRegistryPath();

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LANGUAGE_PATTERN = /^[a-z]{2,3}$/;
const REQUIRED_STRINGS = ['id', 'url', 'name', 'publisher', 'language', 'note'] as const;

export class FeedRegistryError extends Error {
  override name = 'FeedRegistryError';
}

type FeedFields = Record<(typeof REQUIRED_STRINGS)[number], string>;

/** Ids and urls of the entries checked so far, for spotting duplicates. */
interface SeenEntries {
  ids: Set<string>;
  urls: Set<string>;
}

/** Checks one parsed registry document; every problem is listed with the entry it belongs to. */
export function validateFeedRegistry(document: unknown, origin = 'feed registry'): FeedDefinition[] {
  if (!Array.isArray(document)) throw new FeedRegistryError(`${origin}: expected a JSON array of feed entries`);
  const problems: string[] = [];
  const feeds: FeedDefinition[] = [];
  const seen: SeenEntries = { ids: new Set(), urls: new Set() };
  document.forEach((entry: unknown, index) => {
    const feed = checkEntry(entry, `entry ${index}`, seen, problems);
    if (feed !== null) feeds.push(feed);
  });
  if (problems.length > 0) throw new FeedRegistryError(`${origin}: ${problems.join('; ')}`);
  return feeds;
}

/** One entry as a feed definition, or null when it lacks a required field; its problems go to `problems`. */
function checkEntry(entry: unknown, where: string, seen: SeenEntries, problems: string[]): FeedDefinition | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push(`${where}: expected an object`);
    return null;
  }
  const record = entry as Record<string, unknown>;
  const label = typeof record.id === 'string' ? `${where} ("${record.id}")` : where;
  const missing = REQUIRED_STRINGS.filter((key) => typeof record[key] !== 'string' || record[key].trim() === '');
  if (missing.length > 0) {
    problems.push(`${label}: missing or empty ${missing.join(', ')}`);
    return null;
  }
  const { id, url, name, publisher, language } = record as FeedFields;
  for (const problem of fieldProblems({ id, url, language }, seen)) problems.push(`${label}: ${problem}`);
  return { id, url, name, publisher, language };
}

/** What is wrong with an entry's id, url and language, in that order; records its id and url as seen. */
function fieldProblems(fields: Pick<FeedFields, 'id' | 'url' | 'language'>, seen: SeenEntries): string[] {
  const problems: string[] = [];
  if (!ID_PATTERN.test(fields.id)) problems.push('id must be lowercase letters, digits and dashes');
  if (seen.ids.has(fields.id)) problems.push('duplicate id');
  seen.ids.add(fields.id);
  const urlProblem = feedUrlProblem(fields.url);
  if (urlProblem !== null) problems.push(urlProblem);
  if (seen.urls.has(fields.url)) problems.push('duplicate url');
  seen.urls.add(fields.url);
  if (!LANGUAGE_PATTERN.test(fields.language)) problems.push('language must be a lowercase ISO 639 code');
  return problems;
}

/** Why a feed url is unusable (not a URL, not http or https), or null when it is fine. */
function feedUrlProblem(url: string): string | null {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    return 'url is not a valid URL';
  }
  return parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:' ? 'url must be http(s)' : null;
}

export function loadFeedRegistry(path: string = DEFAULT_FEED_REGISTRY_PATH): FeedDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FeedRegistryError(`cannot read feed registry ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FeedRegistryError(`feed registry ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return validateFeedRegistry(document, path);
}
