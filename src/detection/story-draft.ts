import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clipText } from '../core/text-limits';
import { compileStory, type LexiconHit, scanLexicon } from './lexicon';
import { type StoryDefinition, sharedListReader, validateStory } from './story';
import { draftConditions } from './story-draft-conditions';
import { draftParties, readSeedNames, type SeedNames, type TitleGrammar, titleGrammar } from './story-draft-parties';
import { chooseTopicTerms, inflectedMember } from './story-draft-topic';
import { fail, idWords, isRecord, requireStringList } from './story-fields';
import { cleanText, splitSentences, tokenize } from './text';

/**
 * `storywatch story init`: a first story file drafted from seed articles and the shared lists. The draft is a
 * starting point a user reads and corrects; its `notes` say what to check.
 */
export interface DraftInput {
  /** Seed article texts (title on the first line, then the body). */
  seeds: string[];
  name?: string;
  /** YYYY-MM-DD; today when left out. */
  startDate?: string;
  /** The stories directory whose `shared/` lists the draft matches and includes. */
  storiesDir: string;
}

export interface StoryDraft {
  /** The story file, ready to write; validated with the same rules as any story. */
  json: Record<string, unknown>;
  notes: string[];
}

export const SEED_TEXT_LIMIT = 700;
const TITLES_LIST = 'roles/titles';
const COMMON_WORDS_LIST = 'language/common-words';
const MATTER_LIST = 'matter/bargaining';
/** A shared topic list is included when the seed uses this many of its strong terms (weight 1 or more). */
const SHARED_TOPIC_HITS = 2;
const STRONG_WEIGHT = 1;

export function slug(text: string): string {
  return (
    idWords(text, '-')
      // Cut at a word's end, so the id reads as words.
      .replace(/^(.{0,40})(?:-.*)?$/u, '$1')
      .slice(0, 40)
      .replace(/-+$/, '') || 'my-story'
  );
}

export function sharedNames(storiesDir: string, kind: string): string[] {
  const own = join(storiesDir, 'shared', kind);
  if (!existsSync(own)) return [];
  return readdirSync(own)
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${kind}/${name.slice(0, -5)}`)
    .sort();
}

/** The fields of a throwaway story that the probes below fill in. */
function probeFields(): Record<string, unknown> {
  return {
    id: 'probe',
    title: 'probe',
    description: 'probe',
    seedText: 'probe',
    startDate: '2000-01-01',
    parties: [{ id: 'none', name: 'none', aliases: ['none'] }],
    topic: [{ term: 'probe', weight: 1 }],
  };
}

/** A throwaway story made of every shared actor and topic, to see which of them the seed names. */
function probeStory(storiesDir: string, actors: string[], topics: string[]): StoryDefinition {
  return validateStory(
    {
      ...probeFields(),
      ...(actors.length > 0 ? { parties: actors.map((include) => ({ id: slug(include), include })) } : {}),
      ...(topics.length > 0 ? { topic: topics.map((include) => ({ include })) } : {}),
    },
    'story init',
    sharedListReader(storiesDir),
  );
}

/** How often each shared actor is named in the text, and which shared topics it uses. */
function matchShared(storiesDir: string, text: string) {
  const actors = sharedNames(storiesDir, 'actors');
  const topics = sharedNames(storiesDir, 'topics');
  const counts = new Map<string, number>();
  const covered: LexiconHit[] = [];
  const topicHits = new Map<string, number>();
  for (const topic of topics) {
    const hits = scanLexicon(compileStory(probeStory(storiesDir, [], [topic])), text);
    const strong = hits.filter((hit) => (hit.roles.topicWeight ?? 0) >= STRONG_WEIGHT);
    topicHits.set(topic, new Set(strong.map((hit) => hit.roles.label.toLowerCase())).size);
  }
  if (actors.length > 0) {
    const probe = probeStory(storiesDir, actors, []);
    for (const hit of scanLexicon(compileStory(probe), text)) {
      if (hit.roles.party === undefined) continue;
      counts.set(hit.roles.party, (counts.get(hit.roles.party) ?? 0) + 1);
      covered.push(hit);
    }
  }
  const found = actors.filter((actor) => (counts.get(slug(actor)) ?? 0) > 0);
  found.sort((a, b) => (counts.get(slug(b)) ?? 0) - (counts.get(slug(a)) ?? 0));
  return {
    actors: found,
    topics: topics.filter((topic) => (topicHits.get(topic) ?? 0) >= SHARED_TOPIC_HITS),
    covered,
  };
}

const NAME = /(?<![\p{L}.])\p{Lu}[\p{Ll}’']+(?:\s+\p{Lu}[\p{Ll}’']+)*/gu;

/** The shared list of how a seed writes people's roles (`roles/titles`), checked as any shared list is. */
function titlesOf(storiesDir: string): TitleGrammar {
  const { json, origin } = sharedListReader(storiesDir)(TITLES_LIST);
  if (!isRecord(json)) fail(origin, '', 'must be an object');
  return titleGrammar(
    requireStringList(origin, 'titles', json.titles, false),
    requireStringList(origin, 'modifiers', json.modifiers, true),
  );
}

/** The seed's names: shared actors' mentions as the draft's party ids, then what the seed says of the others. */
function seedNamesOf(storiesDir: string, text: string, shared: ReturnType<typeof matchShared>): SeedNames {
  const idOf = new Map(shared.actors.map((actor) => [slug(actor), actor.replace(/^actors\//, '')]));
  const hits = shared.covered.flatMap((hit) => {
    const party = hit.roles.party === undefined ? undefined : idOf.get(hit.roles.party);
    return party ? [{ start: hit.start, end: hit.end, party }] : [];
  });
  return readSeedNames(text, hits, titlesOf(storiesDir));
}

/**
 * Whether a word is one any news uses (`language/common-words`): alone it says nothing of a story ("offer",
 * "walk"), so it may stand in a topic phrase but not as a topic word. Its endings are cut ("offered", "walks").
 */
function commonWordsOf(storiesDir: string): (word: string) => boolean {
  const { json, origin } = sharedListReader(storiesDir)(COMMON_WORDS_LIST);
  if (!isRecord(json)) fail(origin, '', 'must be an object');
  return inflectedMember(requireStringList(origin, 'words', json.words, false));
}

/** The seed's words the draft's matter list (`matter/bargaining`) already counts: "talks", "deal". */
function matterWordsOf(storiesDir: string, text: string): Set<string> {
  const { matter } = validateStory(
    { ...probeFields(), matter: { include: MATTER_LIST } },
    'story init',
    sharedListReader(storiesDir),
  );
  const probe = validateStory({ ...probeFields(), topic: [{ weight: 1, terms: matter }] }, 'story init');
  return new Set(
    scanLexicon(compileStory(probe), text).flatMap((hit) => tokenize(text.slice(hit.start, hit.end)).words),
  );
}

/** Words the draft's topic must not list: known vocabulary, names (they go to parties and conflictTerms). */
function wordsToLeaveOut(
  storiesDir: string,
  text: string,
  shared: ReturnType<typeof matchShared>,
  names: string[],
): Set<string> {
  const coveredWords = new Set(shared.covered.flatMap((hit) => tokenize(text.slice(hit.start, hit.end)).words));
  const addWords = (phrase: string) => {
    for (const word of tokenize(phrase).words) coveredWords.add(word);
  };
  // Names belong in parties and conflictTerms, not in the topic.
  for (const match of text.matchAll(NAME)) {
    if (match.index > 0 && !/[.!?]\s*$/.test(text.slice(0, match.index))) addWords(match[0]);
  }
  // Words the included shared topics already know need not be listed again.
  for (const topic of shared.topics) {
    const known = compileStory(probeStory(storiesDir, [], [topic]));
    for (const hit of scanLexicon(known, text)) addWords(text.slice(hit.start, hit.end));
  }
  for (const name of names) addWords(name);
  return coveredWords;
}

/** Topic entries of a draft: shared lists by name, then phrases above single words, as both drafters write them. */
export function draftTopic(topics: string[], words: string[], phrases: string[]): Record<string, unknown>[] {
  return [
    ...topics.map((include) => ({ include })),
    ...(phrases.length > 0 ? [{ weight: 1.2, terms: phrases }] : []),
    ...(words.length > 0 ? [{ weight: 0.8, terms: words }] : []),
  ];
}

export function draftStory(input: DraftInput): StoryDraft {
  const text = input.seeds.map((seed) => cleanText(seed.replace(/\n/g, '. '))).join('\n');
  const shared = matchShared(input.storiesDir, text);
  const seedNames = seedNamesOf(input.storiesDir, text, shared);
  const names = [...seedNames.groups.flatMap((group) => [...group.forms]), ...seedNames.people, ...seedNames.places];
  const leftOut = wordsToLeaveOut(input.storiesDir, text, shared, names);
  const { words, phrases } = chooseTopicTerms(input.seeds, {
    leftOut,
    isCommon: commonWordsOf(input.storiesDir),
    known: matterWordsOf(input.storiesDir, text),
  });
  const firstSeed = input.seeds[0] ?? '';
  const firstLine = firstSeed.split('\n')[0]?.trim() ?? '';
  const title = input.name ?? (firstLine || 'My story');
  const body = cleanText(firstSeed.split('\n').slice(1).join(' ')) || cleanText(firstLine);
  const war = shared.topics.some((topic) => topic.includes('war'));
  const json: Record<string, unknown> = {
    id: slug(title),
    title,
    description: truncateAtSentence(body, 240),
    seedText: truncateAtSentence(body, SEED_TEXT_LIMIT),
    startDate: input.startDate ?? new Date().toISOString().slice(0, 10),
    parties: draftParties(shared.actors, seedNames),
    topic: draftTopic(shared.topics, words, phrases),
    conflictTerms: seedNames.places,
    otherStories: war ? { include: 'conflicts/2025' } : [],
    conditions: draftConditions(text),
    matter: { include: MATTER_LIST },
  };
  return { json, notes: draftNotes(json, names, shared.actors.length) };
}

/** Whole sentences up to `limit`; a first sentence longer than that is cut at a word, like any shortened text. */
export function truncateAtSentence(text: string, limit: number): string {
  if ([...text].length <= limit) return text;
  const sentences = splitSentences(text);
  let kept = '';
  for (const sentence of sentences) {
    if (kept.length + sentence.text.length + 1 > limit) break;
    kept = kept ? `${kept} ${sentence.text}` : sentence.text;
  }
  return kept || clipText(text, limit, { atWord: true });
}

export function draftNotes(json: Record<string, unknown>, names: string[], actorCount: number): string[] {
  const notes = [
    'Drafted by storywatch story init. Check each point, then delete these notes and run storywatch story check.',
  ];
  notes.push(
    actorCount < 2
      ? 'Few shared actors were named: parties were made from names in the seed. Merge, rename and add aliases.'
      : 'parties: one per actor the seed names. Drop bystanders, merge allies with "side", add their spokespeople.',
  );
  if (names.length > 0) {
    notes.push(
      `Names no shared list knows: ${names.slice(0, 12).join(', ')}. People the seed gives a title or a role are ` +
        'drafted as speakers of their party and names written only as places as conflictTerms: check both.',
    );
  }
  notes.push(
    'topic: words (0.8) and phrases (1.2) the seeds write twice or more. Remove generic ones; keep what only it says.',
  );
  const conditions = json.conditions as unknown[];
  notes.push(
    conditions.length > 0
      ? 'conditions: read from the demands in the seed. Keep the ones parties will bargain over; give each a short id.'
      : 'conditions: the seed states no demands; add the ones the parties bargain over.',
  );
  notes.push(
    "matter: the shared list of what parties bargain over. Add this story's own (a contract, a levy, a border).",
  );
  return notes;
}
