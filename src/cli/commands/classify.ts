import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { FeedItem } from '../../core/feed';
import { classifyItem, DEFAULT_STORIES_DIR, loadStory } from '../../detection/index';
import { type Command, stringOption } from '../command';

const DEFAULT_STORY = 'ceasefire-2025';

function optionalString(record: Record<string, unknown>, field: string): string | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  return value;
}

/** Turns one JSON Lines record into a feed item; throws with a message meant for the error line. */
export function parseItemLine(line: string): FeedItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new Error(`not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  const record = parsed as Record<string, unknown>;
  const id = optionalString(record, 'id');
  if (!id) throw new Error('"id" is missing');
  const title = optionalString(record, 'title');
  const description = optionalString(record, 'description');
  if (!title && !description) throw new Error('"title" and "description" are both missing');
  const content = optionalString(record, 'content');
  return {
    id,
    title: title ?? '',
    description: description ?? '',
    ...(content ? { content } : {}),
    link: optionalString(record, 'link'),
    published: optionalString(record, 'published'),
    source: optionalString(record, 'source') ?? '',
    language: optionalString(record, 'language'),
  };
}

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'Classify JSON Lines feed items from stdin: follow-up decision, party stances and summary per line',
  usage: 'storywatch classify [--story <id>] [--stories-dir <dir>] < items.jsonl',
  options: {
    story: { type: 'string', description: 'Story to classify against', defaultText: DEFAULT_STORY },
    'stories-dir': { type: 'string', description: 'Directory of story definitions', defaultText: 'stories/' },
  },
  async run(context) {
    const story = loadStory(
      stringOption(context, 'story') ?? DEFAULT_STORY,
      stringOption(context, 'stories-dir') ?? DEFAULT_STORIES_DIR,
    );
    const { stdout, stdin } = context.io;
    let malformed = 0;
    const write = async (record: unknown) => {
      // Respect backpressure so a slow reader downstream does not make us buffer everything.
      if (!stdout.write(`${JSON.stringify(record)}\n`)) await once(stdout, 'drain');
    };
    const lines = createInterface({ input: stdin, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let item: FeedItem;
      try {
        item = parseItemLine(line);
      } catch (error) {
        malformed++;
        await write({ id: null, error: (error as Error).message });
        continue;
      }
      const result = classifyItem(item, story);
      await write({
        id: item.id,
        storyId: result.storyId,
        followUp: result.followUp,
        score: result.score,
        stances: Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label])),
        reasons: result.reasons,
        stanceDetails: result.stances,
        conditions: result.summary?.conditions ?? [],
        summary: result.summary ?? null,
      });
    }
    if (malformed > 0) context.io.stderr.write(`storywatch classify: ${malformed} malformed line(s) skipped\n`);
    return malformed > 0 ? 1 : 0;
  },
};
