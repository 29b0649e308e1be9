import type { StanceLabel, StanceObservation } from '../core/story';
import type { LexiconHit } from './lexicon';
import type { Sentence } from './text';

/**
 * Stance cues are language, not story: they are shared by every story. Each cue names how its holder
 * is found: 'subject' looks back for who acts, 'by' looks forward ("brokered by the US"), 'owner' takes
 * the party written right before it ("US-proposed", "Trump's plan"), 'speaker' takes who is quoted.
 */
type CueKind = 'subject' | 'by' | 'owner' | 'speaker';

/**
 * 'undecided' is a party deliberating ("is studying the proposal", "has not yet decided"): it is no position, and it
 * keeps the words that follow in the same sentence ("studying the proposed ceasefire") from being read as one.
 */
type CueLabel = StanceLabel | 'undecided';

interface CueRule {
  label: CueLabel;
  kind: CueKind;
  strength: number;
  /** The cue names its object itself ("ceasefire"), so the sentence needs no topic word. */
  selfContained?: boolean;
  pattern: string;
}

const L = '\\p{L}*';

const CUE_RULES: CueRule[] = [
  {
    label: 'supports',
    kind: 'by',
    strength: 0.75,
    pattern: `(?:proposed|brokered|backed|led|drafted|mediated|sponsored|spearheaded|pushed|offered|announced|declared|called|ordered) by`,
  },
  // deliberation before support: "studying the proposed truce" is not "proposed"
  {
    label: 'undecided',
    kind: 'subject',
    strength: 0.8,
    pattern: `stud(?:y|ies|ying|ied)|consider(?:s|ing|ed)?|weigh(?:s|ing|ed)?(?! in)|review(?:s|ing|ed)?|examin(?:e|es|ing|ed)|mull(?:s|ing|ed)?|ponder(?:s|ing|ed)?|assess(?:es|ing|ed)?|evaluat(?:e|es|ing|ed)|analy[sz](?:e|es|ing|ed)|look(?:s|ing)? (?:at|into|over)|(?:has|have|had) (?:not|n't|yet to) (?:yet )?(?:decided|decide|made up|responded|respond|given an answer)|(?:has|have|had)n['’]t (?:yet )?(?:decided|made up|responded)|yet to (?:decide|respond|give an answer|make up)|undecided|non-?committal|no decision|(?:изуча|изуч|рассматрива|рассмотр|обдумыва|взвешива|анализиру|вивча|вивч|розгляда|розглян|обмірковуе|обмірков|аналізу)${L}|не (?:принял${L}|приняли) решени${L}|ще не (?:ухвалив|ухвалила|ухвалили|вирішив|вирішила|вирішили)|пока не (?:решил${L}|определил${L}|ответил${L})`,
  },
  // conditional before support: "seeks amendments" must not read as "seeks"
  {
    label: 'conditional',
    kind: 'subject',
    strength: 0.8,
    pattern: `(?:sets?|setting|set out|setting out|lays? out|laid out|laying out|lists?|listing|names?|spell(?:s|ed|ing)? out|attach(?:es|ed)?|voices?|voiced|has|have|had|with) (?:\\p{L}+ ){0,2}?(?:conditions|demands|terms|caveats|doubts|reservations|preconditions)|demand(?:s|ed|ing)? (?:that )?(?:the )?(?:\\p{L}+(?:'s|’s)? ){1,3}?(?:withdraw|withdrawal|leave|cede|give up|drop|abandon|recogni[sz]e|recognition|hand over|pull out|renounce|disarm|demilitari[sz]e|demilitari[sz]ation|neutrality)|(?:goals|aims|demands|position|conditions|objectives) (?:all )?(?:remain|remains|are|is|stay|stays) (?:\\p{L}+ )?(?:unchanged|the same|in force)|if (?:\\p{L}+(?:'s|’s)? ){0,3}?(?:interests|concerns|demands|conditions|terms) (?:are|is|were|get) (?:\\p{L}+ )?(?:taken into account|met|respected|addressed|considered|guaranteed)|insist${L}|conditions?|caveats?|nuances?|preconditions?|in principle|root causes?|questions? (?:that )?(?:still |first )?(?:must|need|remain|to be|would have)|issues? (?:that )?(?:still |first )?(?:must|need|would have|to be)|only (?:if|after|when|once|at|on condition)|before any (?:\\p{L}+ )?(?:ceasefire|cease-fire|truce|deal|peace|talks|settlement|agreement)|(?:must|has to|have to|needs? to) first|(?:only )?(?:be |is |are |was )?(?:possible|acceptable|feasible) (?:only )?(?:if|after|when|once|with)|provided that|on condition|(?:wants?|seeks?|needs?|requires?|demands?|proposes?|proposed) (?:\\p{L}+ )?(?:changes|amendments|revisions)|counter-?proposals?|counter-?offers?`,
  },
  // supports
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.85,
    pattern: `accept(?:s|ed|ing)?|agree(?:s|d|ing)?|endors(?:es|ed|ing|e)|welcom(?:es|ed|ing|e)|back(?:s|ed|ing)?(?! (?:off|away|down|out))|support(?:s|ed|ing)?|demand(?:s|ed|ing)?|propos(?:es|ed|ing|e)|sign(?:s|ed)? up to|commit(?:s|ted)? to`,
  },
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.8,
    pattern: `(?:is |are |was |were |remains? |be )?(?:ready|willing|open|prepared|eager) (?:to|for)|pledg(?:es|ed|ing|e)|draft(?:s|ed|ing)?|call(?:s|ed|ing)? for|push(?:es|ed|ing)? for|press(?:es|ed|ing)? for|push(?:es|ed|ing)|seek(?:s|ing)?|sought|urg(?:es|ed|ing)|pressur(?:e|es|ed|ing)|broker(?:s|ed|ing)|mediat(?:es|ed|ing)|announc(?:es|ed|ing|e)|declar(?:es|ed|ing|e)|(?:looks?|looking|aims?|aiming|tries|trying|works?|working|hopes?|hoping|seeks?|seeking) to (?:secure|reach|broker|get|clinch|seal|achieve|end|strike|jump[- ]?start|revive|restart|kick[- ]?start)|jump[- ]?starts?|revives?|revived`,
  },
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.75,
    selfContained: true,
    pattern: `want(?:s|ed)? (?:a |an )?(?:\\p{L}+ )?(?:peace|ceasefire|cease-fire|truce)|(?:unconditional|comprehensive|full) (?:ceasefire|cease-fire|truce)|without (?:pre-?)?conditions|no military solution`,
  },
  {
    label: 'supports',
    kind: 'speaker',
    strength: 0.7,
    selfContained: true,
    pattern: `optimis${L}|hopeful|never been closer|(?:very much )?on track|within reach|(?:right|on) track|ball is (?:now )?in \\p{L}+(?:'s|’s)? court|productive|progress|could (?:happen|come|be reached|be agreed|be signed)|(?:is|was|are) (?:close|near|imminent)`,
  },
  {
    label: 'supports',
    kind: 'owner',
    strength: 0.7,
    pattern: `[-\\s](?:proposed|brokered|backed|led|drafted|mediated|sponsored)|(?:'s|’s) (?:\\p{L}+ ){0,2}?(?:proposals?|plans?|offers?|initiatives?|push|drive|framework|efforts|calls? for)|[-\\s](?:(?:ceasefire|cease-fire|truce|peace|\\d+-point|\\d+-day|new|draft|latest|initial|revised) ){0,2}(?:proposals?|plans?|offers?|initiatives?|framework)`,
  },
  // "any deal must include Russia", said by a party: a term it sets
  {
    label: 'conditional',
    kind: 'speaker',
    strength: 0.75,
    pattern: `(?:must|has to|have to|needs? to) (?:first |also )?(?:include|involve|take into account|address|recognise|recognize|reflect|eliminate|tackle)`,
  },
  {
    label: 'conditional',
    kind: 'owner',
    strength: 0.75,
    pattern: `(?:'s|’s) (?:\\p{L}+ )?(?:demands|conditions|terms|preconditions)`,
  },
  // opposes
  {
    label: 'opposes',
    kind: 'subject',
    strength: 0.85,
    pattern: `reject${L}|refus${L}|rebuff${L}|brush(?:es|ed)? (?:off|aside)|shrug(?:s|ged)? off|snub(?:s|bed)?|stonewall${L}|withst(?:and|ands|ood) (?:\\p{L}+ )?pressure|dismiss${L}|rule[sd]? out|ruling out|turn(?:s|ed)? down|spurn${L}|oppos(?:es|ed|ing|e)|scoff${L}|balk${L}|unacceptable|(?:continue|keep) (?:the )?fighting|(?:fight|fights|fighting) on|fighting (?:will )?continues?|until (?:its |all |their )?(?:\\p{L}+ )?goals|no (?:ceasefire|cease-fire|truce)`,
  },
  // Russian and Ukrainian
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.8,
    // verbs only: "предложение" / "пропозиція" is the thing on the table, not anyone backing it
    pattern: `поддерж${L}|согласил${L}|согласн${L}|соглас(?:ен|на|ны)|готов${L}|предложил${L}|предлага(?:ет|ют|л|ла|ли)|приветств${L}|підтрима${L}|підтриму${L}|погодил${L}|погодж${L}|погоди${L}|запропонува${L}|пропону(?:є|ють|вав|вала|вали)|вітає|вітали|привітал${L}`,
  },
  {
    label: 'conditional',
    kind: 'subject',
    strength: 0.8,
    pattern: `цел(?:и|ь) (?:\\p{L}+ ){0,2}?(?:неизменн${L}|остаются прежними|не изменил${L})|цілі (?:\\p{L}+ ){0,2}?(?:незмінн${L}|не змінил${L})|услови${L}|требова${L}|требу(?:ет|ют|ем)|нюанс${L}|умов${L}|вимаг${L}|первопричин${L}|только (?:после|при|если)|лише (?:після|за умови|якщо)|тільки (?:після|за умови|якщо)`,
  },
  {
    label: 'opposes',
    kind: 'subject',
    strength: 0.85,
    pattern: `отверг${L}|отказ${L}|неприемлем${L}|відкину${L}|відкида${L}|відхил${L}|відмов${L}|неприйнятн${L}`,
  },
];

// One scan for every cue; the group index tells which rule matched.
// Group i+1 always belongs to rule i; rules handled by the other regex get a never-matching group.
// Both are sticky: they are tried only where a cue can start (a word start, or right after a party's name).
const CUE_REGEX = new RegExp(
  CUE_RULES.map((rule) => (rule.kind === 'owner' ? '((?!))' : `(${rule.pattern})(?![\\p{L}\\p{N}])`)).join('|'),
  'iuy',
);
const OWNER_REGEX = new RegExp(
  CUE_RULES.map((rule) => (rule.kind === 'owner' ? `(${rule.pattern})(?![\\p{L}\\p{N}])` : '((?!))')).join('|'),
  'iuy',
);

const NEGATORS = new Set(['not', 'never', 'without', 'no', 'не', 'ні', 'ни']);
const NEGATING_VERBS = /^(?:refus|declin|unwilling|fail)/;
const HYPOTHETICALS = new Set([
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
const SPECULATION_WORDS = new Set([
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
const FUTURE_WORDS = new Set(['will', 'would', "won't", 'won’t', 'going', 'set', 'poised', 'будет', 'буде']);
// Outsiders whose reading of a party is commentary, never the party's own statement.
const COMMENTATORS =
  /(?<!\p{L})(?:analysts?|experts?|observers?|commentators?|pundits?|scholars?|historians?|sources|insiders?|аналитик\p{L}*|эксперт\p{L}*|наблюдател\p{L}*|источник\p{L}*|аналітик\p{L}*|експерт\p{L}*|спостерігач\p{L}*|джерел\p{L}*)(?!\p{L})/iu;
/** Confidence a forecast about a party keeps: below what classification keeps, so it never moves a stance. */
const SPECULATION_CONFIDENCE = 0.45;

/** The last few words before a cue, lower-cased, nearest last. Cheaper than an end-anchored regex per cue. */
function wordsBefore(before: string, count: number): string[] {
  const words = before.toLowerCase().split(/[^\p{L}'’]+/u);
  if (words[words.length - 1] === '') words.pop();
  return words.slice(-count);
}

function isNegated(words: string[]): boolean {
  const near = words.slice(-3);
  for (let index = 0; index < near.length; index++) {
    const word = near[index] as string;
    if (NEGATORS.has(word) || word.endsWith("n't") || word.endsWith('n’t')) return true;
    // "refused to accept", "declined to back"
    if (NEGATING_VERBS.test(word) && near[index + 1] === 'to') return true;
  }
  return false;
}

function isSpeculative(words: string[], commentary: boolean): boolean {
  return words.some((word) => SPECULATION_WORDS.has(word) || (commentary && FUTURE_WORDS.has(word)));
}

function isHypothetical(words: string[]): boolean {
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
const OBJECT_BEFORE_PARTY =
  /(?:\b(?:with|to|on|against|from|for|of|into|over|between|toward|towards|about|at|by|upon|demand\p{L}*(?: that)?|convince|persuade|push|pressure|pressed|urged?|help|force|get|make|let|allow|trust|blame\p{L}*|accus\p{L}*|want\p{L}*)|\b(?:meet(?:s|ing)?|met|call(?:s|ed|ing)?|host(?:s|ed|ing)?|visit(?:s|ed|ing)?|phon\p{L}*|hand(?:s|ed)?|g[ai]ves?|given|sen(?:ds|t)|offer(?:s|ed)|tell(?:s)?|told|show(?:s|ed)|present(?:s|ed)|deliver(?:s|ed)|submit(?:s|ted))|(?<!\p{L})(?:с|со|на|против|для|от|к|з|із|до|проти|від))\s+(?:the\s+|a\s+)?$/iu;
const SPEAKER_AFTER =
  /^\s*:|^(?:'s|’s)?\s*(?:(?!(?:but|and|or|while|as|who|which|that|than|и|но|а|і|та|але)\s)[\p{L}.-]+\s+){0,2}(?:has |have |had )?(?:said|says|say|saying|told|tells|warned|warns|stated|states|stressed|emphasi[sz]ed|added|insisted|claimed|announced|confirmed|noted|argued|wrote|posted|called|calls|described|hailed|заявил\p{L}*|сказал\p{L}*|сообщил\p{L}*|заявив\p{L}*|заявил|заявля\p{L}*|сказав\p{L}*|повідомив\p{L}*|наголосив\p{L}*)/iu;
// Only "according to X" and the inverted ', said X' name a speaker before the name; in "says Ukraine must"
// the name that follows is what is being talked about.
const SPEAKER_BEFORE =
  /(?:according to|[,"”'’]\s*(?:said|says|told|warned|stated|emphasi[sz]ed|stressed|заявил\p{L}*|сказал\p{L}*|заявив\p{L}*|сказав\p{L}*|повідомив\p{L}*|сообщил\p{L}*))\s+(?:\p{L}+\s+){0,3}$/iu;
const CLAUSE_BREAK =
  /[;:—–]|\s-\s|,\s*(?:but|while|whereas|although|though|as|and)\s|\s(?:but|while|whereas|although|though|yet|however)\s|\s(?:но|а|однак|але)\s/iu;
const CLAUSE_BREAKS = new RegExp(CLAUSE_BREAK.source, 'giu');
const PRONOUN_START =
  /^(?:\p{L}+,\s*)?(?:he|she|they|the (?:president|kremlin leader|spokesman|spokeswoman|minister|envoy|leader)|он|она|они|він|вона|вони)(?!\p{L})/iu;
const OBLIGATION_BETWEEN =
  /^(?:'s|’s)?\s+(?:\p{L}+\s+)?(?:must|should|has to|have to|needs? to|ought to|will have to|is obliged to|должн\p{L}*|обязан\p{L}*|повинн\p{L}*|має|мають)\s+(?:\p{L}+\s+)?$/iu;
const RETRACTION =
  /(?<!\p{L})(?:(?:backs?|backed|backing|walks?|walked|walking) (?:off|away|back)|drops?|dropped|dropping|abandons?|abandoned|abandoning|retreats? from|retreated from|steps? back from|stepped back from|stepping back from)(?!\p{L})/iu;
const QUESTION_END = /\?["”’]?\s*$/;

export interface PartyMention {
  party: string;
  start: number;
  end: number;
  selfSpeaker: boolean;
}

interface RawObservation {
  party: string;
  label: StanceLabel;
  confidence: number;
  sentenceIndex: number;
  direct: boolean;
  /** Someone's forecast of the party's position: kept only when nothing firmer is said about the party. */
  speculative: boolean;
}

export interface StanceInput {
  text: string;
  sentences: Sentence[];
  hits: LexiconHit[];
  /** Start offsets of the text's words: the only places a cue can begin. */
  wordStarts: readonly number[];
  /** Object words that make a sentence about the matter at hand (topic terms are always such words). */
  objectPattern: RegExp;
}

function eligibleAsHolder(text: string, sentenceStart: number, mention: PartyMention): boolean {
  // "Russia-Ukraine ceasefire": a hyphenated name modifies a noun, it does not act.
  if (text[mention.end] === '-' || text[mention.start - 1] === '-') return false;
  const before = text.slice(Math.max(sentenceStart, mention.start - 30), mention.start);
  return !OBJECT_BEFORE_PARTY.test(before);
}

function clauseStartBefore(text: string, from: number, position: number): number {
  const segment = text.slice(from, position);
  let last = -1;
  for (const match of segment.matchAll(CLAUSE_BREAKS)) last = match.index + match[0].length;
  return last < 0 ? from : from + last;
}

/** The party a "said/according to" construction in the sentence gives as speaker. */
function sentenceSpeaker(text: string, sentence: Sentence, mentions: PartyMention[]): PartyMention | undefined {
  for (const mention of mentions) {
    const after = text.slice(mention.end, Math.min(sentence.end, mention.end + 60));
    if (SPEAKER_AFTER.test(after)) return mention;
    const before = text.slice(Math.max(sentence.start, mention.start - 40), mention.start);
    if (SPEAKER_BEFORE.test(before)) return mention;
  }
  return undefined;
}

/** Adds the partner of a coordinated subject: "Russia and Ukraine agreed" gives both. */
function withCoordinated(text: string, mentions: PartyMention[], index: number): PartyMention[] {
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

const NOUN_AFTER_STORY_WORD = /(?:cease-?fire|truce|peace|talks)\s+$/i;
const BARE_NOUN_CUE = /^(?:support|pressure|push|demand|backing|call)$/i;

/**
 * Rejects cue words used as nouns: after a possessive ("Putin's support"), inside a compound
 * ("ceasefire demand", "Moscow-declared"), straight after a name ("U.S. support"), or passive ("backed by").
 */
function subjectCueIsVerb(text: string, cue: Cue, before: string, mentions: PartyMention[]): boolean {
  if (/(?:'s|’s)\s+$/.test(before) || before.endsWith('-')) return false;
  // "ceasefire demand" is a compound noun; "ceasefire only if" is still a condition
  if (NOUN_AFTER_STORY_WORD.test(before) && !text.slice(cue.start, cue.end).includes(' ')) return false;
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
function objectFollows(text: string, cue: Cue, sentence: Sentence, hits: LexiconHit[], objectPattern: RegExp): boolean {
  const limit = Math.min(sentence.end, cue.end + 90);
  const window = text.slice(cue.end, limit);
  const clauseEnd = window.search(CLAUSE_BREAK);
  const scope = clauseEnd >= 0 ? window.slice(0, clauseEnd) : window;
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

interface Cue {
  rule: CueRule;
  start: number;
  end: number;
}

function cueAt(regex: RegExp, text: string, position: number): Cue | undefined {
  regex.lastIndex = position;
  const match = regex.exec(text);
  if (match === null || match[0] === '') return undefined;
  for (let group = 1; group < match.length; group++) {
    if (match[group] === undefined) continue;
    const rule = CUE_RULES[group - 1];
    return rule ? { rule, start: position, end: position + match[0].length } : undefined;
  }
  return undefined;
}

function collectCues(text: string, wordStarts: readonly number[], mentions: readonly PartyMention[]): Cue[] {
  const cues: Cue[] = [];
  let skipUntil = -1;
  for (const start of wordStarts) {
    if (start < skipUntil) continue;
    const cue = cueAt(CUE_REGEX, text, start);
    if (cue) {
      cues.push(cue);
      skipUntil = cue.end;
    }
  }
  for (const mention of mentions) {
    // "U.S.-led": the abbreviation's closing dot sits between the name and the cue.
    const cue = cueAt(OWNER_REGEX, text, text[mention.end] === '.' ? mention.end + 1 : mention.end);
    if (cue) cues.push(cue);
  }
  cues.sort((a, b) => a.start - b.start);
  return cues;
}

export function extractStances(input: StanceInput): StanceObservation[] {
  const { text, sentences, hits } = input;
  const mentionsAll: PartyMention[] = [];
  for (const hit of hits) {
    if (hit.roles.party !== undefined) {
      mentionsAll.push({
        party: hit.roles.party,
        start: hit.start,
        end: hit.end,
        selfSpeaker: !!hit.roles.selfSpeaker,
      });
    }
  }
  if (mentionsAll.length === 0) return [];
  const cues = collectCues(text, input.wordStarts, mentionsAll);
  if (cues.length === 0) return [];

  const observations: RawObservation[] = [];
  const conditionsByParty = new Map<string, Set<string>>();
  let carriedHolder: PartyMention | undefined;
  // A headline saying a party is still deliberating is the news; what the body adds about its past moves is background.
  let undecidedInHeadline = new Set<string>();
  let mentionCursor = 0;
  let cueCursor = 0;
  for (let sentenceIndex = 0; sentenceIndex < sentences.length; sentenceIndex++) {
    const sentence = sentences[sentenceIndex] as Sentence;
    while (mentionCursor < mentionsAll.length && (mentionsAll[mentionCursor] as PartyMention).start < sentence.start)
      mentionCursor++;
    const mentions: PartyMention[] = [];
    for (let i = mentionCursor; i < mentionsAll.length; i++) {
      const mention = mentionsAll[i] as PartyMention;
      if (mention.start >= sentence.end) break;
      mentions.push(mention);
    }
    while (cueCursor < cues.length && (cues[cueCursor] as Cue).start < sentence.start) cueCursor++;
    const sentenceCues: Cue[] = [];
    for (let i = cueCursor; i < cues.length; i++) {
      const cue = cues[i] as Cue;
      if (cue.start >= sentence.end) break;
      sentenceCues.push(cue);
    }

    const speaker = sentenceSpeaker(text, sentence, mentions);
    const pronounLed = PRONOUN_START.test(sentence.text);
    const subjectMention = mentions.find(
      (mention) => mention.start - sentence.start <= 30 && eligibleAsHolder(text, sentence.start, mention),
    );
    const fallbackHolder = speaker ?? (pronounLed ? carriedHolder : subjectMention);
    const onTopic =
      hits.some(
        (hit) => hit.roles.topicWeight !== undefined && hit.start >= sentence.start && hit.start < sentence.end,
      ) || input.objectPattern.test(sentence.text);
    const isQuestion = QUESTION_END.test(sentence.text);
    // Commentators speak for themselves: nothing they say about a party is the party's own statement.
    const commentary = COMMENTATORS.test(sentence.text) && !(speaker?.selfSpeaker ?? false);
    const undecided = new Set<string>();
    let lastHolders: PartyMention[] = [];
    let previousCueEnd = -1;
    const heldCues: { start: number; holder: PartyMention }[] = [];

    for (const cue of sentenceCues) {
      const followsCue = previousCueEnd >= 0 && cue.start - previousCueEnd <= 25;
      previousCueEnd = cue.end;
      if (!onTopic && !cue.rule.selfContained) continue;
      // "not ready to accept an unconditional truce": the object's adjective is not a second stance.
      if (cue.rule.selfContained && cue.rule.kind === 'subject' && followsCue) continue;
      const before = text.slice(Math.max(sentence.start, cue.start - 40), cue.start);
      const preceding = wordsBefore(before, 5);
      if (isHypothetical(preceding)) continue;
      if (isQuestion && cue.rule.kind !== 'owner' && cue.rule.kind !== 'by') continue;
      if (cue.rule.kind === 'subject' && !subjectCueIsVerb(text, cue, before, mentions)) continue;
      if (
        cue.rule.kind === 'subject' &&
        cue.rule.label !== 'conditional' &&
        !cue.rule.selfContained &&
        !objectFollows(text, cue, sentence, hits, input.objectPattern)
      ) {
        continue;
      }

      let holders: PartyMention[] = [];
      let inherited = false;
      if (cue.rule.kind === 'owner') {
        const ownerIndex = mentions.findIndex(
          (mention) => cue.start - mention.end >= 0 && cue.start - mention.end <= 1,
        );
        if (ownerIndex >= 0) holders = withCoordinated(text, mentions, ownerIndex);
      } else if (cue.rule.kind === 'by') {
        const afterIndex = mentions.findIndex(
          (mention) =>
            mention.start >= cue.end &&
            mention.start - cue.end <= 12 &&
            /^\s*(?:the\s+|a\s+)?$/i.test(text.slice(cue.end, mention.start)),
        );
        if (afterIndex >= 0) holders = withCoordinated(text, mentions, afterIndex);
      } else if (cue.rule.kind === 'speaker') {
        // "Trump says talks will start, as Putin says efforts are on the right track": the nearer speaker
        const clauseStart = clauseStartBefore(text, sentence.start, cue.start);
        const clauseSpeaker = mentions.find(
          (mention) =>
            mention.start >= clauseStart &&
            mention.end <= cue.start &&
            SPEAKER_AFTER.test(text.slice(mention.end, Math.min(sentence.end, mention.end + 60))),
        );
        if (clauseSpeaker) holders = [clauseSpeaker];
        else if (speaker) holders = [speaker];
        else if (pronounLed && carriedHolder) holders = [carriedHolder];
      } else {
        const clauseStart = clauseStartBefore(text, sentence.start, cue.start);
        for (let i = mentions.length - 1; i >= 0; i--) {
          const mention = mentions[i] as PartyMention;
          if (mention.end > cue.start || mention.start < clauseStart) continue;
          if (!eligibleAsHolder(text, sentence.start, mention)) continue;
          holders = withCoordinated(text, mentions, i);
          break;
        }
        if (holders.length === 0) {
          if (lastHolders.length > 0) holders = lastHolders;
          else if (fallbackHolder) holders = [fallbackHolder];
          inherited = true;
        }
      }
      // "Ukraine must accept concessions, Vance says": an obligation put on a party is someone else's demand.
      // "Trump backs off his demand that Russia declare a truce": a position being dropped is no longer held.
      holders = holders.filter((holder) => {
        const between = text.slice(holder.end, Math.max(holder.end, cue.start));
        if (RETRACTION.test(between)) return false;
        return (speaker?.party === holder.party && holder.start >= speaker.start) || !OBLIGATION_BETWEEN.test(between);
      });
      if (holders.length === 0) continue;

      const negated = isNegated(preceding);
      if (cue.rule.label === 'undecided') {
        // "not considering a truce" is a refusal in other words; left to the other cues rather than guessed
        if (negated) continue;
        for (const holder of holders) undecided.add(holder.party);
        lastHolders = holders;
        continue;
      }
      let label: StanceLabel = cue.rule.label;
      let confidence = cue.rule.strength - (inherited ? 0.1 : 0);
      if (negated) {
        if (label === 'supports') label = 'opposes';
        else if (label === 'opposes') label = 'conditional';
        else continue;
        confidence -= 0.1;
      }
      if (sentenceIndex === 0) confidence += 0.05;
      const speculative = isSpeculative(preceding, commentary);
      for (const holder of holders) {
        // Deliberating is not deciding: only its terms ("yes, if") say something about the party yet.
        if (label !== 'conditional' && (undecided.has(holder.party) || undecidedInHeadline.has(holder.party))) continue;
        const direct =
          !speculative &&
          !commentary &&
          (holder.selfSpeaker || (speaker !== undefined && speaker.party === holder.party && speaker.selfSpeaker));
        observations.push({
          party: holder.party,
          label,
          confidence: speculative ? Math.min(SPECULATION_CONFIDENCE, confidence) : Math.min(0.95, confidence),
          sentenceIndex,
          direct,
          speculative,
        });
      }
      // "Trump's plan", "brokered by the US": the owner modifies a noun and is not who the next verb is about
      if (cue.rule.kind !== 'owner' && cue.rule.kind !== 'by') {
        lastHolders = holders;
        heldCues.push({ start: cue.start, holder: holders[0] as PartyMention });
      }
    }
    // A condition belongs to whoever holds the nearest stance before it in the sentence
    // ("Kyiv is ready; the Kremlin insists on monitoring"), else to the speaker or the subject.
    const sentenceHolder = speaker ?? (pronounLed ? carriedHolder : subjectMention);
    for (const hit of hits) {
      if (hit.start < sentence.start || hit.start >= sentence.end || hit.roles.condition === undefined) continue;
      let holder = sentenceHolder;
      for (const held of heldCues) if (held.start <= hit.start) holder = held.holder;
      if (!holder) continue;
      const set = conditionsByParty.get(holder.party) ?? new Set<string>();
      set.add(hit.roles.condition);
      conditionsByParty.set(holder.party, set);
    }
    if (sentenceIndex === 0) undecidedInHeadline = undecided;
    const firstHolder = speaker ?? lastHolders[0] ?? (pronounLed ? carriedHolder : mentions[0]);
    if (firstHolder && (!pronounLed || !carriedHolder)) carriedHolder = firstHolder;
  }
  return mergeObservations(observations, sentences, conditionsByParty);
}

function mergeObservations(
  observations: RawObservation[],
  sentences: Sentence[],
  conditionsByParty: Map<string, Set<string>>,
): StanceObservation[] {
  const byParty = new Map<string, RawObservation[]>();
  for (const observation of observations) {
    const list = byParty.get(observation.party) ?? [];
    list.push(observation);
    byParty.set(observation.party, list);
  }
  const result: StanceObservation[] = [];
  for (const [party, all] of byParty) {
    const firm = all.filter((entry) => !entry.speculative);
    const list = firm.length > 0 ? firm : all;
    const best = (label: StanceLabel) =>
      list.filter((entry) => entry.label === label).sort((a, b) => b.confidence - a.confidence)[0];
    const supports = best('supports');
    const conditional = best('conditional');
    const opposes = best('opposes');
    let chosen: RawObservation | undefined;
    let confidence = 0;
    if (conditional && (!opposes || conditional.confidence >= opposes.confidence - 0.1)) {
      // "Yes, but": support plus conditions from the same party is the conditional stance.
      chosen = conditional;
      confidence = Math.min(0.95, conditional.confidence + (supports ? 0.05 : 0));
    } else if (supports && opposes) {
      const gap = supports.confidence - opposes.confidence;
      if (Math.abs(gap) < 0.05 && supports.sentenceIndex !== 0 && opposes.sentenceIndex !== 0) continue;
      chosen = gap >= 0 ? supports : opposes;
      confidence = Math.max(0.3, chosen.confidence - 0.2);
    } else {
      chosen = supports ?? opposes;
      confidence = chosen?.confidence ?? 0;
    }
    if (!chosen) continue;
    result.push({
      party,
      label: chosen.label,
      confidence: Math.round(confidence * 100) / 100,
      evidence: sentences[chosen.sentenceIndex]?.text ?? '',
      // Conditions belong to a "yes, but" or a refusal; on plain support they would be noise.
      conditions: chosen.label === 'supports' ? [] : [...(conditionsByParty.get(party) ?? [])].sort(),
      direct: list.some((entry) => entry.direct && entry.label === chosen.label),
    });
  }
  return result;
}
