import type { Cue, StanceVocabulary } from './cues';
import type { LexiconHit } from './lexicon';
import { CLAUSE_BREAK, type PartyMention, TIME_CLAUSE, TIME_WORD_BEFORE } from './stance-context';
import type { Sentence } from './text';

/**
 * Whether a cue word acts as a verb where it stands, and whether what it is about is the matter on the table: the
 * reach of a cue over the words around it. Language only, like the rest of the stance reading.
 */

const BARE_NOUN_CUE = /^(?:support|pressure|push|demand|backing|call)$/i;

/**
 * Rejects cue words used as nouns: after a possessive ("Putin's support"), inside a compound
 * ("ceasefire demand", "Moscow-declared"), straight after a name ("U.S. support"), passive ("backed by"), or naming
 * a moment ("amid pressure", "before the announced truce").
 */
export function subjectCueIsVerb(
  text: string,
  cue: Cue,
  before: string,
  mentions: PartyMention[],
  vocabulary: StanceVocabulary,
): boolean {
  if (/(?:'s|’s)\s+$/.test(before) || before.endsWith('-')) return false;
  // "before the announced truce": a participle after a time word dates something; "after agreeing" still acts
  if (TIME_WORD_BEFORE.test(before) && !/ing$/i.test(text.slice(cue.start, cue.end))) return false;
  // "ceasefire demand" is a compound noun; "ceasefire only if" is still a condition
  if (vocabulary.matterBefore.test(before) && !text.slice(cue.start, cue.end).includes(' ')) return false;
  if (/^\s+by\s/i.test(text.slice(cue.end, cue.end + 4))) return false;
  if (BARE_NOUN_CUE.test(text.slice(cue.start, cue.end))) {
    if (mentions.some((mention) => mention.end <= cue.start && /^\s+$/.test(text.slice(mention.end, cue.start)))) {
      return false;
    }
    if (/\b(?:his|her|their|its|the|a|an|for|of|and)\s+$/i.test(before)) return false;
  }
  return true;
}

const PRONOUN_OBJECT = /^\s*(?:to\s+)?(?:it|this|that|the idea|to do so|so)\b/i;

/** A support or refusal counts only when what is accepted or refused is the matter on the table. */
export function objectFollows(
  text: string,
  cue: Cue,
  sentence: Sentence,
  hits: LexiconHit[],
  objectPattern: RegExp,
): boolean {
  const limit = Math.min(sentence.end, cue.end + 90);
  const window = text.slice(cue.end, limit);
  const ends = [window.search(CLAUSE_BREAK), window.search(TIME_CLAUSE)].filter((end) => end >= 0);
  const scope = ends.length > 0 ? window.slice(0, Math.min(...ends)) : window;
  if (PRONOUN_OBJECT.test(scope) || objectPattern.test(scope)) return true;
  let scopeStart = cue.start;
  // "the ceasefire Ukraine had agreed to.": at the end of a clause the object came before the cue.
  if (/^\s*(?:to|with|for|on|so)?[\s\p{P}]*$/iu.test(scope)) scopeStart = Math.max(sentence.start, cue.start - 60);
  const scopeEnd = cue.end + scope.length;
  // The cue phrase itself may carry the object ("ready for talks").
  return hits.some(
    (hit) =>
      hit.roles.topicWeight !== undefined &&
      hit.roles.topicWeight >= 0.6 &&
      hit.start >= scopeStart &&
      hit.start < scopeEnd,
  );
}
