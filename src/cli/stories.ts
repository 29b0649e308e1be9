import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_STORIES_DIR, readStoryCatalog, type StoryCatalog, type StoryDefinition } from '../detection/index';
import { shownPath } from '../local/format';
import { type CommandContext, type OptionSpec, stringOption, UsageError } from './command';

/** The story the single-story commands (report, classify) use when --story is not given and several exist. */
export const DEFAULT_STORY_ID = 'ceasefire-2025';

/** --story and --stories-dir mean the same on every command that takes them. */
export const STORY_OPTIONS: Record<string, OptionSpec> = {
  story: {
    type: 'string',
    description: 'Only this story (its id in the stories directory)',
    defaultText: 'every story',
  },
  'stories-dir': {
    type: 'string',
    description: 'Directory of story definitions (env STORYWATCH_STORIES_DIR)',
    defaultText: 'stories/',
  },
};

/** The same options for a command that works on exactly one story. */
export const ONE_STORY_OPTIONS: Record<string, OptionSpec> = {
  ...STORY_OPTIONS,
  story: {
    type: 'string',
    description: 'The story (its id in the stories directory)',
    defaultText: `the only story, else ${DEFAULT_STORY_ID}`,
  },
};

export interface StorySelection {
  /** The stories this command works on: the one --story names, or every story that loaded. */
  stories: StoryDefinition[];
  /** Every story that loaded, for messages that list what exists. */
  known: StoryDefinition[];
  dir: string;
}

type StoryContext = Pick<CommandContext, 'options' | 'io'>;

/**
 * Loads the stories directory for a command. A broken file is reported on stderr and skipped, unless it is the story
 * the command was asked for: then the command is refused with that file's problem. An unknown --story is refused with
 * the list of stories that exist.
 */
export function selectStories(context: StoryContext): StorySelection {
  const dir = resolve(stringOption(context as CommandContext, 'stories-dir') ?? DEFAULT_STORIES_DIR);
  if (!existsSync(dir)) throw new UsageError(`no stories directory at ${dir}`);
  const catalog = readStoryCatalog(dir);
  const wanted = stringOption(context as CommandContext, 'story');
  const brokenWanted = wanted === undefined ? undefined : brokenFileOf(catalog, wanted);
  if (brokenWanted) throw new Error(`story "${wanted}" cannot be loaded: ${brokenWanted}`);
  for (const broken of catalog.broken) {
    context.io.stderr.write(`storywatch: skipped a story file that does not load: ${broken.message}\n`);
  }
  if (wanted === undefined) {
    if (catalog.stories.length === 0) throw new Error(`no story loads from ${dir}`);
    return { stories: catalog.stories, known: catalog.stories, dir };
  }
  const story = catalog.stories.find((candidate) => candidate.id === wanted);
  if (!story) throw new UsageError(`unknown story "${wanted}"; stories in ${shownPath(dir)}/: ${listIds(catalog)}`);
  return { stories: [story], known: catalog.stories, dir };
}

/** For commands about exactly one story: --story, else the only one, else the default story. */
export function selectOneStory(context: StoryContext): StorySelection & { story: StoryDefinition } {
  const selection = selectStories(context);
  if (selection.stories.length === 1) return { ...selection, story: selection.stories[0] as StoryDefinition };
  const fallback = selection.stories.find((story) => story.id === DEFAULT_STORY_ID);
  if (!fallback) {
    throw new UsageError(
      `several stories exist; pick one with --story: ${selection.stories.map((s) => s.id).join(', ')}`,
    );
  }
  return { ...selection, stories: [fallback], story: fallback };
}

/** A party by its id or its name, in any case: `RUSSIA`, `russia`, `united states`. Null when the story has none. */
export function findParty(story: StoryDefinition, raw: string): string | null {
  const wanted = raw.trim().toLocaleLowerCase();
  const party = story.parties.find(
    (candidate) => candidate.id.toLocaleLowerCase() === wanted || candidate.name.toLocaleLowerCase() === wanted,
  );
  return party?.id ?? null;
}

/** "russia (Russia), us (United States)": what a person may type, with what it means. */
export function listParties(story: StoryDefinition): string {
  return story.parties.map((party) => (party.id === party.name ? party.id : `${party.id} (${party.name})`)).join(', ');
}

/**
 * Resolves a party for every selected story that has it; refuses one that no selected story has, with the lists.
 * Returns [story, party id] pairs, in story order.
 */
export function resolvePartyInStories(selection: StorySelection, raw: string): [StoryDefinition, string][] {
  const found = selection.stories.flatMap((story): [StoryDefinition, string][] => {
    const party = findParty(story, raw);
    return party ? [[story, party]] : [];
  });
  if (found.length > 0) return found;
  const lists = selection.stories.map((story) => `${story.id}: ${listParties(story)}`).join('; ');
  throw new UsageError(`unknown party "${raw}" (parties by id or name — ${lists})`);
}

/** What exists, for a result that came back empty: the stories and their parties. */
export function describeKnownStories(selection: StorySelection): string {
  return selection.known.map((story) => `  story ${story.id} — parties: ${listParties(story)}\n`).join('');
}

/** Local stores the demo and replays keep under .storywatch/, other than the one just read. */
export function otherKeptStores(read: string | null, root = '.storywatch'): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'finished-run.json')))
    .map((entry) => resolve(root, entry.name))
    .filter((dir) => read === null || resolve(read) !== dir);
}

function listIds(catalog: StoryCatalog): string {
  return catalog.stories.map((story) => story.id).join(', ') || 'none';
}

/** The problem of the broken file that defines (or is named after) this story id, if there is one. */
function brokenFileOf(catalog: StoryCatalog, id: string): string | undefined {
  for (const broken of catalog.broken) {
    if (basename(broken.path) === `${id}.json`) return broken.message;
    try {
      const json = JSON.parse(readFileSync(broken.path, 'utf8')) as { id?: unknown };
      if (json.id === id) return broken.message;
    } catch {
      // Not JSON at all: it can only be matched by its file name, above.
    }
  }
  return undefined;
}
