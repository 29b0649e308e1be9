/**
 * What `storywatch story init --reader` asks a model: the seed articles and the names of the shared lists it may
 * include, and an answer in one fixed shape. The prompt lives here, beside the drafting, and not in the detector:
 * it is instructions to a model about story files, not language the rule reader uses.
 */
import { clipText } from '../core/text-limits';
import { type DraftInput, sharedNames } from '../detection/story-draft';
import type { ModelRequest } from '../reader/transport';

export const STORY_DRAFT_TOOL = 'draft_story';
/** Seeds are cut to this many characters: an article's opening carries its story, the rest costs tokens. */
export const SEED_PROMPT_LIMIT = 6000;
/** Room for a draft with a few parties, a dozen terms and some conditions. */
const DRAFT_OUTPUT_TOKENS = 2000;

const strings = { type: 'array', items: { type: 'string' } };
const nullableString = { type: ['string', 'null'] };
const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});

/** Every field required and no others, so OpenAI's strict structured output and Bedrock's tool input agree. */
export const STORY_DRAFT_SCHEMA: Record<string, unknown> = object({
  title: { type: 'string' },
  description: { type: 'string' },
  parties: {
    type: 'array',
    items: object({ id: { type: 'string' }, include: nullableString, name: nullableString, aliases: strings }),
  },
  sharedTopics: strings,
  topicPhrases: strings,
  topicWords: strings,
  conditions: { type: 'array', items: object({ id: { type: 'string' }, terms: strings }) },
  conflictTerms: strings,
  otherStories: nullableString,
});

const SYSTEM = [
  'You draft a story file for a news monitor from seed articles. The monitor then finds later news items that',
  'follow up on the story and tracks where each party stands. Answer only from what the seeds say: every term',
  'you give must be written in a seed, in the seed language.',
  'Fields:',
  '- title: a short name for the story; description: one or two sentences on what it is about.',
  '- parties: the sides whose positions matter. When one of sharedLists.actors fits, set include to that name',
  '  and name to null, aliases to []. Otherwise include is null, name is how the seeds name the side, and',
  '  aliases are the other names the seeds use for it or its spokespeople. id: lower-case, a-z 0-9 -.',
  '- sharedTopics: names from sharedLists.topics whose subject this story shares, else [].',
  '- topicPhrases: two-to-three-word phrases this story uses and others would not; topicWords: single words of',
  '  the same kind. Leave out reporting and generic news words.',
  '- conditions: the demands the parties set, each an id (lower-case, a-z 0-9 _) and the words that name it.',
  '- conflictTerms: places and names of the dispute itself.',
  '- otherStories: a name from sharedLists.conflicts when the story is about a war, else null.',
].join('\n');

/** The request for these seeds, with the shared lists the model may include by name. */
export function storyDraftRequest(input: DraftInput): ModelRequest {
  const sharedLists = {
    actors: sharedNames(input.storiesDir, 'actors'),
    topics: sharedNames(input.storiesDir, 'topics'),
    conflicts: sharedNames(input.storiesDir, 'conflicts'),
  };
  return {
    system: SYSTEM,
    user: JSON.stringify({
      seeds: input.seeds.map((seed) => clipText(seed, SEED_PROMPT_LIMIT, { ellipsis: '' })),
      sharedLists,
    }),
    schema: STORY_DRAFT_SCHEMA,
    toolName: STORY_DRAFT_TOOL,
    maxOutputTokens: DRAFT_OUTPUT_TOKENS,
  };
}
