import { stanceVocabulary } from './cues';
import type { CompiledStory, LexiconHit } from './lexicon';
import { namesAThing } from './stance-context';
import type { Sentence } from './text';

export interface Contact {
  parties: string[];
  crossSide: boolean;
}

/**
 * Parties in touch: a meeting or call word in a sentence that names two parties. Two parties named in different
 * sentences of an item that mentions a call somewhere ("a helpline to call") are not diplomacy, nor is a call
 * between people a party's adjective only describes ("a Russian student's video call with an American friend").
 */
export function sentenceContact(
  compiled: CompiledStory,
  sentences: readonly Sentence[],
  hits: readonly LexiconHit[],
  text: string,
): Contact | undefined {
  const { contactPattern: pattern, storyRoles } = stanceVocabulary(compiled.story);
  let found: Contact | undefined;
  for (const sentence of sentences) {
    const parties = new Set(
      hits
        .filter((hit) => hit.roles.party !== undefined && hit.start >= sentence.start && hit.start < sentence.end)
        .filter((hit) => !namesAThing(text, hit, storyRoles))
        .map((hit) => hit.roles.party as string),
    );
    if (parties.size < 2 || !pattern.test(sentence.text)) continue;
    const sides = new Set([...parties].map((party) => compiled.sideOf.get(party) ?? party));
    const contact = { parties: [...parties], crossSide: sides.size >= 2 };
    if (contact.crossSide) return contact;
    found ??= contact;
  }
  return found;
}
