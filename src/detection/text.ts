const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  ndash: '–',
  mdash: '—',
  hellip: '…',
};

/**
 * Feeds often double-encode entities (&#039;, &#160;) and leave markup in descriptions; the detector
 * must see the words, not the escaping, or "Putin&#039;s" would not match "Putin".
 */
export function cleanText(raw: string): string {
  if (raw === '') return raw;
  let text = raw;
  if (text.includes('<')) text = text.replace(/<[^>]*>/g, ' ');
  if (text.includes('&')) {
    text = text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
      if (body[0] === '#') {
        const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
    });
  }
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** Lower-cases and unifies apostrophes, dashes and spacing so lexicon keys compare equal. */
export function normalizeKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘`ʼ]/g, "'")
    .replace(/[\s\-‐–]+/g, ' ');
}

export interface Sentence {
  start: number;
  end: number;
  text: string;
}

const ABBREVIATION_BEFORE_DOT =
  /(?:\b(?:[A-Z]\.)+[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sen|Rep|Gov|Sept?|Jan|Feb|Mar|Apr|Aug|Oct|Nov|Dec|vs|No)|\b[A-Z])$/;
// An initial in any script: "В. Зеленский", "В. Путін" (a lone capital before the dot).
const INITIAL_BEFORE_DOT = /(?<!\p{L})\p{Lu}$/u;

/**
 * Splits on sentence punctuation followed by a capitalised sentence, in any of the three languages (closing and
 * opening quotes « » „ “ included), keeping dotted abbreviations ("E.U.", "a.m.") and initials inside the sentence.
 */
export function splitSentences(text: string, offset = 0): Sentence[] {
  const sentences: Sentence[] = [];
  let start = 0;
  const boundary = /[.!?…]+["”’»)]?\s+(?=["“‘«„(]?[\p{Lu}\p{N}])|[.!?…]+["”’»)]?$/gu;
  for (const match of text.matchAll(boundary)) {
    const end = match.index + match[0].length;
    const head = text.slice(start, match.index);
    if (match[0].startsWith('.') && (ABBREVIATION_BEFORE_DOT.test(head) || INITIAL_BEFORE_DOT.test(head))) continue;
    pushSentence(sentences, text, start, end, offset);
    start = end;
  }
  if (start < text.length) pushSentence(sentences, text, start, text.length, offset);
  return sentences;
}

function pushSentence(into: Sentence[], text: string, start: number, end: number, offset: number): void {
  const slice = text.slice(start, end).trim();
  if (slice === '') return;
  const lead = text.indexOf(slice, start);
  into.push({ start: offset + lead, end: offset + lead + slice.length, text: slice });
}

const STOPWORDS = new Set(
  (
    'the a an and or but of to in on at for with by from as is are was were be been being has have had it its this that ' +
    'these those he she they we you i his her their our not no into over after before about than then there here who ' +
    'what when where which while will would can could should may might must also said says say more most new one two ' +
    'just up out so if do does did us him them all any some such very per via amid against between under again still ' +
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня ' +
    'еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом ' +
    'себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под ' +
    'будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее были куда зачем ' +
    'і й та що це як але ж до від за на по про для з із у в не ні його її їх він вона вони ми ви я ти є був була було ' +
    'були буде також вже ще лише тільки коли якщо або чи так там тут цей ця ці того цього який яка які'
  ).split(' '),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

// Words of any news article that say nothing about its subject; the detector's stopwords cover the rest.
const NEWS_WORDS = new Set(
  (
    'said says told added according reported report reports week weeks month months year years day days today ' +
    'yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday time times people percent number ' +
    'first last next later earlier other others many much some more most new latest since around while during ' +
    'would could should might must will shall make made take taken give given back still even well like ' +
    'president minister spokesman spokeswoman official officials called calling issue issues idea ideas part ' +
    'statement statements press conference comments commenting country countries leader leaders need needs ' +
    'meaning discussed discuss'
  ).split(' '),
);

/** A word any news article uses whatever it is about ("said", "week", "officials"). */
export function isNewsWord(word: string): boolean {
  return NEWS_WORDS.has(word);
}

const CYRILLIC = /[\u0400-\u04ff]/;
const CYRILLIC_ENDINGS =
  /(?:иями|ями|ами|ого|его|ому|ему|ими|ыми|ой|ей|ий|ый|ая|яя|ое|ее|ую|юю|ов|ев|ах|ях|ам|ям|ом|ем|ія|ію|ії|ів|ою|ею|а|я|о|е|и|ы|у|ю|і|ї|є|ь|й)$/;

/** English endings in the order they are tried; the first that applies is cut. */
const ENGLISH_ENDINGS: { applies: (word: string) => boolean; cut: (word: string) => string }[] = [
  { applies: (word) => word.endsWith('ies'), cut: (word) => `${word.slice(0, -3)}y` },
  { applies: (word) => word.endsWith('ing') && word.length > 5, cut: (word) => word.slice(0, -3) },
  { applies: (word) => word.endsWith('ed') && word.length > 5, cut: (word) => word.slice(0, -2) },
  { applies: (word) => word.endsWith('es') && /(?:ss|sh|ch|x)es$/.test(word), cut: (word) => word.slice(0, -2) },
  { applies: (word) => word.endsWith('s') && !word.endsWith('ss'), cut: (word) => word.slice(0, -1) },
];

function stemCyrillic(token: string): string {
  if (token.length <= 4) return token;
  const stripped = token.replace(CYRILLIC_ENDINGS, '');
  return stripped.length >= 3 ? stripped : token;
}

function stemEnglish(word: string): string {
  if (word.length <= 4) return word;
  for (const ending of ENGLISH_ENDINGS) if (ending.applies(word)) return ending.cut(word);
  return word;
}

/** A deliberately light stemmer: enough to merge plural/inflected forms for overlap scoring, cheap enough per item. */
export function stem(token: string): string {
  return CYRILLIC.test(token) ? stemCyrillic(token) : stemEnglish(token);
}

/** Words of a text as parallel arrays (cheaper than one object per word on the hot path). */
export interface Tokens {
  starts: number[];
  ends: number[];
  /** Lower-cased words; apostrophes and hyphens split words, so "Russia's" gives "russia", "s". */
  words: string[];
}

const TOKEN = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): Tokens {
  const tokens: Tokens = { starts: [], ends: [], words: [] };
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    tokens.starts.push(match.index);
    tokens.ends.push(match.index + match[0].length);
    tokens.words.push(match[0].toLowerCase());
  }
  return tokens;
}

/** Distinct content stems, stopwords and very short words removed. */
export function stemsOf(words: readonly string[], into: Set<string> = new Set()): Set<string> {
  for (const word of words) {
    if (word.length < 3 || STOPWORDS.has(word)) continue;
    into.add(stem(word));
  }
  return into;
}

export function contentStems(text: string, into: Set<string> = new Set()): Set<string> {
  return stemsOf(tokenize(text).words, into);
}
