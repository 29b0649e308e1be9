import type { StoryDefinition } from './story';
import { contentStems, normalizeKey, type Tokens, tokenize } from './text';

export interface TermRoles {
  /** Canonical form of the entry as written in the story (for reasons and key terms). */
  label: string;
  party?: string;
  selfSpeaker?: boolean;
  topicWeight?: number;
  conflict?: boolean;
  otherStory?: boolean;
  condition?: string;
}

export interface LexiconHit {
  start: number;
  end: number;
  roles: TermRoles;
}

interface WordPattern {
  text: string;
  /** Matches any word starting with `text` (a trailing * in the story). */
  prefix: boolean;
  /** Exact spelling required when the term is an acronym ("US" must not match "us"). */
  original: string | null;
}

interface Entry {
  words: WordPattern[];
  roles: TermRoles;
}

/** A story's vocabulary compiled once into word-indexed lookups, scanned in one pass over an item's words. */
export interface CompiledStory {
  story: StoryDefinition;
  /** Entries whose first word is exact, by that word; longest entries first. */
  byFirstWord: Map<string, Entry[]>;
  /** Entries whose first word is a prefix, by the prefix's first three letters; longest first. */
  byFirstPrefix: Map<string, Entry[]>;
  /** Party → side in the conflict (a party without a side is its own side). */
  sideOf: Map<string, string>;
  /** Seed profile: stem → weight. */
  seedTerms: Map<string, number>;
  startMs: number;
}

// Acronyms like "US" or "EU" collide with ordinary words when case is ignored ("us", "eu").
function isCaseSensitiveTerm(term: string): boolean {
  const letters = term.replace(/[^\p{L}]/gu, '');
  return letters.length > 0 && letters.length <= 5 && letters === letters.toUpperCase() && term.length <= 6;
}

const PREFIX_BUCKET = 3;

function wordPatterns(term: string, caseSensitive: boolean): WordPattern[] {
  const patterns: WordPattern[] = [];
  for (const piece of term.trim().split(/[^\p{L}\p{N}*]+/u)) {
    if (piece === '') continue;
    if (piece === '*') {
      const previous = patterns[patterns.length - 1];
      if (previous) previous.prefix = true;
      continue;
    }
    const prefix = piece.endsWith('*');
    const body = prefix ? piece.slice(0, -1) : piece;
    patterns.push({ text: body.toLowerCase(), prefix, original: caseSensitive ? body : null });
  }
  return patterns;
}

function mergeRoles(into: TermRoles, from: Omit<TermRoles, 'label'>): void {
  if (from.party !== undefined) into.party = from.party;
  if (from.selfSpeaker) into.selfSpeaker = true;
  if (from.topicWeight !== undefined) into.topicWeight = Math.max(into.topicWeight ?? 0, from.topicWeight);
  if (from.conflict) into.conflict = true;
  if (from.otherStory) into.otherStory = true;
  if (from.condition !== undefined) into.condition = from.condition;
}

function isOwnTerm(roles: TermRoles): boolean {
  return roles.party !== undefined || roles.topicWeight !== undefined || roles.conflict === true;
}

export function seedProfileTerms(story: StoryDefinition): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (stemmed: Iterable<string>, weight: number) => {
    for (const term of stemmed) weights.set(term, Math.max(weights.get(term) ?? 0, weight));
  };
  add(contentStems(`${story.title} ${story.description} ${story.seedText}`), 0.4);
  for (const party of story.parties) add(contentStems(party.aliases.join(' ').replace(/\*/g, '')), 0.3);
  for (const entry of story.topic) add(contentStems(entry.term.replace(/\*/g, '')), entry.weight);
  return weights;
}

const compiled = new WeakMap<StoryDefinition, CompiledStory>();

type AddTerm = (term: string, roles: Omit<TermRoles, 'label'>) => void;

/** Every term of the story file with the roles it plays; one entry per written form, roles merged. */
function collectEntries(story: StoryDefinition): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const add: AddTerm = (term, roles) => {
    const caseSensitive = isCaseSensitiveTerm(term);
    const words = wordPatterns(term, caseSensitive);
    if (words.length === 0) return;
    const key = `${caseSensitive ? 'S' : 'I'}${words.map((word) => `${word.text}${word.prefix ? '*' : ''}`).join(' ')}`;
    const existing = entries.get(key);
    // A shared list of other conflicts may name this story's own party or place: the story's own role wins.
    if (existing && roles.otherStory && isOwnTerm(existing.roles)) return;
    if (existing) mergeRoles(existing.roles, roles);
    else entries.set(key, { words, roles: { label: term.replace(/\*/g, ''), ...roles } });
  };
  addPartyTerms(story, add);
  for (const entry of story.topic) add(entry.term, { topicWeight: entry.weight });
  for (const term of story.conflictTerms) add(term, { conflict: true });
  for (const term of story.otherStories) add(term, { otherStory: true });
  for (const condition of story.conditions) for (const term of condition.terms) add(term, { condition: condition.id });
  return entries;
}

function addPartyTerms(story: StoryDefinition, add: AddTerm): void {
  for (const party of story.parties) {
    const speakers = party.selfSpeakers.map((speaker) => ` ${normalizeKey(speaker).replace(/\*$/, '')} `);
    // "Vladimir Putin" speaks for Russia because "Putin" does.
    const speaks = (alias: string) => speakers.some((speaker) => ` ${normalizeKey(alias)} `.includes(speaker));
    for (const alias of party.aliases) add(alias, { party: party.id, selfSpeaker: speaks(alias) });
    for (const speaker of party.selfSpeakers) add(speaker, { party: party.id, selfSpeaker: true });
  }
}

/** Entries indexed by their first word, exact words and prefixes apart, longest entries first. */
function indexByFirstWord(entries: Iterable<Entry>): Pick<CompiledStory, 'byFirstWord' | 'byFirstPrefix'> {
  const byFirstWord = new Map<string, Entry[]>();
  const byFirstPrefix = new Map<string, Entry[]>();
  for (const entry of entries) {
    const first = entry.words[0] as WordPattern;
    const index = first.prefix ? byFirstPrefix : byFirstWord;
    const key = first.prefix ? first.text.slice(0, PREFIX_BUCKET) : first.text;
    const list = index.get(key) ?? [];
    list.push(entry);
    index.set(key, list);
  }
  // Longest entries first so "peace talks" wins over "peace" and "Vladimir Putin" over "Putin".
  for (const index of [byFirstWord, byFirstPrefix]) {
    for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
  }
  return { byFirstWord, byFirstPrefix };
}

export function compileStory(story: StoryDefinition): CompiledStory {
  const cached = compiled.get(story);
  if (cached) return cached;
  const entries = collectEntries(story);
  inheritPrefixRoles([...entries.values()]);
  const result: CompiledStory = {
    story,
    ...indexByFirstWord(entries.values()),
    seedTerms: seedProfileTerms(story),
    sideOf: new Map(story.parties.map((party) => [party.id, party.side ?? party.id])),
    startMs: Date.parse(`${story.startDate}T00:00:00Z`),
  };
  compiled.set(story, result);
  return result;
}

/** True when every word of `entry`, as written, is accepted by the same-length `pattern` entry. */
function covers(pattern: Entry, entry: Entry): boolean {
  if (pattern.words.length !== entry.words.length) return false;
  return pattern.words.every((word, index) => {
    const other = entry.words[index] as WordPattern;
    if (word.original !== null && word.original !== other.original) return false;
    return word.prefix ? other.text.startsWith(word.text) : !other.prefix && other.text === word.text;
  });
}

/**
 * At one position an exact entry beats a prefix entry of the same length, so "security guarantees" (a topic term)
 * would hide "security guarantee*" (a condition). The exact entry takes on the roles it lacks from every prefix
 * entry that also accepts its words, so an overlap in the story file never silently drops a role.
 */
function inheritPrefixRoles(all: Entry[]): void {
  const prefixed = all.filter((entry) => entry.words.some((word) => word.prefix));
  for (const entry of all) {
    for (const pattern of prefixed) {
      if (pattern === entry || !covers(pattern, entry)) continue;
      inheritRoles(entry.roles, pattern.roles);
    }
  }
}

/** Roles the exact entry lacks, taken from a prefix entry that accepts its words. */
function inheritRoles(roles: TermRoles, from: TermRoles): void {
  if (roles.party === undefined && from.party !== undefined) {
    roles.party = from.party;
    if (from.selfSpeaker) roles.selfSpeaker = true;
  }
  if (roles.topicWeight === undefined && from.topicWeight !== undefined) roles.topicWeight = from.topicWeight;
  if (from.conflict) roles.conflict = true;
  if (from.otherStory) roles.otherStory = true;
  if (roles.condition === undefined && from.condition !== undefined) roles.condition = from.condition;
}

function wordMatches(pattern: WordPattern, word: string, text: string, start: number): boolean {
  if (pattern.prefix ? !word.startsWith(pattern.text) : word !== pattern.text) return false;
  return pattern.original === null || text.startsWith(pattern.original, start);
}

function matchAt(entries: Entry[] | undefined, tokens: Tokens, index: number, text: string): Entry | undefined {
  if (!entries) return undefined;
  for (const entry of entries) {
    const length = entry.words.length;
    if (index + length > tokens.words.length) continue;
    let ok = true;
    for (let offset = 0; offset < length && ok; offset++) {
      const at = index + offset;
      ok = wordMatches(
        entry.words[offset] as WordPattern,
        tokens.words[at] as string,
        text,
        tokens.starts[at] as number,
      );
    }
    if (ok) return entry;
  }
  return undefined;
}

/** All vocabulary hits of a tokenized text in order of position; the longest entry wins at each word. */
export function scanLexicon(compiledStory: CompiledStory, text: string, tokens: Tokens = tokenize(text)): LexiconHit[] {
  const hits: LexiconHit[] = [];
  const { words, starts, ends } = tokens;
  for (let index = 0; index < words.length; ) {
    const word = words[index] as string;
    const exact = matchAt(compiledStory.byFirstWord.get(word), tokens, index, text);
    const prefixed =
      word.length >= PREFIX_BUCKET
        ? matchAt(compiledStory.byFirstPrefix.get(word.slice(0, PREFIX_BUCKET)), tokens, index, text)
        : undefined;
    const entry =
      exact && prefixed ? (prefixed.words.length > exact.words.length ? prefixed : exact) : (exact ?? prefixed);
    if (!entry) {
      index++;
      continue;
    }
    const last = index + entry.words.length - 1;
    hits.push({ start: starts[index] as number, end: ends[last] as number, roles: entry.roles });
    index = last + 1;
  }
  return hits;
}
