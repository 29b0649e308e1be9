import type { FeedItem } from '../core/feed';
import type { Classification, FollowUpSummary, StanceObservation } from '../core/story';
import { clipText } from '../core/text-limits';
import { sentenceContact } from './contact';
import { stanceVocabulary } from './cues';
import { type Evidence, gatherEvidence, headlineOf, headlineSentences } from './evidence';
import { type CompiledStory, compileStory, type LexiconHit } from './lexicon';
import { newNames } from './names';
import type { StoryProfile } from './profile';
import { extractStances } from './stance';
import type { StoryDefinition } from './story';
import { type Sentence, stem, stemsOf, type Tokens } from './text';

/** Score at or above which an item is a follow-up. */
export const FOLLOW_UP_THRESHOLD = 0.5;
export const MIN_STANCE_CONFIDENCE = 0.6;
/** Topic terms this heavy are the story's core phrases ("peace talks"): they carry the angle on the matter alone. */
const CORE_TERM_WEIGHT = 1.1;
const SIMILARITY_FULL = 0.3;
/**
 * What the words a profile learned can add to an item's topic, all together. Below the weight of one strong story
 * term on purpose: learned words lift an item that is about the story in words the story file lacks, but never
 * make a follow-up on their own (they give no angle and no strong term).
 */
export const LEARNED_TOPIC_CAP = 0.3;
const SUMMARY_LIMIT = 280;
const MAX_QUOTES = 5;
const MAX_KEY_TERMS = 12;
/**
 * How far below the threshold a party's own position stated in the headline still makes a follow-up: a stated
 * position on the matter is a development in itself, even where the rest of the item is thin (a title-only feed).
 */
const HEADLINE_STANCE_MARGIN = 0.05;
const HEADLINE_STANCE_CONFIDENCE = 0.8;

const QUOTE = /[“"«]([^”"»]{8,240})[”"»]/g;
const DAY_MS = 86_400_000;

interface Detection {
  score: number;
  followUp: boolean;
  /** Everything but the score is there, and the score is close: a party's headline position decides. */
  nearMiss: boolean;
  reasons: string[];
  parties: string[];
  topicTerms: string[];
}

function saturate(value: number, half: number): number {
  return value <= 0 ? 0 : value / (value + half);
}

function similarity(compiled: CompiledStory, profile: StoryProfile | undefined, tokens: Tokens): number {
  const stems = stemsOf(tokens.words);
  if (stems.size === 0) return 0;
  let dot = 0;
  let matched = 0;
  for (const term of stems) {
    const weight = compiled.seedTerms.get(term) ?? profile?.learned[term];
    if (weight !== undefined) {
      dot += weight;
      matched++;
    }
  }
  // Share of the item's vocabulary the profile knows, weighted: robust to item length.
  return matched === 0 ? 0 : Math.min(1, dot / (stems.size * 0.8 + 2));
}

/** The learned words of the item, each at its best position, summed up to the cap. */
function learnedTopic(profile: StoryProfile | undefined, evidence: Evidence): { weight: number; terms: string[] } {
  const learned = profile?.learned;
  if (!learned || Object.keys(learned).length === 0) return { weight: 0, terms: [] };
  const best = new Map<string, number>();
  const { words, starts } = evidence.tokens;
  for (const [index, word] of words.entries()) {
    const weight = word.length >= 3 ? learned[stem(word)] : undefined;
    if (weight === undefined) continue;
    const start = starts[index] ?? 0;
    const placed = weight * positionFactor(start < evidence.titleEnd, start >= evidence.deepStart);
    const term = stem(word);
    best.set(term, Math.max(best.get(term) ?? 0, placed));
  }
  let total = 0;
  for (const weight of best.values()) total += weight;
  return { weight: Math.min(LEARNED_TOPIC_CAP, total), terms: [...best.keys()] };
}

/** What the vocabulary hits of an item add up to, a headline mention counting more than one in the body. */
interface Tally {
  topicWeights: Map<string, number>;
  topicLabels: Map<string, string>;
  parties: Set<string>;
  otherStories: Set<string>;
  anchorMentions: number;
  otherMentions: number;
  conflict: boolean;
}

/** A headline mention counts twice, one in the body once. */
function mentionWeight(inTitle: boolean): number {
  return inTitle ? 2 : 1;
}

/** Topic terms weigh more in the headline and less deep in the body; each term counts once, at its best. */
function positionFactor(inTitle: boolean, deep: boolean): number {
  if (inTitle) return 1.3;
  return deep ? 0.6 : 1;
}

function addHit(tally: Tally, hit: LexiconHit, evidence: Evidence): void {
  const inTitle = hit.start < evidence.titleEnd;
  const roles = hit.roles;
  if (roles.topicWeight !== undefined) {
    const weight = roles.topicWeight * positionFactor(inTitle, hit.start >= evidence.deepStart);
    const key = roles.label.toLowerCase();
    tally.topicWeights.set(key, Math.max(tally.topicWeights.get(key) ?? 0, weight));
    if (!tally.topicLabels.has(key)) tally.topicLabels.set(key, roles.label);
  }
  if (roles.party !== undefined) {
    tally.parties.add(roles.party);
    tally.anchorMentions += mentionWeight(inTitle);
  }
  if (roles.conflict) {
    tally.conflict = true;
    tally.anchorMentions += mentionWeight(inTitle);
  }
  if (roles.otherStory) {
    tally.otherStories.add(roles.label);
    tally.otherMentions += mentionWeight(inTitle);
  }
}

function tallyHits(evidence: Evidence): Tally {
  const tally: Tally = {
    topicWeights: new Map(),
    topicLabels: new Map(),
    parties: new Set(),
    otherStories: new Set(),
    anchorMentions: 0,
    otherMentions: 0,
    conflict: false,
  };
  for (const hit of evidence.hits) addHit(tally, hit, evidence);
  return tally;
}

/** How much the item is about the story's matter: the sum of its terms and the strongest one alone. */
function topicStrength(tally: Tally, reasons: string[]): { topic: number; strongestTerm: number } {
  let topic = 0;
  let strongestTerm = 0;
  for (const weight of tally.topicWeights.values()) {
    topic += weight;
    strongestTerm = Math.max(strongestTerm, weight);
  }
  if (tally.topicWeights.size > 0)
    reasons.push(`story terms: ${[...tally.topicWeights.keys()].slice(0, 6).join(', ')}`);
  return { topic, strongestTerm };
}

function anchorStrength(tally: Tally, reasons: string[]): number {
  const { parties, conflict } = tally;
  const anchor = Math.min(1, (parties.size > 0 ? 0.6 : 0) + 0.2 * Math.max(0, parties.size - 1) + (conflict ? 0.3 : 0));
  if (parties.size > 0) reasons.push(`parties: ${[...parties].join(', ')}`);
  if (conflict) reasons.push('places of the conflict named');
  return anchor;
}

function otherStoryPenalty(tally: Tally, reasons: string[]): number {
  const { otherMentions, anchorMentions } = tally;
  if (otherMentions <= 0) return 0;
  const penalty = (0.7 * otherMentions) / (otherMentions + anchorMentions);
  reasons.push(`other-story signals: ${[...tally.otherStories].slice(0, 4).join(', ')} (−${penalty.toFixed(2)})`);
  return penalty;
}

function daysIntoStory(compiled: CompiledStory, item: FeedItem): number {
  const published = item.published ? Date.parse(item.published) : Number.NaN;
  return Number.isFinite(published) ? Math.max(0, (published - compiled.startMs) / DAY_MS) : 0;
}

function verdictReason(followUp: boolean, score: number, strongestTerm: number): string {
  if (followUp) return `follow-up: score ${score.toFixed(2)} ≥ ${FOLLOW_UP_THRESHOLD}`;
  return `not a follow-up: score ${score.toFixed(2)}${strongestTerm < 0.6 ? ', no strong story term' : ''}`;
}

function detect(compiled: CompiledStory, item: FeedItem, evidence: Evidence, profile?: StoryProfile): Detection {
  const tally = tallyHits(evidence);
  const reasons: string[] = [];
  let { topic, strongestTerm } = topicStrength(tally, reasons);
  const vocabulary = stanceVocabulary(compiled.story);
  const contact = sentenceContact(compiled, evidence.sentences, evidence.hits, evidence.text);
  if (contact !== undefined) {
    // Talking across the lines of a conflict is the diplomacy the story is about; allies meeting is weaker evidence.
    topic += contact.crossSide ? 0.7 : 0.35;
    strongestTerm = Math.max(strongestTerm, 0.6);
    reasons.push(`${contact.crossSide ? 'contact across sides' : 'contact'} between ${contact.parties.join(' and ')}`);
  }
  const learned = learnedTopic(profile, evidence);
  if (learned.weight > 0) {
    topic += learned.weight;
    reasons.push(`learned terms: ${learned.terms.slice(0, 6).join(', ')} (+${learned.weight.toFixed(2)})`);
  }
  const anchor = anchorStrength(tally, reasons);

  // On-story items reach 1 quickly; the feature matters for items in new vocabulary the profile learned.
  const sim = Math.min(1, similarity(compiled, profile, evidence.tokens) / SIMILARITY_FULL);
  const penalty = otherStoryPenalty(tally, reasons);
  const days = daysIntoStory(compiled, item);
  // Gentle: a year into the story an item keeps about 94% of its score; old vocabulary still counts.
  const decay = 0.9 + 0.1 * Math.exp(-days / 365);

  const raw = 0.55 * saturate(topic, 0.8) + 0.25 * anchor + 0.2 * sim - penalty;
  const score = Math.max(0, Math.min(1, raw * decay));
  reasons.push(`profile similarity ${sim.toFixed(2)}`);
  if (days > 30) reasons.push(`age ${Math.round(days)} days (×${decay.toFixed(2)})`);
  // Generic words ("deal", "agreement") alone never make a follow-up; one real story term must be there.
  // War news that only shares the story's places and targets ("strikes on energy infrastructure") is no
  // follow-up: the item must name what is negotiated, show the parties in touch, or use a core story phrase.
  const angle =
    contact !== undefined ||
    strongestTerm >= CORE_TERM_WEIGHT ||
    vocabulary.matterPattern.test(evidence.text) ||
    vocabulary.phrasePattern.test(evidence.text);
  if (!angle)
    reasons.push('no angle on the matter: none of its words or stance phrases, no meeting of parties, no core term');
  const anchored = tally.parties.size + (tally.conflict ? 1 : 0) > 0;
  const eligible = angle && strongestTerm >= 0.6 && anchored;
  const followUp = eligible && score >= FOLLOW_UP_THRESHOLD;
  reasons.push(verdictReason(followUp, score, strongestTerm));
  return {
    score: Math.round(score * 1000) / 1000,
    followUp,
    nearMiss: eligible && !followUp && score >= FOLLOW_UP_THRESHOLD - HEADLINE_STANCE_MARGIN,
    reasons,
    parties: [...tally.parties],
    topicTerms: [...tally.topicLabels.values()],
  };
}

/** How story-laden a sentence is: its terms' weights (a party counts 0.3), with a head start for the lead. */
function sentenceWeight(evidence: Evidence, sentence: Sentence, index: number): number {
  let weight = index === 0 ? 0.5 : 0;
  for (const hit of evidence.hits) {
    if (hit.start >= sentence.start && hit.start < sentence.end)
      weight += hit.roles.topicWeight ?? (hit.roles.party ? 0.3 : 0);
  }
  return weight;
}

/** The lead sentence, plus the next most story-laden one when there is room. */
function summaryText(evidence: Evidence): string {
  const body = evidence.sentences.filter((sentence) => sentence.start > evidence.titleEnd);
  const picked = body
    .map((sentence, index) => ({ sentence, weight: sentenceWeight(evidence, sentence, index), index }))
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 2)
    .sort((a, b) => a.index - b.index);
  let summary = picked.map((entry) => entry.sentence.text).join(' ');
  if (summary === '' || summary.length > SUMMARY_LIMIT) summary = picked[0]?.sentence.text ?? '';
  if (summary === '') summary = headlineOf(evidence) || (evidence.sentences[0]?.text ?? '');
  return summary;
}

function quotesIn(text: string): string[] {
  const quotes: string[] = [];
  for (const match of text.matchAll(QUOTE)) {
    const quote = (match[1] ?? '').trim();
    if (quote && !quotes.includes(quote)) quotes.push(quote);
    if (quotes.length >= MAX_QUOTES) break;
  }
  return quotes;
}

function buildSummary(
  story: StoryDefinition,
  item: FeedItem,
  evidence: Evidence,
  detection: Detection,
  stances: StanceObservation[],
): FollowUpSummary {
  const conditions = [...new Set(stances.flatMap((stance) => stance.conditions))].sort();
  const keyTerms = [
    ...new Set([...detection.topicTerms, ...newNames(evidence.sentences, evidence.hits, evidence.titleEnd)]),
  ].slice(0, MAX_KEY_TERMS);
  return {
    storyId: story.id,
    itemId: item.id,
    source: item.source,
    link: item.link,
    title: headlineOf(evidence) || (evidence.sentences[0]?.text ?? ''),
    published: item.published,
    score: detection.score,
    summary: clipText(summaryText(evidence), SUMMARY_LIMIT, { atWord: true }),
    parties: detection.parties,
    stances,
    conditions,
    quotes: quotesIn(evidence.text),
    keyTerms,
    reasons: detection.reasons,
  };
}

export function classifyItem(item: FeedItem, story: StoryDefinition, profile?: StoryProfile): Classification {
  const compiled = compileStory(story);
  const evidence = gatherEvidence(compiled, item);
  const detection = detect(compiled, item, evidence, profile?.storyId === story.id ? profile : undefined);
  const read = () =>
    extractStances({
      text: evidence.text,
      sentences: evidence.sentences,
      hits: evidence.hits,
      wordStarts: evidence.tokens.starts,
      vocabulary: stanceVocabulary(story),
      leadSentences: evidence.leadSentences,
    }).filter((stance) => stance.confidence >= MIN_STANCE_CONFIDENCE);
  let stances: StanceObservation[] | undefined;
  if (detection.nearMiss) {
    stances = read();
    const headline = headlineSentences(evidence).map((sentence) => sentence.text);
    const stated = stances.some(
      (stance) => headline.includes(stance.evidence) && stance.confidence >= HEADLINE_STANCE_CONFIDENCE,
    );
    if (stated) {
      detection.followUp = true;
      detection.reasons[detection.reasons.length - 1] =
        `follow-up: score ${detection.score.toFixed(2)} just under ${FOLLOW_UP_THRESHOLD}, a party's position in the headline`;
    }
  }
  if (!detection.followUp) {
    return {
      storyId: story.id,
      itemId: item.id,
      followUp: false,
      score: detection.score,
      reasons: detection.reasons,
      stances: [],
    };
  }
  // A wrong stance fires a wrong alert: weak attributions are left out rather than guessed.
  stances ??= read();
  const summary = buildSummary(story, item, evidence, detection, stances);
  return {
    storyId: story.id,
    itemId: item.id,
    followUp: true,
    score: detection.score,
    reasons: detection.reasons,
    stances,
    summary,
  };
}

/** The positions the story starts from: its seed text read by the same extraction as any item. */
export function baselineStances(story: StoryDefinition): StanceObservation[] {
  const compiled = compileStory(story);
  const evidence = gatherEvidence(compiled, {
    id: `${story.id}:seed`,
    title: '',
    description: story.seedText,
    link: null,
    published: `${story.startDate}T00:00:00Z`,
    source: 'story-seed',
    language: null,
  });
  return extractStances({
    text: evidence.text,
    sentences: evidence.sentences,
    hits: evidence.hits,
    wordStarts: evidence.tokens.starts,
    vocabulary: stanceVocabulary(story),
    leadSentences: evidence.leadSentences,
  });
}
