import { createHash } from 'node:crypto';
import type { StoryDefinition } from '../detection/story';

/**
 * Version of the instruction template. The version stored with a reading is this plus a digest of the system
 * text built for the story, so editing either the template or the story file makes stored readings stale.
 */
export const PROMPT_TEMPLATE_VERSION = 'story-prompt-1';
/** Name of the one tool a Bedrock reader forces and of the OpenAI JSON schema: the same answer either way. */
export const ANSWER_TOOL_NAME = 'record_readings';
/** Story vocabulary shown to the model: enough to recognise the story, bounded so the prompt stays cheap. */
const MAX_TOPIC_TERMS = 40;
const MAX_LIST_TERMS = 30;

export interface StoryPrompt {
  /** The system text: every instruction, built from the story file alone. */
  system: string;
  /** `story-prompt-1.<10 hex of sha256(system)>`, stored with every reading made with it. */
  version: string;
  partyIds: string[];
  conditionIds: string[];
}

/** Wildcard entries (`российск*`) are shown as stems: the model needs the word, not our matching syntax. */
function shown(term: string): string {
  return term.replace(/\*/g, '…');
}

function uniqueList(terms: string[], limit = Number.POSITIVE_INFINITY): string {
  return [...new Set(terms.map(shown))].slice(0, limit).join(', ');
}

function storySection(story: StoryDefinition): string[] {
  const topic = [...story.topic].sort((a, b) => b.weight - a.weight).map((entry) => entry.term);
  const lines = [
    `# The story: ${story.title}`,
    story.description,
    `It started on ${story.startDate}. The article that started it:`,
    `"""${story.seedText}"""`,
    `Words the story is told in: ${uniqueList(topic, MAX_TOPIC_TERMS)}.`,
  ];
  if (story.conflictTerms.length > 0) {
    lines.push(`Places and names that anchor an item in it: ${uniqueList(story.conflictTerms, MAX_LIST_TERMS)}.`);
  }
  if (story.otherStories.length > 0) {
    lines.push(
      `Signals of other stories (an item about them is not a follow-up even with shared words): ${uniqueList(story.otherStories, MAX_LIST_TERMS)}.`,
    );
  }
  return lines;
}

function partiesSection(story: StoryDefinition): string[] {
  const lines = ['# Parties (use only these ids)'];
  for (const party of story.parties) {
    const side = party.side && party.side !== party.id ? `; side "${party.side}"` : '';
    lines.push(`- "${party.id}" = ${party.name}${side}. Named as: ${uniqueList(party.aliases)}.`);
    if (party.selfSpeakers.length > 0) {
      lines.push(`  Speaks for it (its own officials): ${uniqueList(party.selfSpeakers)}.`);
    }
  }
  return lines;
}

function conditionsSection(story: StoryDefinition): string[] {
  if (story.conditions.length === 0)
    return ['# Conditions', 'This story tracks no conditions: "conditions" is always [].'];
  const lines = ['# Conditions a party can set (use only these ids)'];
  for (const condition of story.conditions) lines.push(`- "${condition.id}": ${uniqueList(condition.terms, 12)}`);
  return lines;
}

const JUDGEMENT = [
  '# What to decide for each item',
  'followUp is true when the item reports a development in the effort this story is about: proposals, acceptances,',
  'rejections or violations; talks, summits, envoy visits or calls about it; plans, memoranda, guarantees; a party',
  'stating its position, conditions or demands; deadlines, sanctions or threats explicitly tied to it. It is false for',
  'the same kind of news about other conflicts or stories, for events with no angle on this effort in the title or',
  'description, and for other news about the same countries or people.',
  'Judge only from the title and description given. Do not use world knowledge the item does not carry.',
  '',
  '# Stances (only when followUp is true, and only where the item states or clearly implies it)',
  "A party's position toward the proposal or settlement on the table:",
  '- "supports": proposes, accepts, backs, calls for, agrees to, says it is ready for it.',
  '- "conditional": agrees in principle but sets conditions or demands first; "yes, but"; "only after X".',
  '- "opposes": rejects, refuses, dismisses, rules out; says fighting goes on until its goals are met; insists on',
  '  something that excludes it.',
  'Leave a party out when the item says nothing about its position. At most one stance per party.',
];

const ANSWER_RULES = [
  '# How to answer',
  `Answer through ${ANSWER_TOOL_NAME} with one entry per item, its "ref" copied from the request.`,
  '"quote" is the shortest span of the item\'s title or description, copied character for character, that carries',
  'the stance. Never paraphrase, translate, shorten with "..." or join two places. An item in Russian or Ukrainian',
  'is quoted in its own language.',
  '"conditions" lists the condition ids the quoted party sets; [] when none.',
  '"summary" is one or two plain English sentences: what happened, who, and on what terms.',
];

/** The system text for a story: the same code builds a working prompt for any valid story file. */
export function buildStoryPrompt(story: StoryDefinition): StoryPrompt {
  const system = [
    'You read news feed items for an analyst who tracks one story, and judge each item for it.',
    '',
    ...storySection(story),
    '',
    ...partiesSection(story),
    '',
    ...JUDGEMENT,
    '',
    ...conditionsSection(story),
    '',
    ...ANSWER_RULES,
  ].join('\n');
  const digest = createHash('sha256').update(system).digest('hex').slice(0, 10);
  return {
    system,
    version: `${PROMPT_TEMPLATE_VERSION}.${digest}`,
    partyIds: story.parties.map((party) => party.id),
    conditionIds: story.conditions.map((condition) => condition.id),
  };
}

const promptCache = new WeakMap<StoryDefinition, StoryPrompt>();

/** Built once per loaded story: the system text is the same for every batch, which is what prompt caching needs. */
export function storyPrompt(story: StoryDefinition): StoryPrompt {
  const cached = promptCache.get(story);
  if (cached) return cached;
  const built = buildStoryPrompt(story);
  promptCache.set(story, built);
  return built;
}
