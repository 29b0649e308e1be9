import type { Sentence } from './text';

/**
 * How English, Russian and Ukrainian mark who is speaking, who is the object of pressure, negation, hedging and
 * forecasts around a stance cue. Language only: nothing here knows a story.
 */

export interface PartyMention {
  party: string;
  start: number;
  end: number;
  selfSpeaker: boolean;
  /** A people's adjective before a noun that does not speak for the party ("Russian drones"): see namesAThing. */
  describesOnly?: boolean;
}

export const NEGATORS = new Set(['not', 'never', 'without', 'no', 'не', 'ні', 'ни']);
export const NEGATING_VERBS = /^(?:refus|declin|unwilling|fail)/;
export const HYPOTHETICALS = new Set([
  'if',
  'whether',
  'unless',
  'should',
  'could',
  'might',
  'may',
  'если',
  'якщо',
  'чи',
  'ли',
]);

// Forecasts: someone expecting a party to act is not the party acting.
export const SPECULATION_WORDS = new Set([
  'likely',
  'unlikely',
  'expected',
  'expect',
  'expects',
  'expecting',
  'probably',
  'possibly',
  'perhaps',
  'presumably',
  'poised',
  'predict',
  'predicts',
  'predicted',
  'believed',
  'thought',
  'вероятно',
  'скорее',
  'видимо',
  'ожидается',
  'ожидают',
  'может',
  'могут',
  'ймовірно',
  'мабуть',
  'очікується',
  'очікують',
  'може',
  'можуть',
]);
// In a commentator's sentence a future tense is a forecast: "analysts say Moscow will reject".
export const FUTURE_WORDS = new Set(['will', 'would', "won't", 'won’t', 'going', 'set', 'poised', 'будет', 'буде']);
// Outsiders whose reading of a party is commentary, never the party's own statement.
export const COMMENTATORS =
  /(?<!\p{L})(?:analysts?|experts?|observers?|commentators?|pundits?|scholars?|historians?|sources|insiders?|аналитик\p{L}*|эксперт\p{L}*|наблюдател\p{L}*|источник\p{L}*|аналітик\p{L}*|експерт\p{L}*|спостерігач\p{L}*|джерел\p{L}*)(?!\p{L})/iu;
/** Confidence a forecast about a party keeps: below what classification keeps, so it never moves a stance. */
export const SPECULATION_CONFIDENCE = 0.45;

/** The last few words before a cue, lower-cased, nearest last. Cheaper than an end-anchored regex per cue. */
export function wordsBefore(before: string, count: number): string[] {
  const words = before.toLowerCase().split(/[^\p{L}'’]+/u);
  if (words[words.length - 1] === '') words.pop();
  return words.slice(-count);
}

export function isNegated(words: string[]): boolean {
  const near = words.slice(-3);
  for (let index = 0; index < near.length; index++) {
    const word = near[index] as string;
    if (NEGATORS.has(word) || word.endsWith("n't") || word.endsWith('n’t')) return true;
    // "refused to accept", "declined to back"
    if (NEGATING_VERBS.test(word) && near[index + 1] === 'to') return true;
  }
  return false;
}

export function isSpeculative(words: string[], commentary: boolean): boolean {
  return words.some((word) => SPECULATION_WORDS.has(word) || (commentary && FUTURE_WORDS.has(word)));
}

export function isHypothetical(words: string[]): boolean {
  const near = words.slice(-4);
  for (let index = 0; index < near.length; index++) {
    const word = near[index] as string;
    if (HYPOTHETICALS.has(word)) return true;
    // "failed to agree" is nobody's position, nor is "stepping back from trying to end the war"
    if (word.startsWith('fail') && near[index + 1] === 'to') return true;
    if ((word === 'back' || word === 'away' || word === 'off') && near[index + 1] === 'from') return true;
  }
  return false;
}

// Someone being pushed toward a position does not hold it: "pressure on Russia to accept".
export const OBJECT_BEFORE_PARTY =
  /(?:\b(?:with|to|on|against|from|for|of|into|over|between|toward|towards|about|at|by|upon|demand\p{L}*(?: that)?|convince|persuade|ask(?:s|ed|ing)?|push|pressure|pressed|urged?|help|force|get|make|let|allow|trust|blame\p{L}*|accus\p{L}*|want\p{L}*)|\b(?:meet(?:s|ing)?|met|call(?:s|ed|ing)?|host(?:s|ed|ing)?|visit(?:s|ed|ing)?|phon\p{L}*|hand(?:s|ed)?|g[ai]ves?|given|sen(?:ds|t)|offer(?:s|ed)|tell(?:s)?|told|show(?:s|ed)|present(?:s|ed)|deliver(?:s|ed)|submit(?:s|ted))|(?<!\p{L})(?:с|со|на|против|для|от|к|з|із|до|проти|від))\s+(?:the\s+|a\s+)?$/iu;
export const SPEAKER_AFTER =
  /^\s*:|^(?:'s|’s)?\s*(?:(?!(?:but|and|or|while|as|who|which|that|than|и|но|а|і|та|але)\s)[\p{L}.-]+\s+){0,2}(?:has |have |had )?(?:said|says|say|saying|told|tells|warned|warns|stated|states|stressed|emphasi[sz]ed|added|insisted|claimed|announced|confirmed|noted|argued|wrote|posted|signal(?:l?ed|s|l?ing)|called|calls|described|hailed|заявил\p{L}*|сказал\p{L}*|сообщил\p{L}*|заявив\p{L}*|заявил|заявля\p{L}*|сказав\p{L}*|повідомив\p{L}*|наголосив\p{L}*)/iu;
// Only "according to X" and the inverted ', said X' name a speaker before the name; in "says Ukraine must"
// the name that follows is what is being talked about.
export const SPEAKER_BEFORE =
  /(?:according to|[,"”'’]\s*(?:said|says|told|warned|stated|emphasi[sz]ed|stressed|заявил\p{L}*|сказал\p{L}*|заявив\p{L}*|сказав\p{L}*|повідомив\p{L}*|сообщил\p{L}*))\s+(?:\p{L}+\s+){0,3}$/iu;
export const CLAUSE_BREAK =
  /[;:—–]|\s-\s|,\s*(?:but|while|whereas|although|though|as|and)\s|\s(?:but|while|whereas|although|though|yet|however)\s|\s(?:но|а|однак|але)\s/iu;
export const CLAUSE_BREAKS = new RegExp(CLAUSE_BREAK.source, 'giu');
/**
 * A time clause: what a demand or an acceptance is about ends where the sentence turns to when things happen
 * ("urges allies to press Moscow ahead of the talks": the talks are a date, not what is urged).
 */
export const TIME_CLAUSE =
  /\s(?:until|till|before|after|when|whenever|once|as soon as|while|during|ahead of|amid|amidst|by the time|пока|перед|после|когда|как только|во время|в ходе|накануне|поки|доки|після|коли|щойно|як тільки|під час|напередодні)(?!\p{L})/iu;
// Right after a time word, a cue word names the moment ("before the announced truce"), not anyone's act.
export const TIME_WORD_BEFORE =
  /(?<!\p{L})(?:until|till|before|after|since|during|ahead of|amid|amidst|перед|после|накануне|після|напередодні)\s+(?:the\s+|a\s+|an\s+)?$/iu;
export const PRONOUN_START =
  /^(?:\p{L}+,\s*)?(?:he|she|they|the (?:president|spokesman|spokeswoman|minister|leader)|он|она|они|він|вона|вони)(?!\p{L})/iu;
export const OBLIGATION_BETWEEN =
  /^(?:'s|’s)?\s+(?:\p{L}+\s+)?(?:must|should|has to|have to|needs? to|ought to|will have to|is obliged to|должн\p{L}*|обязан\p{L}*|повинн\p{L}*|має|мають)\s+(?:\p{L}+\s+)?$/iu;
export const RETRACTION =
  /(?<!\p{L})(?:(?:backs?|backed|backing|walks?|walked|walking) (?:off|away|back)|drops?|dropped|dropping|abandons?|abandoned|abandoning|retreats? from|retreated from|steps? back from|stepped back from|stepping back from)(?!\p{L})/iu;
export const QUESTION_END = /\?["”’]?\s*$/;

// A people's adjective: "Russian", "Ukrainian", "Chinese", "British", "French"; "российские", "українська".
// Russian and Ukrainian write them lower-case, which keeps out surnames of the same shape ("Зеленский").
const PEOPLE_ADJECTIVE =
  /^\p{Lu}\p{L}*(?:ian|ean|can|ese|ish|ench|utch|erman)$|^\p{Ll}\p{L}*(?:с|сь)к(?:ий|ая|ое|ие|ого|ой|ую|их|им|ими|ом|ому|а|е|і|ої|у|ій)$/u;
// Who speaks for a state, up to two words after the adjective ("Russian deputy foreign minister").
const SPEAKING_ROLE =
  /^\s+(?:[\p{L}-]+\s+){0,2}?(?:presiden\p{L}*|prime|premier|chancellor|foreign|defen[cs]e|minist\p{L}*|government\p{L}*|officials?|authorit\p{L}*|leader\p{L}*|delegat\p{L}*|diplomat\p{L}*|ambassador\p{L}*|embass\p{L}*|spokes\p{L}*|side|parliament\p{L}*|lawmakers?|counterparts?|army|military|command\p{L}*|administration|cabinet|президент\p{L}*|министр\p{L}*|міністр\p{L}*|мид|мзс|правительств\p{L}*|уряд\p{L}*|власт\p{L}*|влад\p{L}*|делегац\p{L}*|переговір\p{L}*|дипломат\p{L}*|посол\p{L}*|посл[аоі]\p{L}*|сторон\p{L}*|лидер\p{L}*|лідер\p{L}*|представ\p{L}*|официальн\p{L}*|офіційн\p{L}*|руководств\p{L}*|керівництв\p{L}*|командован\p{L}*|командуван\p{L}*|арми\p{L}*|армі\p{L}*|военн\p{L}*|військов\p{L}*|парламент\p{L}*)(?!\p{L})/iu;
const NEXT_WORD = /^\s+(?!(?:and|or|и|или|і|та|чи|або)(?!\p{L}))\p{L}/iu;

/**
 * "Russian drones", "a Ukrainian man", "российские удары": a people's adjective before a noun says where a thing
 * or a person comes from, not that the party acts or speaks. Only a word for who speaks for a state after it
 * ("Russian officials", "the Ukrainian side", "Russian Foreign Minister") makes it the party; `storyRoles`
 * adds the story's own words for who talks (its `contact` and `matter`: "Russian envoys", "Russian negotiators").
 */
export function namesAThing(text: string, mention: { start: number; end: number }, storyRoles: RegExp): boolean {
  if (!PEOPLE_ADJECTIVE.test(text.slice(mention.start, mention.end))) return false;
  const after = text.slice(mention.end, mention.end + 60);
  return NEXT_WORD.test(after) && !SPEAKING_ROLE.test(after) && !storyRoles.test(after);
}

export function eligibleAsHolder(text: string, sentenceStart: number, mention: PartyMention): boolean {
  // "Russia-Ukraine ceasefire": a hyphenated name modifies a noun, it does not act.
  if (text[mention.end] === '-' || text[mention.start - 1] === '-') return false;
  if (mention.describesOnly) return false;
  const before = text.slice(Math.max(sentenceStart, mention.start - 30), mention.start);
  return !OBJECT_BEFORE_PARTY.test(before);
}

export function clauseStartBefore(text: string, from: number, position: number): number {
  const segment = text.slice(from, position);
  let last = -1;
  for (const match of segment.matchAll(CLAUSE_BREAKS)) last = match.index + match[0].length;
  return last < 0 ? from : from + last;
}

/** The party a "said/according to" construction in the sentence gives as speaker. */
export function sentenceSpeaker(text: string, sentence: Sentence, mentions: PartyMention[]): PartyMention | undefined {
  for (const mention of mentions) {
    if (mention.describesOnly) continue;
    const after = text.slice(mention.end, Math.min(sentence.end, mention.end + 60));
    if (SPEAKER_AFTER.test(after)) return mention;
    const before = text.slice(Math.max(sentence.start, mention.start - 40), mention.start);
    if (SPEAKER_BEFORE.test(before)) return mention;
  }
  return undefined;
}

/** Adds the partner of a coordinated subject: "Russia and Ukraine agreed" gives both. */
export function withCoordinated(text: string, mentions: PartyMention[], index: number): PartyMention[] {
  const holder = mentions[index];
  if (!holder) return [];
  const result = [holder];
  const previous = mentions[index - 1];
  if (previous && previous.party !== holder.party) {
    const between = text.slice(previous.end, holder.start);
    if (/^(?:'s|’s)?\s*(?:and|&|и|і|та)\s+(?:the\s+)?$/iu.test(between)) result.push(previous);
  }
  const next = mentions[index + 1];
  if (next && next.party !== holder.party) {
    const between = text.slice(holder.end, next.start);
    if (/^\s*(?:and|&|и|і|та)\s+(?:the\s+)?$/iu.test(between)) result.push(next);
  }
  return result;
}
