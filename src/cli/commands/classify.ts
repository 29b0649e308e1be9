import { once } from 'node:events';
import type { FeedItem } from '../../core/feed';
import { cleanPlainText, stripControlCharacters } from '../../core/plain-text';
import { classifyItem, type StoryDefinition } from '../../detection/index';
import { DEFAULT_MAX_LINE_BYTES, type InputLine, readBoundedLines } from '../../ingestion/line-reader';
import { type Command, numberOption, UsageError } from '../command';
import { ONE_STORY_OPTIONS, selectOneStory } from '../stories';

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
  // Input text is cleaned as feed text is: no control or formatting characters reach the output.
  const text = (field: string) => cleanPlainText(optionalString(record, field) ?? '');
  const raw = (field: string) => {
    const value = optionalString(record, field);
    return value === null ? null : stripControlCharacters(value);
  };
  const id = raw('id');
  if (!id) throw new Error('"id" is missing');
  const title = text('title');
  const description = text('description');
  if (!title && !description) throw new Error('"title" and "description" are both missing');
  const content = text('content');
  return {
    id,
    title,
    description,
    ...(content ? { content } : {}),
    link: raw('link'),
    published: raw('published'),
    source: raw('source') ?? '',
    language: raw('language'),
  };
}

/** The output record of one input line: its classification, or an error naming the line. */
function answerLine(line: InputLine & { text: string }, story: StoryDefinition): Record<string, unknown> {
  let item: FeedItem;
  try {
    item = parseItemLine(line.text);
  } catch (error) {
    return { id: null, line: line.lineNumber, error: (error as Error).message };
  }
  const result = classifyItem(item, story);
  return {
    id: item.id,
    storyId: result.storyId,
    followUp: result.followUp,
    score: result.score,
    stances: Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label])),
    reasons: result.reasons,
    stanceDetails: result.stances,
    conditions: result.summary?.conditions ?? [],
    summary: result.summary ?? null,
  };
}

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'Classify JSON Lines feed items from stdin: follow-up decision, party stances and summary per line',
  usage: 'storywatch classify [--story <id>] [--stories-dir <dir>] < items.jsonl',
  options: {
    ...ONE_STORY_OPTIONS,
    'max-line-bytes': {
      type: 'string',
      description: 'Longest input line read; a longer one is reported as an error line and skipped',
      defaultText: String(DEFAULT_MAX_LINE_BYTES),
    },
  },
  async run(context) {
    const { story } = selectOneStory(context);
    const maxLineBytes = numberOption(context, 'max-line-bytes', DEFAULT_MAX_LINE_BYTES);
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new UsageError('--max-line-bytes must be a whole number of at least 1');
    }
    const { stdout, stdin } = context.io;
    let malformed = 0;
    const write = async (record: unknown) => {
      // Respect backpressure so a slow reader downstream does not make us buffer everything.
      if (!stdout.write(`${JSON.stringify(record)}\n`)) await once(stdout, 'drain', { signal: context.signal });
    };
    for await (const line of readBoundedLines(stdin as AsyncIterable<Buffer | string>, maxLineBytes)) {
      // Ctrl-C or a closed stdout: stop reading; main() turns the stop into a quiet exit.
      context.signal.throwIfAborted();
      if (line.text === null) {
        malformed++;
        const error = `line of ${line.bytes} bytes is over the ${maxLineBytes}-byte limit (--max-line-bytes); skipped`;
        await write({ id: null, line: line.lineNumber, error });
        continue;
      }
      if (line.text.trim() === '') continue;
      const answer = answerLine(line, story);
      if (answer.error !== undefined) malformed++;
      await write(answer);
    }
    if (malformed > 0) context.io.stderr.write(`storywatch classify: ${malformed} malformed line(s) skipped\n`);
    return malformed > 0 ? 1 : 0;
  },
};
