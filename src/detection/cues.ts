import type { StanceLabel } from '../core/story';
import type { PartyMention } from './stance-context';
import type { StoryDefinition } from './story';

/**
 * Stance cues are language, not story: how English, Russian and Ukrainian say that someone accepts, rejects or
 * sets terms. What the cues are about comes from the story: `@MATTER@` in a pattern stands for the story's
 * `matter` (the thing on the table), and the `@…_PHRASES@` slots take the story's own `stancePhrases`.
 * Each cue names how its holder is found: 'subject' looks back for who acts, 'by' looks forward ("brokered by
 * the mayor"), 'owner' takes the party written right before it ("X-proposed", "X's plan"), 'speaker' takes who
 * is quoted.
 */
export type CueKind = 'subject' | 'by' | 'owner' | 'speaker';

/**
 * 'undecided' is a party deliberating ("is studying the proposal", "has not yet decided"): it is no position, and it
 * keeps the words that follow in the same sentence ("studying the proposed deal") from being read as one.
 */
export type CueLabel = StanceLabel | 'undecided';

export interface CueRule {
  label: CueLabel;
  kind: CueKind;
  strength: number;
  /** The cue names its object itself ("wants a deal"), so the sentence needs no topic word. */
  selfContained?: boolean;
  pattern: string;
}

const L = '\\p{L}*';

const CUE_RULES: readonly CueRule[] = [
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
    pattern: `(?:sets?|setting|set out|setting out|lays? out|laid out|laying out|lists?|listing|names?|spell(?:s|ed|ing)? out|attach(?:es|ed)?|voices?|voiced|has|have|had|with) (?:\\p{L}+ ){0,2}?(?:conditions|demands|terms|caveats|doubts|reservations|preconditions)|demand(?:s|ed|ing)? (?:that )?(?:the )?(?:\\p{L}+(?:'s|’s)? ){1,3}?(?:withdraw|withdrawal|leave|cede|give up|drop|abandon|recogni[sz]e|recognition|hand over|pull out|renounce|disarm|demilitari[sz]e|demilitari[sz]ation)|(?:goals|aims|demands|position|conditions|objectives) (?:all )?(?:remain|remains|are|is|stay|stays) (?:\\p{L}+ )?(?:unchanged|the same|in force)|if (?:\\p{L}+(?:'s|’s)? ){0,3}?(?:interests|concerns|demands|conditions|terms) (?:are|is|were|get) (?:\\p{L}+ )?(?:taken into account|met|respected|addressed|considered|guaranteed)|insist${L}|conditions?|caveats?|nuances?|preconditions?|in principle|questions? (?:that )?(?:still |first )?(?:must|need|remain|to be|would have)|issues? (?:that )?(?:still |first )?(?:must|need|would have|to be)|only (?:if|after|when|once|at|on condition)|before any (?:\\p{L}+ )?(?:@MATTER@)|(?:must|has to|have to|needs? to) first|(?:only )?(?:be |is |are |was )?(?:possible|acceptable|feasible) (?:only )?(?:if|after|when|once|with)|provided that|on condition|(?:wants?|seeks?|needs?|requires?|demands?|proposes?|proposed) (?:\\p{L}+ )?(?:changes|amendments|revisions)|counter-?proposals?|counter-?offers?|@CONDITIONAL_PHRASES@`,
  },
  // supports
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.85,
    pattern: `accept(?:s|ed|ing)?|agree(?:s|d|ing)?|endors(?:es|ed|ing|e)|welcom(?:es|ed|ing|e)|back(?:s|ed|ing)?(?! (?:off|away|down|out|from))|support(?:s|ed|ing)?|demand(?:s|ed|ing)?|propos(?:es|ed|ing|e)|sign(?:s|ed)? up to|commit(?:s|ted)? to`,
  },
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.8,
    pattern: `(?:is |are |was |were |remains? |be )?(?:ready|willing|open|prepared|eager) (?:to|for)|pledg(?:es|ed|ing|e)|draft(?:s|ed|ing)?|call(?:s|ed|ing)? for|push(?:es|ed|ing)? for|press(?:es|ed|ing)? for|push(?:es|ed|ing)|seek(?:s|ing)?|sought|urg(?:es|ed|ing)|pressur(?:e|es|ed|ing)|broker(?:s|ed|ing)|mediat(?:es|ed|ing)|announc(?:es|ed|ing|e)|declar(?:es|ed|ing|e)|(?:looks?|looking|aims?|aiming|try|tries|trying|works?|working|hopes?|hoping|seeks?|seeking) to (?:secure|reach|broker|get|clinch|seal|achieve|end|strike|cement|finali[sz]e|forge|nail down|jump[- ]?start|revive|restart|kick[- ]?start)|jump[- ]?starts?|revives?|revived|mov(?:es|ed|ing|e) (?:closer )?towards?`,
  },
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.75,
    selfContained: true,
    pattern: `want(?:s|ed)? (?:a |an )?(?:\\p{L}+ )?(?:@MATTER@)|(?:unconditional|comprehensive|full) (?:@MATTER@)|without (?:pre-?)?conditions|@SUPPORT_PHRASES@`,
  },
  // Relaying an offer: the relayer is a go-between (go-betweens.ts); who asked for it to be passed on made it.
  {
    label: 'supports',
    kind: 'subject',
    strength: 0.75,
    pattern: `pass(?:es|ed|ing)? (?:it )?on|relay(?:s|ed|ing)?|convey(?:s|ed|ing)?|transmit(?:s|ted|ting)?|передал${L}|переда(?:ст|ют|ет|ти|сть|вать)${L}|передав${L}`,
  },
  {
    label: 'supports',
    kind: 'speaker',
    strength: 0.7,
    selfContained: true,
    pattern: `optimis${L}|hopeful|never been closer|(?:very much )?on track|within reach|(?:right|on) track|ball is (?:now )?in \\p{L}+(?:'s|’s)? court|progress|could (?:happen|come|resume|restart|be reached|be agreed|be signed|be resumed)|(?:is|was|are) (?:close|near|imminent)|оптимизм${L}|оптимистичн${L}|оптимізм${L}|оптимістичн${L}|прогрес${L}|(?:могут|может|можуть|може) (?:возобновиться|відновитися|відновитись)`,
  },
  {
    label: 'supports',
    kind: 'owner',
    strength: 0.7,
    pattern: `[-\\s](?:proposed|brokered|backed|led|drafted|mediated|sponsored|imposed|declared|announced|ordered|initiated)|(?:'s|’s) (?:\\p{L}+ ){0,2}?(?:proposals?|plans?|offers?|initiatives?|push|drive|framework|efforts|calls? for)|[-\\s](?:(?:@MATTER@|\\d+-point|\\d+-day|new|draft|latest|initial|revised) ){0,2}(?:proposals?|plans?|offers?|initiatives?|framework)`,
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
    pattern: `reject${L}|refus${L}|rebuff${L}|brush(?:es|ed)? (?:off|aside)|shrug(?:s|ged)? off|snub(?:s|bed)?|stonewall${L}|withst(?:and|ands|ood) (?:\\p{L}+ )?pressure|dismiss${L}|rule[sd]? out|ruling out|turn(?:s|ed)? down|spurn${L}|oppos(?:es|ed|ing|e)|scoff${L}|balk${L}|unacceptable|until (?:its |all |their )?(?:\\p{L}+ )?goals|no (?:@MATTER@)|@OPPOSE_PHRASES@`,
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
    pattern: `цел(?:и|ь) (?:\\p{L}+ ){0,2}?(?:неизменн${L}|остаются прежними|не изменил${L})|цілі (?:\\p{L}+ ){0,2}?(?:незмінн${L}|не змінил${L})|услови${L}|требова${L}|требу(?:ет|ют|ем)|нюанс${L}|умов${L}|вимаг${L}|только (?:после|при|если)|лише (?:після|за умови|якщо)|тільки (?:після|за умови|якщо)`,
  },
  {
    label: 'opposes',
    kind: 'subject',
    strength: 0.85,
    pattern: `отверг${L}|отклон${L}|отказ${L}|неприемлем${L}|відкину${L}|відкида${L}|відхил${L}|відмов${L}|неприйнятн${L}`,
  },
];

// Words for the thing parties take positions on that every negotiation shares; the story adds its own `matter`.
const GENERIC_OBJECTS = `proposals?|plans?|offers?|demands?|requests?|idea|initiative|terms|meet|meeting|dialogue|предложени${L}|план${L}|пропозиці${L}|ініціатив${L}`;
/**
 * Verbs of parties getting in touch; the story's `contact` adds its own (envoys, mediators). A call is contact
 * unless it is the speech act of demanding something: "calls for", "calls on X to", "a call from X for
 * elections", "the ceasefire call" (the matter written before it). "A call on the ceasefire" is still a call.
 */
function contactVerbs(matter: string): string {
  const word = '[^\\s.,;:!?]+\\s+';
  const demand = `(?!\\s+for\\b)(?!\\s+on\\s+(?:${word}){1,5}?to\\b)(?!\\s+(?:from|by)\\s+(?:${word}){1,6}?for\\b)`;
  const call = `(?<!(?:${matter})[\\s\\-‐–]+)call(?:s|ed)?${demand}`;
  return `meet${L}|met|${call}|phone|spoke|speak${L}|visit${L}|hosts?|hosted|встреч${L}|разговор${L}|звон${L}|зустріч${L}|розмов${L}`;
}
const NEVER = '(?!)';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regex alternation for story terms written as in the story file: words may be split by spaces or hyphens
 * ("cease-fire" also reads "cease fire"), and a trailing `*` accepts any ending. Longest first, so the longer
 * phrase wins where two start alike.
 */
export function termsAlternation(terms: readonly string[]): string {
  const patterns = terms
    .map((term) =>
      term
        .trim()
        .split(/[\s\-‐–]+/u)
        .filter((word) => word !== '')
        .map((word) => (word.endsWith('*') ? `${escapeRegex(word.slice(0, -1))}${L}` : escapeRegex(word)))
        .join('[\\s\\-‐–]*'),
    )
    .filter((pattern) => pattern !== '');
  if (patterns.length === 0) return NEVER;
  return [...new Set(patterns)].sort((a, b) => b.length - a.length).join('|');
}

function wordPattern(alternation: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternation})(?![\\p{L}\\p{N}])`, 'iu');
}

/** The stance language of one story: the cue rules with the story's words filled in, compiled once. */
export interface StanceVocabulary {
  rules: CueRule[];
  /** Every non-owner rule; group i+1 belongs to rule i. Sticky: tried only where a cue can start. */
  cueRegex: RegExp;
  /** The owner rules, tried right after a party's name. */
  ownerRegex: RegExp;
  /** Words that make a sentence about the matter at hand (topic terms always do too). */
  objectPattern: RegExp;
  /** The matter written just before a cue word makes the cue a noun compound ("deal demand"). */
  matterBefore: RegExp;
  /** A meeting or call between parties. */
  contactPattern: RegExp;
  /** After a people's adjective, the story's own words for who talks for a party ("envoys", "negotiators"). */
  storyRoles: RegExp;
  /** The story's matter on its own: an item with none of it has no negotiation angle. */
  matterPattern: RegExp;
  /** Any of the story's own stance phrases ("fight on"): a position on the matter even where it goes unnamed. */
  phrasePattern: RegExp;
}

const vocabularies = new WeakMap<StoryDefinition, StanceVocabulary>();

export function stanceVocabulary(story: StoryDefinition): StanceVocabulary {
  const cached = vocabularies.get(story);
  if (cached) return cached;
  const matter = termsAlternation(story.matter);
  const slots: Record<string, string> = {
    MATTER: matter,
    SUPPORT_PHRASES: termsAlternation(story.stancePhrases.supports),
    OPPOSE_PHRASES: termsAlternation(story.stancePhrases.opposes),
    CONDITIONAL_PHRASES: termsAlternation(story.stancePhrases.conditional),
  };
  const rules = CUE_RULES.map((rule) => ({
    ...rule,
    pattern: rule.pattern.replace(/@([A-Z_]+)@/g, (_whole, name: string) => slots[name] ?? NEVER),
  }));
  const group = (rule: CueRule) => `(${rule.pattern})(?![\\p{L}\\p{N}])`;
  const vocabulary: StanceVocabulary = {
    rules,
    cueRegex: new RegExp(rules.map((rule) => (rule.kind === 'owner' ? `(${NEVER})` : group(rule))).join('|'), 'iuy'),
    ownerRegex: new RegExp(rules.map((rule) => (rule.kind === 'owner' ? group(rule) : `(${NEVER})`)).join('|'), 'iuy'),
    objectPattern: wordPattern(`${GENERIC_OBJECTS}|${matter}`),
    matterBefore: new RegExp(`(?<![\\p{L}\\p{N}])(?:${matter})\\s+$`, 'iu'),
    contactPattern: wordPattern(`${contactVerbs(matter)}|${termsAlternation(story.contact)}`),
    storyRoles: new RegExp(
      `^\\s+(?:[\\p{L}-]+\\s+){0,2}?(?:${termsAlternation([...story.contact, ...story.matter])})(?![\\p{L}\\p{N}])`,
      'iu',
    ),
    matterPattern: wordPattern(matter),
    phrasePattern: wordPattern(
      termsAlternation([
        ...story.stancePhrases.supports,
        ...story.stancePhrases.conditional,
        ...story.stancePhrases.opposes,
      ]),
    ),
  };
  vocabularies.set(story, vocabulary);
  return vocabulary;
}

/**
 * True when a word on its own is the language of negotiating ("agreed", "meets", "demands", "proposal"): how any
 * party talks about any deal. A profile learns what this story is about, so it leaves these words to the cues.
 */
export function isNegotiationLanguage(vocabulary: StanceVocabulary, word: string): boolean {
  const whole = (match: RegExpExecArray | null) => match !== null && match.index === 0 && match[0] === word;
  vocabulary.cueRegex.lastIndex = 0;
  if (whole(vocabulary.cueRegex.exec(word))) return true;
  return whole(vocabulary.contactPattern.exec(word)) || whole(vocabulary.objectPattern.exec(word));
}

export interface Cue {
  rule: CueRule;
  start: number;
  end: number;
}

function cueAt(regex: RegExp, rules: readonly CueRule[], text: string, position: number): Cue | undefined {
  regex.lastIndex = position;
  const match = regex.exec(text);
  if (match === null || match[0] === '') return undefined;
  for (let group = 1; group < match.length; group++) {
    if (match[group] === undefined) continue;
    const rule = rules[group - 1];
    return rule ? { rule, start: position, end: position + match[0].length } : undefined;
  }
  return undefined;
}

export function collectCues(
  vocabulary: StanceVocabulary,
  text: string,
  wordStarts: readonly number[],
  mentions: readonly PartyMention[],
): Cue[] {
  const cues: Cue[] = [];
  let skipUntil = -1;
  for (const start of wordStarts) {
    if (start < skipUntil) continue;
    const cue = cueAt(vocabulary.cueRegex, vocabulary.rules, text, start);
    if (cue) {
      cues.push(cue);
      skipUntil = cue.end;
    }
  }
  for (const mention of mentions) {
    // "U.S.-led": the abbreviation's closing dot sits between the name and the cue.
    const cue = cueAt(
      vocabulary.ownerRegex,
      vocabulary.rules,
      text,
      text[mention.end] === '.' ? mention.end + 1 : mention.end,
    );
    if (cue) cues.push(cue);
  }
  cues.sort((a, b) => a.start - b.start);
  return cues;
}
