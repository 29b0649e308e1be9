import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORIES_DIR, loadStories, type StoryDefinition } from '../../../src/detection/index';
import { FIXTURE_STORIES } from '../../support/detection-helpers';

const DETECTOR_DIR = join(import.meta.dirname, '..', '..', '..', 'src', 'detection');

/** The detector's code without its comments: comments may quote examples, the code may not know them. */
function detectorCode(): { file: string; code: { exact: string; folded: string } }[] {
  return readdirSync(DETECTOR_DIR)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => {
      const code = readFileSync(join(DETECTOR_DIR, name), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, ' ')
        .replace(/(^|\s)\/\/.*$/gm, '$1');
      return { file: name, code: { exact: wordsOf(code, true), folded: wordsOf(code, false) } };
    });
}

/** The code's words in order, separated by single spaces: a term is in the code when its words are. */
function wordsOf(code: string, keepCase: boolean): string {
  const words = code.match(/[\p{L}\p{N}]+/gu) ?? [];
  return ` ${(keepCase ? words : words.map((word) => word.toLowerCase())).join(' ')} `;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a story term, written as in a story file (a trailing `*` for any ending), occurs in the code. */
function occursIn(term: string, code: { exact: string; folded: string }): boolean {
  const words = term.split(/[^\p{L}\p{N}*]+/u).filter((word) => word !== '' && word !== '*');
  // Acronyms ("US", "EU") count only as written, as the lexicon matches them.
  const acronym = /^[\p{Lu}\d.]{1,6}$/u.test(term);
  const haystack = acronym ? code.exact : code.folded;
  const pieces = words.map((word) => (acronym ? word : word.toLowerCase()));
  if (!pieces.some((word) => word.endsWith('*'))) return haystack.includes(` ${pieces.join(' ')} `);
  const body = pieces
    .map((word) => (word.endsWith('*') ? `${escapeRegex(word.slice(0, -1))}\\p{L}*` : escapeRegex(word)))
    .join(' ');
  return new RegExp(` ${body} `, 'u').test(haystack);
}

function namesOf(story: StoryDefinition): string[] {
  return [
    ...story.parties.flatMap((party) => [party.name, ...party.aliases, ...party.selfSpeakers]),
    ...story.conflictTerms,
    ...story.otherStories,
  ];
}

function vocabularyOf(story: StoryDefinition): string[] {
  return [
    ...namesOf(story),
    ...story.topic.map((entry) => entry.term),
    ...story.conditions.flatMap((condition) => condition.terms),
    ...story.matter,
    ...story.contact,
    ...story.stancePhrases.supports,
    ...story.stancePhrases.conditional,
    ...story.stancePhrases.opposes,
  ];
}

function leaks(terms: string[]): string[] {
  const found: string[] = [];
  for (const { file, code } of detectorCode()) {
    for (const term of new Set(terms)) {
      if (occursIn(term, code)) found.push(`${file}: "${term}"`);
    }
  }
  return found;
}

describe('the detector knows no story', () => {
  it('finds a story term in code when it is there, so the check below can fail', () => {
    const code = (text: string) => ({ exact: wordsOf(text, true), folded: wordsOf(text, false) });
    expect(occursIn('перемири*', code('const X = /перемирия/;'))).toBe(true);
    expect(occursIn('US', code("const pronoun = 'us';"))).toBe(false);
    expect(occursIn('peace talks', code('const X = /(?:peace)[- ]talks/;'))).toBe(true);
    expect(occursIn('deal', code('const X = /dealer/;'))).toBe(false);
  });

  it.each(loadStories(DEFAULT_STORIES_DIR).map((story) => [story.id, story] as const))(
    'has none of the vocabulary of %s in its code',
    (_id, story) => {
      expect(leaks(vocabularyOf(story))).toEqual([]);
    },
  );

  // The invented test stories use plain English verbs as their topic ("strike", "mediate"), which the stance
  // language shares ("strike a deal", "mediated by"); their names are what the detector must not know.
  it.each(loadStories(FIXTURE_STORIES).map((story) => [story.id, story] as const))(
    'names none of the parties, places or other stories of %s in its code',
    (_id, story) => {
      expect(leaks(namesOf(story))).toEqual([]);
    },
  );
});
