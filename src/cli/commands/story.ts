import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FeedItem } from '../../core/feed';
import { readLabeledFile, toFeedItem } from '../../detection/evaluation';
import { DEFAULT_STORIES_DIR, readStoryFile, StoryValidationError } from '../../detection/index';
import { describeStory, formatFirings, formatLabeledFigures } from '../../detection/story-check';
import { type DraftInput, draftStory, type StoryDraft } from '../../detection/story-draft';
import { formatStoryJson } from '../../detection/story-format';
import { createTransport, ReaderConfigError } from '../../reader/config';
import { draftStoryWithModel } from '../../stories/model-draft';
import { booleanOption, type Command, type CommandContext, stringOption, UsageError } from '../command';
import { READER_OPTIONS, readerConfigFromOptions } from '../reader-options';

const USAGE = [
  'storywatch story init --from <article.txt> [--from ...] [--name <title>] [--out <story.json>] [--force]',
  '                      [--reader bedrock|openai (with its --bedrock-*/--llm-* options)]',
  '       storywatch story check <story.json> [--against <labeled.jsonl>] [--sample <items.jsonl>]',
].join('\n');

function listOption(context: CommandContext, name: string): string[] {
  const value = context.options[name];
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** The draft the options ask for: the rules', or a model's through the reader transports (rules on failure). */
async function initDraft(context: CommandContext, input: DraftInput): Promise<StoryDraft> {
  const config = readerConfigFromOptions(context);
  if (config.reader === 'rules') return draftStory(input);
  let transport: ReturnType<typeof createTransport>;
  try {
    transport = createTransport(config);
  } catch (error) {
    if (error instanceof ReaderConfigError) throw new UsageError(error.message);
    throw error;
  }
  const drafted = await draftStoryWithModel(input, transport);
  if (drafted.fallback) context.io.stderr.write(`note: the rules drafted the story instead: ${drafted.fallback}\n`);
  return drafted.draft;
}

async function runInit(context: CommandContext): Promise<number> {
  const seeds = listOption(context, 'from');
  if (seeds.length === 0) throw new UsageError('story init needs at least one --from <article.txt>');
  const storiesDir = stringOption(context, 'stories-dir') ?? DEFAULT_STORIES_DIR;
  const name = stringOption(context, 'name');
  const startDate = stringOption(context, 'start');
  const draft = await initDraft(context, {
    seeds: seeds.map((path) => readFileSync(path, 'utf8')),
    storiesDir,
    ...(name !== undefined ? { name } : {}),
    ...(startDate !== undefined ? { startDate } : {}),
  });
  const out = stringOption(context, 'out') ?? join(storiesDir, `${String(draft.json.id)}.json`);
  if (existsSync(out) && !booleanOption(context, 'force')) {
    throw new UsageError(`${out} exists; pass --force to replace it or --out to write elsewhere`);
  }
  writeFileSync(out, formatStoryJson({ ...draft.json, notes: draft.notes }));
  // The draft must load like any story; a file that does not is removed rather than left half-right.
  let story: ReturnType<typeof readStoryFile>;
  try {
    story = readStoryFile(out);
  } catch (error) {
    rmSync(out, { force: true });
    throw error;
  }
  const { stdout } = context.io;
  stdout.write(`wrote ${out}\n${describeStory(story, basename(out))}\n\nWhat to check:\n`);
  for (const note of draft.notes) stdout.write(`  - ${note}\n`);
  stdout.write(`\nThen: storywatch story check ${out} --against <labeled.jsonl>\n`);
  return 0;
}

function sampleItems(path: string): FeedItem[] {
  return readLabeledFile(path).map(toFeedItem);
}

function runCheck(context: CommandContext): number {
  const path = context.positionals[1];
  if (!path) throw new UsageError('story check needs the story file: storywatch story check <story.json>');
  const { stdout, stderr } = context.io;
  let story: ReturnType<typeof readStoryFile>;
  try {
    story = readStoryFile(path);
  } catch (error) {
    if (!(error instanceof StoryValidationError)) throw error;
    stderr.write(`not ok: ${error.message}\n`);
    return 1;
  }
  stdout.write(`${describeStory(story, path)}\n\n`);
  const against = stringOption(context, 'against');
  const samplePath = stringOption(context, 'sample') ?? against;
  const sample: FeedItem[] = samplePath
    ? sampleItems(samplePath)
    : [{ id: 'seed', title: '', description: story.seedText, link: null, published: null, source: '', language: null }];
  stdout.write(`${formatFirings(story, sample, samplePath ?? 'the seed text')}\n`);
  if (against) stdout.write(`\n${formatLabeledFigures(story, readLabeledFile(against))}\n`);
  return 0;
}

export const storyCommand: Command = {
  name: 'story',
  summary: 'Draft a story file from seed articles (init) and check one against a sample or labeled items (check)',
  usage: USAGE,
  options: {
    from: { type: 'string', multiple: true, description: 'init: a seed article, title on its first line (repeatable)' },
    name: { type: 'string', description: 'init: the story title (default: the first seed’s headline)' },
    start: { type: 'string', description: 'init: the date the story starts, YYYY-MM-DD', defaultText: 'today' },
    out: { type: 'string', description: 'init: where to write the story', defaultText: '<stories-dir>/<id>.json' },
    force: { type: 'boolean', description: 'init: replace an existing file' },
    ...READER_OPTIONS,
    reader: {
      type: 'string',
      description: 'init: who drafts the story: rules, bedrock or openai',
      defaultText: 'rules',
    },
    'stories-dir': {
      type: 'string',
      description: 'init: stories directory whose shared lists to use',
      defaultText: 'stories/',
    },
    against: { type: 'string', description: 'check: labeled JSON Lines (LABELING.md) for figures per month' },
    sample: { type: 'string', description: 'check: JSON Lines items to show which terms fire on' },
  },
  async run(context) {
    const action = context.positionals[0];
    if (action === 'init') return runInit(context);
    if (action === 'check') return runCheck(context);
    throw new UsageError(action ? `unknown story action "${action}" (init or check)` : 'story needs init or check');
  },
};
