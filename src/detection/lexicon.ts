import type { StoryDefinition } from './story';
import { contentStems, normalizeKey } from './text';

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

interface WildcardEntry {
  pattern: RegExp;
  roles: TermRoles;
}

/** A story's vocabulary compiled once: two scanning regexes plus exact and wildcard lookups. */
export interface CompiledStory {
  story: StoryDefinition;
  caseInsensitive: RegExp | null;
  caseSensitive: RegExp | null;
  exact: Map<string, TermRoles>;
  wildcards: Map<string, WildcardEntry[]>;
  /** Seed profile: stem → weight, and its Euclidean norm. */
  seedTerms: Map<string, number>;
  partyIds: string[];
  startMs: number;
}

// Acronyms like "US" or "EU" collide with ordinary words when case is ignored ("us", "eu").
function isCaseSensitiveTerm(term: string): boolean {
  const letters = term.replace(/[^\p{L}]/gu, '');
  return letters.length > 0 && letters.length <= 5 && letters === letters.toUpperCase() && term.length <= 6;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Word patterns: spaces and hyphens are interchangeable; a trailing * on a word takes any ending. */
function termPattern(term: string): string {
  return term
    .trim()
    .split(/[\s-]+/)
    .map((word) => {
      const wildcard = word.endsWith('*');
      const body = escapeRegex(wildcard ? word.slice(0, -1) : word).replace(/'/g, "['’ʼ]");
      return wildcard ? `${body}[\\p{L}'’ʼ]*` : body;
    })
    .join('[\\s\\-‐–]+');
}

function mergeRoles(into: TermRoles, from: TermRoles): void {
  if (from.party !== undefined) into.party = from.party;
  if (from.selfSpeaker) into.selfSpeaker = true;
  if (from.topicWeight !== undefined) into.topicWeight = Math.max(into.topicWeight ?? 0, from.topicWeight);
  if (from.conflict) into.conflict = true;
  if (from.otherStory) into.otherStory = true;
  if (from.condition !== undefined) into.condition = from.condition;
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

export function compileStory(story: StoryDefinition): CompiledStory {
  const cached = compiled.get(story);
  if (cached) return cached;

  const entries = new Map<string, { term: string; roles: TermRoles }>();
  const add = (term: string, roles: Omit<TermRoles, 'label'>) => {
    const key = `${isCaseSensitiveTerm(term) ? 'S' : 'I'}${normalizeKey(term)}`;
    const existing = entries.get(key);
    if (existing) mergeRoles(existing.roles, { label: existing.roles.label, ...roles });
    else entries.set(key, { term, roles: { label: term.replace(/\*$/, ''), ...roles } });
  };
  for (const party of story.parties) {
    const speakers = party.selfSpeakers.map((speaker) => ` ${normalizeKey(speaker).replace(/\*$/, '')} `);
    // "Vladimir Putin" speaks for Russia because "Putin" does.
    const speaks = (alias: string) => speakers.some((speaker) => ` ${normalizeKey(alias)} `.includes(speaker));
    for (const alias of party.aliases) add(alias, { party: party.id, selfSpeaker: speaks(alias) });
    for (const speaker of party.selfSpeakers) add(speaker, { party: party.id, selfSpeaker: true });
  }
  for (const entry of story.topic) add(entry.term, { topicWeight: entry.weight });
  for (const term of story.conflictTerms) add(term, { conflict: true });
  for (const term of story.otherStories) add(term, { otherStory: true });
  for (const condition of story.conditions) for (const term of condition.terms) add(term, { condition: condition.id });

  const exact = new Map<string, TermRoles>();
  const wildcards = new Map<string, WildcardEntry[]>();
  const sensitive: string[] = [];
  const insensitive: string[] = [];
  for (const [key, { term, roles }] of entries) {
    const pattern = termPattern(term);
    (key[0] === 'S' ? sensitive : insensitive).push(pattern);
    if (term.includes('*')) {
      const bucket = normalizeKey(term).slice(0, 2);
      const list = wildcards.get(bucket) ?? [];
      list.push({ pattern: new RegExp(`^${pattern}$`, 'iu'), roles });
      wildcards.set(bucket, list);
    } else {
      exact.set(key, roles);
    }
  }
  // Longest alternatives first so "peace talks" wins over "peace" and "Vladimir Putin" over "Putin".
  const build = (patterns: string[], flags: string) =>
    patterns.length === 0
      ? null
      : new RegExp(
          `(?<![\\p{L}\\p{N}])(?:${patterns.sort((a, b) => b.length - a.length).join('|')})(?![\\p{L}\\p{N}])`,
          flags,
        );

  const seedTerms = seedProfileTerms(story);
  const result: CompiledStory = {
    story,
    caseInsensitive: build(insensitive, 'giu'),
    caseSensitive: build(sensitive, 'gu'),
    exact,
    wildcards,
    seedTerms,
    partyIds: story.parties.map((party) => party.id),
    startMs: Date.parse(`${story.startDate}T00:00:00Z`),
  };
  compiled.set(story, result);
  return result;
}

function lookup(compiledStory: CompiledStory, matched: string, caseSensitive: boolean): TermRoles | undefined {
  const key = normalizeKey(matched);
  const exactHit = compiledStory.exact.get(`${caseSensitive ? 'S' : 'I'}${key}`);
  if (exactHit) return exactHit;
  const bucket = compiledStory.wildcards.get(key.slice(0, 2));
  if (!bucket) return undefined;
  for (const entry of bucket) if (entry.pattern.test(matched)) return entry.roles;
  return undefined;
}

/** All vocabulary hits of a text in order of position. */
export function scanLexicon(compiledStory: CompiledStory, text: string): LexiconHit[] {
  const hits: LexiconHit[] = [];
  for (const [regex, caseSensitive] of [
    [compiledStory.caseInsensitive, false],
    [compiledStory.caseSensitive, true],
  ] as const) {
    if (!regex) continue;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      const roles = lookup(compiledStory, match[0], caseSensitive);
      if (roles) hits.push({ start: match.index, end: match.index + match[0].length, roles });
    }
  }
  if (compiledStory.caseSensitive && hits.length > 1) hits.sort((a, b) => a.start - b.start);
  return hits;
}
