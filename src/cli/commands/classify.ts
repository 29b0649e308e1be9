import { once } from 'node:events';
import { coalescing } from '../../core/concurrency';
import type { FeedItem } from '../../core/feed';
import { cleanPlainText, stripControlCharacters } from '../../core/plain-text';
import type { Reader, Reading } from '../../core/ports/reader';
import type { StoryDefinition } from '../../detection/index';
import { DEFAULT_MAX_LINE_BYTES, type InputLine, readBoundedLines } from '../../ingestion/line-reader';
import { isLlmReader } from '../../reader/config';
import { estimateCost } from '../../reader/cost';
import { booleanOption, type Command, type CommandContext, numberOption, UsageError } from '../command';
import { READER_OPTIONS, readerFromOptions } from '../reader-options';
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

/** The classify output contract: one line per item, unchanged but for `reader` (and `fallback` when one applied). */
function outputRecord(item: FeedItem, reading: Reading): Record<string, unknown> {
  return {
    id: item.id,
    storyId: reading.storyId,
    followUp: reading.followUp,
    score: reading.score,
    stances: Object.fromEntries(reading.stances.map((stance) => [stance.party, stance.label])),
    reasons: reading.reasons,
    stanceDetails: reading.stances,
    conditions: reading.summary?.conditions ?? [],
    summary: reading.summary ?? null,
    reader: reading.reader,
    promptVersion: reading.promptVersion,
    ...(reading.fallbackReason ? { fallback: reading.fallbackReason } : {}),
  };
}

/** An input line as parsed: an item to read, or the error line it answers with. */
type Parsed = { item: FeedItem } | { error: Record<string, unknown> };

function parseLine(line: InputLine, maxLineBytes: number): Parsed | null {
  if (line.text === null) {
    const error = `line of ${line.bytes} bytes is over the ${maxLineBytes}-byte limit (--max-line-bytes); skipped`;
    return { error: { id: null, line: line.lineNumber, error } };
  }
  if (line.text.trim() === '') return null;
  try {
    return { item: parseItemLine(line.text) };
  } catch (error) {
    return { error: { id: null, line: line.lineNumber, error: (error as Error).message } };
  }
}

function maxLineBytesOf(context: CommandContext): number {
  const maxLineBytes = numberOption(context, 'max-line-bytes', DEFAULT_MAX_LINE_BYTES);
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new UsageError('--max-line-bytes must be a whole number of at least 1');
  }
  return maxLineBytes;
}

/**
 * Each line is answered as soon as the reader is free: the first line goes at once, and the lines that arrive
 * while a batch is being read go together in the next one, so an LLM reader gets full requests under load
 * and an interactive user still sees every answer without closing stdin.
 */
async function classifyLines(context: CommandContext, reader: Reader, story: StoryDefinition): Promise<number> {
  const maxLineBytes = maxLineBytesOf(context);
  const { stdout, stdin } = context.io;
  let malformed = 0;
  const write = async (record: unknown) => {
    // Respect backpressure so a slow reader downstream does not make us buffer everything.
    if (!stdout.write(`${JSON.stringify(record)}\n`)) await once(stdout, 'drain', { signal: context.signal });
  };
  const answer = coalescing<Parsed>(async (batch) => {
    const items = batch.flatMap((entry) => ('item' in entry ? [entry.item] : []));
    const readings = await reader.read(items, story);
    let next = 0;
    for (const entry of batch) {
      if ('error' in entry) await write(entry.error);
      else await write(outputRecord(entry.item, readings[next++] as Reading));
    }
  });
  const answered: Promise<void>[] = [];
  const batching = isLlmReader(reader);
  for await (const line of readBoundedLines(stdin as AsyncIterable<Buffer | string>, maxLineBytes)) {
    // Ctrl-C or a closed stdout: stop reading; main() turns the stop into a quiet exit.
    context.signal.throwIfAborted();
    const parsed = parseLine(line, maxLineBytes);
    if (parsed === null) continue;
    if ('error' in parsed) malformed++;
    const answering = answer(parsed);
    // The rules answer at once; waiting for each keeps memory flat however fast stdin is.
    if (batching) answered.push(answering);
    else await answering;
  }
  await Promise.all(answered);
  if (malformed > 0) context.io.stderr.write(`storywatch classify: ${malformed} malformed line(s) skipped\n`);
  return malformed > 0 ? 1 : 0;
}

/** `--dry-run`: the exact requests an LLM reader would send, then a token and cost estimate; nothing is sent. */
async function dryRun(context: CommandContext, reader: Reader, story: StoryDefinition): Promise<number> {
  const maxLineBytes = maxLineBytesOf(context);
  const items: FeedItem[] = [];
  let malformed = 0;
  for await (const line of readBoundedLines(context.io.stdin as AsyncIterable<Buffer | string>, maxLineBytes)) {
    const parsed = parseLine(line, maxLineBytes);
    if (parsed === null) continue;
    if ('error' in parsed) malformed++;
    else items.push(parsed.item);
  }
  const { stdout } = context.io;
  if (!isLlmReader(reader)) {
    stdout.write(`${JSON.stringify({ dryRun: true, reader: reader.id, requests: 0, items: items.length })}\n`);
    return malformed > 0 ? 1 : 0;
  }
  const planned = reader.plan(items, story);
  for (const request of planned)
    stdout.write(`${JSON.stringify({ request: request.wire, itemIds: request.itemIds })}\n`);
  const estimate = estimateCost(reader.id, planned, reader.promptCaching);
  stdout.write(
    `${JSON.stringify({ dryRun: true, reader: reader.id, itemsRead: items.length, gatePassed: estimate.items, estimate })}\n`,
  );
  return malformed > 0 ? 1 : 0;
}

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'Classify JSON Lines feed items from stdin: follow-up decision, party stances and summary per line',
  usage: 'storywatch classify [--story <id>] [--stories-dir <dir>] [--reader rules|bedrock|openai] < items.jsonl',
  options: {
    ...ONE_STORY_OPTIONS,
    'max-line-bytes': {
      type: 'string',
      description: 'Longest input line read; a longer one is reported as an error line and skipped',
      defaultText: String(DEFAULT_MAX_LINE_BYTES),
    },
    ...READER_OPTIONS,
    'dry-run': {
      type: 'boolean',
      description: 'Print the requests an LLM reader would send and a token/cost estimate; send nothing',
    },
  },
  async run(context) {
    const { story } = selectOneStory(context);
    const reader = readerFromOptions(context);
    return booleanOption(context, 'dry-run') ? dryRun(context, reader, story) : classifyLines(context, reader, story);
  },
};
