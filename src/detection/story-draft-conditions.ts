import { idWords } from './story-fields';
import { isStopword, splitSentences } from './text';

/**
 * Conditions read from the demands a seed reports: what follows "demands", "insists on", "only with", "on
 * condition that" (and the Russian and Ukrainian equivalents), split at "and", "or" and commas.
 */
const DEMAND =
  /(?<!\p{L})(?:demand(?:s|ed|ing)?(?: that)?|insist(?:s|ed|ing)? on|only (?:with|if|after|once|when)|on condition (?:that|of)|provided that|conditions? (?:such as|including|of)|in exchange for|calls? for|until|unless|требу(?:ет|ют|ем)|требовани\p{L}*|только (?:после|при|если)|при условии|вимага(?:є|ють)|лише (?:після|за умови|якщо)|за умови)\s+([^.;:!?]{3,120})/giu;
const SPLIT = /\s*(?:,|\band\b|\bor\b|\bplus\b|(?<!\p{L})(?:и|или|та|і|або)(?!\p{L}))\s*/iu;
const LEADING =
  /^(?:(?:the|a|an|its|their|his|her|our|any|all|new|that|to|be|is|are|first|more|on|(?:an? )?end to|removal of|lifting of|cuts? (?:in|to)|return of)\s+)+/iu;
// A demand ends where its reason or timing begins: "removal of controls before any deal".
const CLAUSE_END = /\s(?:before|after|while|because|so that|if|unless|until|when|as|but)\s.*$/iu;
// A demanded thing does not end in a preposition or a name: "market access for American" is "market access".
const TRAILING = /(?:\s+(?:\p{Lu}\p{L}*|for|of|to|on|in|from|with|by|at|the|a|an))+$/u;
// "until the employers put a fair wage deal": a clause, not a thing. Its object follows the first article
// after its start; the subject and verb before it name no demanded thing.
const INNER_ARTICLE =
  /^\S+(?:\s+\S+){0,3}?\s+(?<!(?:^|\s)(?:for|of|to|on|in|from|with|by|at|over|into|about|under|and|or)\s+)(?:a|an|the|their|its)\s+(?=\S)/iu;
const MAX_WORDS = 4;
const MAX_CONDITIONS = 6;

function conditionId(words: string[]): string {
  const content = words.filter((word) => !isStopword(word.toLowerCase()) && word.length > 2);
  const key = (content.length > 0 ? content : words).slice(-2).join('_');
  return idWords(key, '_') || 'condition';
}

/** One term per demanded thing, plus its last content word so inflected and shorter mentions match too. */
function demandedThings(clause: string): string[][] {
  return clause
    .replace(CLAUSE_END, '')
    .split(SPLIT)
    .map((piece) => piece.replace(LEADING, '').trim())
    .map((piece) => piece.replace(INNER_ARTICLE, '').replace(LEADING, ''))
    .map((piece) => piece.split(/\s+/).slice(0, MAX_WORDS).join(' ').replace(TRAILING, ''))
    .filter((piece) => piece !== '')
    .map((piece) => piece.split(/\s+/))
    .filter((words) => words.some((word) => word.length > 3));
}

export function draftConditions(text: string): { id: string; terms: string[] }[] {
  const conditions = new Map<string, Set<string>>();
  for (const sentence of splitSentences(text)) {
    for (const match of sentence.text.matchAll(DEMAND)) {
      for (const words of demandedThings(match[1] ?? '')) {
        const id = conditionId(words);
        const terms = conditions.get(id) ?? new Set<string>();
        terms.add(words.join(' ').replace(/[,"“”«»()]/g, ''));
        const last = words[words.length - 1] as string;
        if (words.length > 1 && last.length > 3 && !isStopword(last.toLowerCase())) terms.add(last);
        conditions.set(id, terms);
      }
    }
  }
  return [...conditions.entries()].slice(0, MAX_CONDITIONS).map(([id, terms]) => ({ id, terms: [...terms] }));
}
