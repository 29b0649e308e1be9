/**
 * `storywatch story init --reader`: the story draft asked of a model. Its answer becomes a story file exactly as
 * the rules draft does (same id, dates, seed text, topic weights and notes) and is validated by the same
 * `validateStory`. A model may name terms the seeds never use; those are left out and listed in the notes, since
 * a term no seed writes is a guess. An answer that cannot make a story falls back to the rules draft, with a
 * note that names the field at fault. Nothing here knows the endpoint: the transport is given.
 */
import { sharedListReader, validateStory } from '../detection/story';
import {
  type DraftInput,
  draftNotes,
  draftStory,
  draftTopic,
  SEED_TEXT_LIMIT,
  type StoryDraft,
  sharedNames,
  slug,
  truncateAtSentence,
} from '../detection/story-draft';
import {
  fail,
  isRecord,
  requireId,
  requireString,
  requireStringList,
  StoryValidationError,
} from '../detection/story-fields';
import { cleanText } from '../detection/text';
import type { ModelTransport } from '../reader/transport';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type Sleep, sendWithRetry, TransportError } from '../reader/transport';
import { storyDraftRequest } from './draft-prompt';

const DESCRIPTION_LIMIT = 240;

function parseAnswer(answer: unknown, origin: string): Record<string, unknown> {
  let value = answer;
  if (typeof answer === 'string') {
    try {
      value = JSON.parse(answer);
    } catch {
      throw new StoryValidationError(`${origin}: the answer is not JSON`);
    }
  }
  if (!isRecord(value)) throw new StoryValidationError(`${origin}: the answer is not an object`);
  return value;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the seeds write the term (a trailing `*` on a word stands for any ending, as in story files). */
function inSeeds(term: string, seedText: string): boolean {
  const words = term.trim().split(/\s+/u);
  const body = words
    .map((word) => (word.endsWith('*') ? `${escapeRegex(word.slice(0, -1))}[\\p{L}\\p{N}]*` : escapeRegex(word)))
    .join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'iu').test(seedText);
}

/** Reads the answer's fields, keeping only terms a seed writes; `dropped` collects the others. */
class AnswerReader {
  readonly dropped: string[] = [];

  constructor(
    readonly origin: string,
    private readonly seedText: string,
    private readonly storiesDir: string,
  ) {}

  grounded(path: string, value: unknown): string[] {
    const terms = [...new Set(requireStringList(this.origin, path, value, true).map((term) => term.trim()))];
    const kept = terms.filter((term) => inSeeds(term, this.seedText));
    this.dropped.push(...terms.filter((term) => !kept.includes(term)));
    return kept;
  }

  shared(path: string, value: unknown, kind: string): string | null {
    if (value === null || value === undefined) return null;
    const name = requireString(this.origin, path, value);
    const known = sharedNames(this.storiesDir, kind);
    if (!known.includes(name)) {
      fail(this.origin, path, `"${name}" is no shared list (known: ${known.join(', ') || 'none'})`);
    }
    return name;
  }

  parties(value: unknown): Record<string, unknown>[] {
    if (!Array.isArray(value) || value.length === 0) fail(this.origin, 'parties', 'must list at least one party');
    return value.map((party, index) => {
      const path = `parties[${index}]`;
      if (!isRecord(party)) fail(this.origin, path, 'must be an object');
      const id = requireId(this.origin, `${path}.id`, party.id);
      const include = this.shared(`${path}.include`, party.include, 'actors');
      if (include) return { id, include };
      const name = requireString(this.origin, `${path}.name`, party.name).trim();
      const aliases = this.grounded(`${path}.aliases`, party.aliases);
      return { id, name, aliases: [...new Set([name, ...aliases])], selfSpeakers: [name] };
    });
  }

  conditions(value: unknown): { id: string; terms: string[] }[] {
    if (!Array.isArray(value)) fail(this.origin, 'conditions', 'must be a list');
    const read = value.map((condition, index) => {
      if (!isRecord(condition)) fail(this.origin, `conditions[${index}]`, 'must be an object');
      return {
        id: requireId(this.origin, `conditions[${index}].id`, condition.id),
        terms: this.grounded(`conditions[${index}].terms`, condition.terms),
      };
    });
    return read.filter((condition) => condition.terms.length > 0);
  }
}

function seedBody(seed: string): string {
  return cleanText(seed.split('\n').slice(1).join(' ')) || cleanText(seed.split('\n')[0] ?? '');
}

/**
 * The story file a model's answer makes, checked field by field (an error names the field) and then by
 * `validateStory` with the shared lists, like any story. The seed text is the seed's own, never the model's.
 */
export function draftFromModelAnswer(answer: unknown, input: DraftInput, drafter: string): StoryDraft {
  const fields = parseAnswer(answer, `the ${drafter} draft`);
  const read = new AnswerReader(`the ${drafter} draft`, input.seeds.join('\n'), input.storiesDir);
  const title = input.name ?? requireString(read.origin, 'title', fields.title).trim();
  const topics = requireStringList(read.origin, 'sharedTopics', fields.sharedTopics, true).map(
    (name, index) => read.shared(`sharedTopics[${index}]`, name, 'topics') ?? '',
  );
  const phrases = read.grounded('topicPhrases', fields.topicPhrases);
  const words = read.grounded('topicWords', fields.topicWords);
  if (topics.length + phrases.length + words.length === 0) {
    fail(read.origin, 'topicWords', 'names no topic term that the seeds write');
  }
  const otherStories = read.shared('otherStories', fields.otherStories, 'conflicts');
  const parties = read.parties(fields.parties);
  const json: Record<string, unknown> = {
    id: slug(title),
    title,
    description: truncateAtSentence(requireString(read.origin, 'description', fields.description), DESCRIPTION_LIMIT),
    seedText: truncateAtSentence(seedBody(input.seeds[0] ?? ''), SEED_TEXT_LIMIT),
    startDate: input.startDate ?? new Date().toISOString().slice(0, 10),
    parties,
    topic: draftTopic(topics, words, phrases),
    conflictTerms: read.grounded('conflictTerms', fields.conflictTerms),
    otherStories: otherStories ? { include: otherStories } : [],
    conditions: read.conditions(fields.conditions),
    matter: { include: 'matter/bargaining' },
  };
  validateStory(json, read.origin, sharedListReader(input.storiesDir));
  const notes = draftNotes(json, [], parties.filter((party) => party.include).length);
  notes.splice(1, 0, `Drafted by ${drafter} from the seeds; the seed text is the seed's own. Check every field.`);
  if (read.dropped.length > 0) {
    notes.splice(2, 0, `Left out, no seed writes them: ${read.dropped.slice(0, 12).join(', ')}.`);
  }
  return { json, notes };
}

export interface ModelDraftOptions {
  policy?: RetryPolicy;
  sleep?: Sleep;
}

export interface ModelDraft {
  draft: StoryDraft;
  /** The transport's id when its answer made the draft, `rules` when the rules drafted it instead. */
  drafter: string;
  /** Why the model's draft was not used, naming the field when its answer was at fault. */
  fallback?: string;
}

/** Asks the model for the draft; an unusable answer or a failed request gives the rules draft, with a note. */
export async function draftStoryWithModel(
  input: DraftInput,
  transport: ModelTransport,
  options: ModelDraftOptions = {},
): Promise<ModelDraft> {
  const request = storyDraftRequest(input);
  let reason: string;
  try {
    const { response } = await sendWithRetry(transport, request, options.policy ?? DEFAULT_RETRY_POLICY, options.sleep);
    return { draft: draftFromModelAnswer(response.answer, input, transport.id), drafter: transport.id };
  } catch (error) {
    if (error instanceof StoryValidationError) reason = error.message;
    else if (error instanceof TransportError)
      reason = `${transport.id} gave no answer (${error.kind}: ${error.message})`;
    else throw error;
  }
  const draft = draftStory(input);
  draft.notes.splice(1, 0, `Not the model's draft: ${reason}. These are the rules' guesses.`);
  return { draft, drafter: 'rules', fallback: reason };
}
