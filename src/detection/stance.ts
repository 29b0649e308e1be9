import type { StanceLabel, StanceObservation } from '../core/story';
import { objectFollows, subjectCueIsVerb } from './cue-scope';
import { type Cue, collectCues, type StanceVocabulary } from './cues';
import { standsBetween } from './go-betweens';
import type { LexiconHit } from './lexicon';
import {
  COMMENTATORS,
  clauseStartBefore,
  eligibleAsHolder,
  isHypothetical,
  isNegated,
  isSpeculative,
  namesAThing,
  OBLIGATION_BETWEEN,
  type PartyMention,
  PRONOUN_START,
  QUESTION_END,
  RETRACTION,
  SPEAKER_AFTER,
  SPECULATION_CONFIDENCE,
  sentenceSpeaker,
  withCoordinated,
  wordsBefore,
} from './stance-context';
import { mergeObservations, type RawObservation } from './stance-merge';
import type { Sentence } from './text';

export type { PartyMention } from './stance-context';

export interface StanceInput {
  text: string;
  sentences: Sentence[];
  hits: LexiconHit[];
  /** Start offsets of the text's words: the only places a cue can begin. */
  wordStarts: readonly number[];
  /** The story's stance language: cue rules with its matter filled in (`stanceVocabulary(story)`). */
  vocabulary: StanceVocabulary;
  /**
   * How many of the first sentences are the headline ("Putin rejects the truce. What next?" is two); 1 when left
   * out, the first sentence of a text without a headline leading it.
   */
  leadSentences?: number;
}

/** What one pass over the text carries from sentence to sentence. */
interface Reading {
  input: StanceInput;
  observations: RawObservation[];
  conditionsByParty: Map<string, Set<string>>;
  /** Who "he" or "the minister" refers to in the next sentence. */
  carriedHolder: PartyMention | undefined;
  /** A headline saying a party is still deliberating is the news; what the body adds about its past moves is background. */
  undecidedInHeadline: Set<string>;
}

/** What is known about one sentence before its cues are read. */
interface SentenceView {
  index: number;
  /** A sentence of the headline: what the item is news for. */
  lead: boolean;
  sentence: Sentence;
  mentions: PartyMention[];
  cues: Cue[];
  speaker: PartyMention | undefined;
  pronounLed: boolean;
  /** Who the sentence is about when a cue has no holder of its own. */
  fallbackHolder: PartyMention | undefined;
  onTopic: boolean;
  isQuestion: boolean;
  /** Commentators speak for themselves: nothing they say about a party is the party's own statement. */
  commentary: boolean;
}

/** What the cues of one sentence leave for the cues after them. */
interface SentenceState {
  undecided: Set<string>;
  lastHolders: PartyMention[];
  previousCueEnd: number;
  heldCues: { start: number; holder: PartyMention }[];
}

function partyMentions({ hits, text, vocabulary }: StanceInput): PartyMention[] {
  const mentions: PartyMention[] = [];
  for (const { roles, start, end } of hits) {
    if (roles.party === undefined) continue;
    const describesOnly = namesAThing(text, { start, end }, vocabulary.storyRoles);
    mentions.push({ party: roles.party, start, end, selfSpeaker: !!roles.selfSpeaker, describesOnly });
  }
  return mentions;
}

/** The entries of a position-sorted list that fall inside the sentence, advancing a shared cursor. */
function within<T extends { start: number }>(list: readonly T[], cursor: { at: number }, sentence: Sentence): T[] {
  while (cursor.at < list.length && (list[cursor.at] as T).start < sentence.start) cursor.at++;
  const inside: T[] = [];
  for (let i = cursor.at; i < list.length && (list[i] as T).start < sentence.end; i++) inside.push(list[i] as T);
  return inside;
}

function viewSentence(reading: Reading, index: number, mentions: PartyMention[], cues: Cue[]): SentenceView {
  const { text, hits, vocabulary } = reading.input;
  const sentence = reading.input.sentences[index] as Sentence;
  const speaker = sentenceSpeaker(text, sentence, mentions);
  const pronounLed = PRONOUN_START.test(sentence.text);
  const subjectMention = mentions.find(
    (mention) => mention.start - sentence.start <= 30 && eligibleAsHolder(text, sentence.start, mention),
  );
  const onTopic =
    hits.some(
      (hit) => hit.roles.topicWeight !== undefined && hit.start >= sentence.start && hit.start < sentence.end,
    ) || vocabulary.objectPattern.test(sentence.text);
  return {
    index,
    lead: index < (reading.input.leadSentences ?? 1),
    sentence,
    mentions,
    cues,
    speaker,
    pronounLed,
    fallbackHolder: speaker ?? (pronounLed ? reading.carriedHolder : subjectMention),
    onTopic,
    isQuestion: QUESTION_END.test(sentence.text),
    commentary: COMMENTATORS.test(sentence.text) && !(speaker?.selfSpeaker ?? false),
  };
}

/** Whether a cue can say anything here at all: on topic, asserted (not asked or supposed), used as a verb. */
function cueApplies(reading: Reading, view: SentenceView, cue: Cue, followsCue: boolean, preceding: string[]): boolean {
  const { text, hits, vocabulary } = reading.input;
  const { rule } = cue;
  if (!view.onTopic && !rule.selfContained) return false;
  // "not ready to accept an unconditional deal": the object's adjective is not a second stance.
  if (rule.selfContained && rule.kind === 'subject' && followsCue) return false;
  if (isHypothetical(preceding)) return false;
  if (view.isQuestion && rule.kind !== 'owner' && rule.kind !== 'by') return false;
  if (rule.kind !== 'subject') return true;
  const before = text.slice(Math.max(view.sentence.start, cue.start - 40), cue.start);
  if (!subjectCueIsVerb(text, cue, before, view.mentions, vocabulary)) return false;
  if (rule.label === 'conditional' || rule.selfContained) return true;
  return objectFollows(text, cue, view.sentence, hits, vocabulary.objectPattern);
}

interface Holders {
  holders: PartyMention[];
  inherited: boolean;
}

/** The party a cue's holder is picked from, with its coordinated partners ("A and B"), or nobody. */
function mentionWithPartners(text: string, mentions: PartyMention[], index: number): Holders {
  return { holders: index >= 0 ? withCoordinated(text, mentions, index) : [], inherited: false };
}

/** "X's plan": the owner touches the cue. */
function ownerHolders(reading: Reading, view: SentenceView, cue: Cue): Holders {
  const { mentions } = view;
  const index = mentions.findIndex((mention) => cue.start - mention.end >= 0 && cue.start - mention.end <= 1);
  return mentionWithPartners(reading.input.text, mentions, index);
}

/** "brokered by X": the party follows the cue closely, an article at most between. */
function byHolders(reading: Reading, view: SentenceView, cue: Cue): Holders {
  const { text } = reading.input;
  const { mentions } = view;
  const index = mentions.findIndex(
    (mention) =>
      mention.start >= cue.end &&
      mention.start - cue.end <= 12 &&
      /^\s*(?:the\s+|a\s+)?$/i.test(text.slice(cue.end, mention.start)),
  );
  return mentionWithPartners(text, mentions, index);
}

/** "A says talks will start, as B says efforts are on the right track": the nearer speaker, in its own clause. */
function speakerHolders(reading: Reading, view: SentenceView, cue: Cue, clauseStart: number): Holders {
  const { text } = reading.input;
  const { sentence } = view;
  // "A says B told him talks made progress": A only relays, the words are B's, so the speaker nearest the cue.
  const clauseSpeaker = view.mentions.findLast(
    (mention) =>
      mention.start >= clauseStart &&
      mention.end <= cue.start &&
      !mention.describesOnly &&
      SPEAKER_AFTER.test(text.slice(mention.end, Math.min(sentence.end, mention.end + 60))),
  );
  const carried = view.pronounLed ? reading.carriedHolder : undefined;
  const holder = clauseSpeaker ?? view.speaker ?? carried;
  return { holders: holder ? [holder] : [], inherited: false };
}

/** The nearest eligible party before the cue in its clause, else whoever held the last stance, else the subject. */
function subjectHolders(
  reading: Reading,
  view: SentenceView,
  state: SentenceState,
  cue: Cue,
  clauseStart: number,
): Holders {
  const { text } = reading.input;
  const { mentions, sentence } = view;
  const owner = possessiveOwner(reading, view, cue);
  if (owner) return { holders: [owner], inherited: false };
  for (let i = mentions.length - 1; i >= 0; i--) {
    const mention = mentions[i] as PartyMention;
    if (mention.end > cue.start || mention.start < clauseStart) continue;
    if (!eligibleAsHolder(text, sentence.start, mention)) continue;
    return { holders: withCoordinated(text, mentions, i), inherited: false };
  }
  if (state.lastHolders.length > 0) return { holders: state.lastHolders, inherited: true };
  return { holders: view.fallbackHolder ? [view.fallbackHolder] : [], inherited: true };
}

/** "its president proposes", "their leaders accept": the cue's subject is someone of a party named before. */
const POSSESSIVE_SUBJECT = /(?<![\p{L}])(?:its|their)\s+(?:[\p{L}-]+\s+){1,2}$/iu;

/** The party a possessive subject right before the cue refers to: the nearest one named before the pronoun. */
function possessiveOwner(reading: Reading, view: SentenceView, cue: Cue): PartyMention | undefined {
  const { text } = reading.input;
  const before = text.slice(Math.max(view.sentence.start, cue.start - 40), cue.start);
  const match = POSSESSIVE_SUBJECT.exec(before);
  if (!match) return undefined;
  const pronoun = cue.start - before.length + match.index;
  return view.mentions.findLast((mention) => mention.end <= pronoun && !mention.describesOnly);
}

/** Who holds the position a cue states; `inherited` when it comes from an earlier clause or sentence. */
function holdersOf(reading: Reading, view: SentenceView, state: SentenceState, cue: Cue): Holders {
  if (cue.rule.kind === 'owner') return ownerHolders(reading, view, cue);
  if (cue.rule.kind === 'by') return byHolders(reading, view, cue);
  const clauseStart = clauseStartBefore(reading.input.text, view.sentence.start, cue.start);
  if (cue.rule.kind === 'speaker') return speakerHolders(reading, view, cue, clauseStart);
  return subjectHolders(reading, view, state, cue, clauseStart);
}

/**
 * "A must accept concessions, B says": an obligation put on a party is someone else's demand.
 * "A backs off its demand that B sign": a position being dropped is no longer held.
 * "A-brokered B-C talks": a go-between holds none (see go-betweens.ts).
 */
function holdersWhoMeanIt(text: string, view: SentenceView, holders: PartyMention[], cue: Cue): PartyMention[] {
  const { speaker } = view;
  return holders.filter((holder) => {
    if (standsBetween(text, cue, view.mentions, holder)) return false;
    const between = text.slice(holder.end, Math.max(holder.end, cue.start));
    if (RETRACTION.test(between)) return false;
    return (speaker?.party === holder.party && holder.start >= speaker.start) || !OBLIGATION_BETWEEN.test(between);
  });
}

/** The label and confidence a cue gives, turned by a negation ("not ready to" supports → opposes); none when a
 * negated condition says nothing. */
function cueReading(
  stated: StanceLabel,
  cue: Cue,
  view: SentenceView,
  found: { inherited: boolean; negated: boolean },
): { label: StanceLabel; confidence: number } | undefined {
  const { inherited, negated } = found;
  let label = stated;
  let confidence = cue.rule.strength - (inherited ? 0.1 : 0);
  if (negated) {
    if (label === 'conditional') return undefined;
    label = label === 'supports' ? 'opposes' : 'conditional';
    confidence -= 0.1;
  }
  if (view.lead) confidence += 0.05;
  return { label, confidence };
}

/** Whether the holder speaks for itself, directly or as the sentence's own speaker. */
function spokenByItself(view: SentenceView, holder: PartyMention): boolean {
  const { speaker } = view;
  return holder.selfSpeaker || (speaker !== undefined && speaker.party === holder.party && speaker.selfSpeaker);
}

/** Deliberating is not deciding: only its terms ("yes, if") say something about the party yet. */
function isDeliberating(reading: Reading, state: SentenceState, party: string): boolean {
  return state.undecided.has(party) || reading.undecidedInHeadline.has(party);
}

/** Turns one applicable cue with its holders into observations; deliberation only marks the holders undecided. */
function observe(
  reading: Reading,
  view: SentenceView,
  state: SentenceState,
  cue: Cue,
  found: { holders: PartyMention[]; inherited: boolean; preceding: string[] },
): void {
  const { holders, inherited, preceding } = found;
  const negated = isNegated(preceding);
  if (cue.rule.label === 'undecided') {
    // "not considering a deal" is a refusal in other words; left to the other cues rather than guessed
    if (negated) return;
    for (const holder of holders) state.undecided.add(holder.party);
    state.lastHolders = holders;
    return;
  }
  const read = cueReading(cue.rule.label, cue, view, { inherited, negated });
  if (read === undefined) return;
  const { label, confidence } = read;
  const speculative = isSpeculative(preceding, view.commentary);
  for (const holder of holders) {
    if (label !== 'conditional' && isDeliberating(reading, state, holder.party)) continue;
    reading.observations.push({
      party: holder.party,
      label,
      confidence: speculative ? Math.min(SPECULATION_CONFIDENCE, confidence) : Math.min(0.95, confidence),
      sentenceIndex: view.index,
      lead: view.lead,
      direct: !speculative && !view.commentary && spokenByItself(view, holder),
      speculative,
    });
  }
  // "X's plan", "brokered by X": the owner modifies a noun and is not who the next verb is about
  if (cue.rule.kind !== 'owner' && cue.rule.kind !== 'by') {
    state.lastHolders = holders;
    state.heldCues.push({ start: cue.start, holder: holders[0] as PartyMention });
  }
}

/**
 * A condition belongs to whoever holds the nearest stance before it in the sentence ("A is ready; B insists on
 * monitoring"), else to the speaker or the subject.
 */
function attachConditions(reading: Reading, view: SentenceView, state: SentenceState, holder?: PartyMention): void {
  const { sentence } = view;
  for (const hit of reading.input.hits) {
    if (hit.start < sentence.start || hit.start >= sentence.end || hit.roles.condition === undefined) continue;
    let owner = holder;
    for (const held of state.heldCues) if (held.start <= hit.start) owner = held.holder;
    if (!owner) continue;
    const set = reading.conditionsByParty.get(owner.party) ?? new Set<string>();
    set.add(hit.roles.condition);
    reading.conditionsByParty.set(owner.party, set);
  }
}

/** Who the headline says is still deliberating holds for the whole item. */
function keepUndecided(reading: Reading, state: SentenceState): void {
  for (const party of state.undecided) reading.undecidedInHeadline.add(party);
}

function readSentence(reading: Reading, view: SentenceView): void {
  const { text } = reading.input;
  const state: SentenceState = { undecided: new Set(), lastHolders: [], previousCueEnd: -1, heldCues: [] };
  for (const cue of view.cues) {
    const followsCue = state.previousCueEnd >= 0 && cue.start - state.previousCueEnd <= 25;
    state.previousCueEnd = cue.end;
    const preceding = wordsBefore(text.slice(Math.max(view.sentence.start, cue.start - 40), cue.start), 5);
    if (!cueApplies(reading, view, cue, followsCue, preceding)) continue;
    const { holders, inherited } = holdersOf(reading, view, state, cue);
    const meant = holdersWhoMeanIt(text, view, holders, cue);
    if (meant.length > 0) observe(reading, view, state, cue, { holders: meant, inherited, preceding });
  }
  const carried = view.pronounLed ? reading.carriedHolder : undefined;
  const subject = view.pronounLed ? carried : view.fallbackHolder;
  attachConditions(reading, view, state, view.speaker ?? subject);
  if (view.lead) keepUndecided(reading, state);
  const firstHolder = view.speaker ?? state.lastHolders[0] ?? (view.pronounLed ? carried : view.mentions[0]);
  if (firstHolder && (!view.pronounLed || !reading.carriedHolder)) reading.carriedHolder = firstHolder;
}

/** Each party's stance in a text, read sentence by sentence from the language's cues and the story's matter. */
export function extractStances(input: StanceInput): StanceObservation[] {
  const mentions = partyMentions(input);
  if (mentions.length === 0) return [];
  const cues = collectCues(input.vocabulary, input.text, input.wordStarts, mentions);
  if (cues.length === 0) return [];
  const reading: Reading = {
    input,
    observations: [],
    conditionsByParty: new Map(),
    carriedHolder: undefined,
    undecidedInHeadline: new Set(),
  };
  const mentionCursor = { at: 0 };
  const cueCursor = { at: 0 };
  input.sentences.forEach((sentence, index) => {
    const sentenceMentions = within(mentions, mentionCursor, sentence);
    const sentenceCues = within(cues, cueCursor, sentence);
    readSentence(reading, viewSentence(reading, index, sentenceMentions, sentenceCues));
  });
  return mergeObservations(reading.observations, input.sentences, reading.conditionsByParty);
}
