import { cleanText, isNewsWord, isStopword, stem, tokenize } from './text';

/**
 * The topic words and two-word phrases `story init` takes from its seeds. A headline is written in fragments
 * ("US and China open talks as export curbs bite"): two words side by side there are often a subject and its
 * verb or a verb and its object, not a name for the story's matter. So a term must recur: it is written at
 * least twice across the seeds, as it would be by an article that keeps coming back to its subject. The
 * headline still weighs double when recurring terms are ranked.
 */
export interface TopicChoice {
  words: string[];
  phrases: string[];
}

export interface TopicFilters {
  /** Words no topic term may use: names, words the shared lists the draft includes already know. */
  leftOut: Set<string>;
  /** Words too common in any news to stand alone as a topic word; a phrase may still use them ("pay offer"). */
  isCommon: (word: string) => boolean;
  /** Words a shared list the draft includes already counts (its matter): not listed again alone. */
  known: Set<string>;
}

const TOPIC_WORDS = 8;
const TOPIC_PHRASES = 6;
/** How many times a term must be written across the seeds to be taken. */
const MIN_OCCURRENCES = 2;
const HEADLINE_WEIGHT = 2;
/** The shortest topic word, and the shortest word of a phrase. */
const TOPIC_WORD = 4;
const PHRASE_WORD = 3;

interface Tally {
  occurrences: number;
  weight: number;
  /** Each form the seeds write it in. */
  forms: Set<string>;
}

/**
 * Tallies by term. A Russian or Ukrainian term is tallied by its stems, so its cases recur as one ("топливный
 * сбор", "топливного сбора"); an English one as written, so the term the draft lists is the one the seeds repeat.
 */
type Tallies = Map<string, Tally>;

function count(tallies: Tallies, words: string[], weight: number): void {
  const key = words.map((word) => (CYRILLIC.test(word) ? stem(word) : word)).join(' ');
  const tally = tallies.get(key) ?? { occurrences: 0, weight: 0, forms: new Set<string>() };
  tally.occurrences += 1;
  tally.weight += weight;
  tally.forms.add(words.join(' '));
  tallies.set(key, tally);
}

/**
 * How the draft writes a term: as the seeds write it, or for a Russian or Ukrainian term written in several cases
 * its stems as prefixes ("топливн* сбор*"), so every case of it matches.
 */
function written(key: string, tally: Tally): string {
  const [only] = tally.forms;
  return tally.forms.size === 1 && only !== undefined ? only : `${key.split(' ').join('* ')}*`;
}

/** A word that may be part of a topic term; a phrase may use a shorter one ("pay offer", "oil price"). */
function isContentWord(word: string, shortest: number): boolean {
  return word.length >= shortest && !/^\d+$/.test(word) && !isNewsWord(word) && !isStopword(word);
}

/**
 * Russian and Ukrainian mark a finite verb in its ending: the past plural ("перекрыли", "відкрили") and the present
 * third person plural ("требуют", "говорят", "вимагають"). No noun phrase starts with one, so a pair that does is a
 * verb and its object ("перекрыли трассы"), however often the seed writes it.
 */
const FINITE_VERB = /\p{L}{3}(?:[аеёиоуыяіїю]ли|[юя]т|[ую]ть|ять)$/u;
const CYRILLIC = /^[\u0400-\u04ff]+$/u;

function isFiniteVerb(word: string): boolean {
  return CYRILLIC.test(word) && FINITE_VERB.test(word);
}

/** A word that may stand alone as a topic word: long enough, not common, not a verb, not already counted. */
function isTopicWord(word: string, filters: TopicFilters): boolean {
  return word.length >= TOPIC_WORD && !filters.isCommon(word) && !filters.known.has(word) && !isFiniteVerb(word);
}

function tallyPart(part: string, weight: number, filters: TopicFilters, words: Tallies, phrases: Tallies): void {
  const tokens = tokenize(part);
  const usable = (index: number) => {
    const word = tokens.words[index];
    return word !== undefined && isContentWord(word, PHRASE_WORD) && !filters.leftOut.has(word);
  };
  tokens.words.forEach((word, index) => {
    if (!usable(index)) return;
    if (isTopicWord(word, filters)) count(words, [word], weight);
    const next = tokens.words[index + 1];
    if (next === undefined || !usable(index + 1)) return;
    // Two words make a phrase only when nothing but a space stands between them.
    const gap = part.slice(tokens.ends[index], tokens.starts[index + 1]);
    if (gap === ' ' && !isFiniteVerb(word)) count(phrases, [word, next], weight);
  });
}

function ranked(tallies: Tallies, limit: number): string[] {
  return [...tallies.entries()]
    .filter(([, tally]) => tally.occurrences >= MIN_OCCURRENCES)
    .map(([key, tally]) => ({ term: written(key, tally), weight: tally.weight }))
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, limit)
    .map(({ term }) => term);
}

/** The seeds' recurring words and two-word phrases, the most used first, headline uses counting double. */
export function chooseTopicTerms(seeds: string[], filters: TopicFilters): TopicChoice {
  const words: Tallies = new Map();
  const phrases: Tallies = new Map();
  for (const seed of seeds) {
    const [headline = '', ...body] = seed.split('\n');
    tallyPart(cleanText(headline), HEADLINE_WEIGHT, filters, words, phrases);
    tallyPart(cleanText(body.join(' ')), 1, filters, words, phrases);
  }
  return { words: ranked(words, TOPIC_WORDS), phrases: ranked(phrases, TOPIC_PHRASES) };
}

/** A membership test that also accepts a word's inflected forms ("offered", "walks" for "offer", "walk"). */
export function inflectedMember(list: Iterable<string>): (word: string) => boolean {
  const set = new Set([...list].map((word) => word.toLowerCase()));
  return (word) => set.has(word) || set.has(stem(word)) || set.has(`${stem(word)}e`);
}
