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

/** Checks one parsed registry document; every problem is listed with the entry it belongs to. */
export function validateFeedRegistry(document: unknown, origin = 'feed registry'): FeedDefinition[] {
  if (!Array.isArray(document)) throw new FeedRegistryError(`${origin}: expected a JSON array of feed entries`);
  const problems: string[] = [];
  const feeds: FeedDefinition[] = [];
  const seenIds = new Set<string>();
  const seenUrls = new Set<string>();
  document.forEach((entry: unknown, index) => {
    const where = `entry ${index}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const record = entry as Record<string, unknown>;
    const label = typeof record.id === 'string' ? `${where} ("${record.id}")` : where;
    const missing = REQUIRED_STRINGS.filter((key) => typeof record[key] !== 'string' || record[key].trim() === '');
    if (missing.length > 0) {
      problems.push(`${label}: missing or empty ${missing.join(', ')}`);
      return;
    }
    const { id, url, name, publisher, language } = record as Record<(typeof REQUIRED_STRINGS)[number], string>;
    if (!ID_PATTERN.test(id)) problems.push(`${label}: id must be lowercase letters, digits and dashes`);
    if (seenIds.has(id)) problems.push(`${label}: duplicate id`);
    seenIds.add(id);
    let parsedUrl: URL | null = null;
    try {
      parsedUrl = new URL(url);
    } catch {
      problems.push(`${label}: url is not a valid URL`);
    }
    if (parsedUrl && parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') {
      problems.push(`${label}: url must be http(s)`);
    }
    if (seenUrls.has(url)) problems.push(`${label}: duplicate url`);
    seenUrls.add(url);
    if (!LANGUAGE_PATTERN.test(language)) problems.push(`${label}: language must be a lowercase ISO 639 code`);
    feeds.push({ id, url, name, publisher, language });
  });
  if (problems.length > 0) throw new FeedRegistryError(`${origin}: ${problems.join('; ')}`);
  return feeds;
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
