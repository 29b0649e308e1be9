import type { LexiconHit } from './lexicon';
import type { Sentence } from './text';

const CALENDAR_WORDS =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)$/;
const CAPITALIZED = /(?<![\p{L}.])\p{Lu}[\p{Ll}’']{2,}(?:\s+\p{Lu}[\p{Ll}’']{2,})*/gu;
const LONG_WORD = /(?<![\p{L}\p{N}])\p{L}{4,}/gu;
const MAX_NAMES = 6;

/**
 * A headline in title case capitalizes every word, so its capitals say nothing about names; one in sentence case
 * ("Envoy meets Zorkovsky in Valletta") capitalizes only its first word and its names.
 */
function inSentenceCase(title: string): boolean {
  const words = [...title.matchAll(LONG_WORD)].slice(1).map((match) => match[0]);
  if (words.length < 3) return false;
  const capitalized = words.filter((word) => /^\p{Lu}/u.test(word)).length;
  return capitalized * 2 < words.length;
}

/** The capitalized words of a sentence, past its first word, that no vocabulary hit covers. */
function* unknownNamesIn(hits: readonly LexiconHit[], sentence: Sentence): Generator<string> {
  for (const match of sentence.text.matchAll(CAPITALIZED)) {
    if (match.index === 0) continue;
    const start = sentence.start + match.index;
    if (hits.some((hit) => hit.start <= start && hit.end > start)) continue;
    const name = match[0].replace(/['’]s$/, '');
    if (!CALENDAR_WORDS.test(name)) yield name;
  }
}

/**
 * Capitalized names the story's vocabulary does not know yet: the new people and places a profile can learn.
 * A headline counts only when it is written in sentence case.
 */
export function newNames(sentences: readonly Sentence[], hits: readonly LexiconHit[], titleEnd: number): string[] {
  const names: string[] = [];
  for (const sentence of sentences) {
    if (sentence.start < titleEnd && !inSentenceCase(sentence.text)) continue;
    for (const name of unknownNamesIn(hits, sentence)) {
      if (!names.includes(name)) names.push(name);
      if (names.length >= MAX_NAMES) return names;
    }
  }
  return names;
}
