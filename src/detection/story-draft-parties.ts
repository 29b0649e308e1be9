import { idWords } from './story-fields';
import { isNewsWord, splitSentences } from './text';

/**
 * The parties of a `story init` draft, from the names a seed writes. Shared actors the seed names are included by
 * reference; the names no shared list knows are grouped before they become parties: a people's adjective joins
 * its country ("Valdorian" joins "Valdoria"), and a person the seed gives a role ("Valdoria's foreign minister
 * Ana Petrov", "Owen Achebe, who speaks for the council", "Mayor Ruiz of Harbor City") speaks for that party
 * instead of becoming a party of their own. This is how English news writes titles, not any story's vocabulary.
 */

/** A shared actor's mention in the seed: `party` is the draft's id for it. */
export interface ActorHit {
  start: number;
  end: number;
  party: string;
}

// "Line of Control" and "Ministry of Commerce" are one name; "Ruiz of Harbor City" is split by its title below.
const NAME_RUN = /(?<![\p{L}.])\p{Lu}[\p{L}’'.-]*(?:\s+(?:of\s+(?:the\s+)?)?\p{Lu}[\p{L}’'.-]*)*/gu;

/**
 * How a seed writes people's roles, from the shared list `roles/titles` (data, like the actor lists, so a user can
 * add their own): the words that make a title and the words that may stand before them ("deputy prime minister").
 */
export interface TitleGrammar {
  title: RegExp;
  modifier: RegExp;
  /** "X's foreign minister, Ana Petrov" and "Union leader Mara Lindqvist": owner, then person. */
  lowerTitle: RegExp;
  /** "Ana Petrov, X's foreign minister", "Owen Achebe, who speaks for X": person, then owner. */
  apposition: RegExp;
  /** "Mayor Ruiz of Harbor City": person, then owner. */
  titleOf: RegExp;
}

function alternation(words: readonly string[]): string {
  return words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

export function titleGrammar(titles: readonly string[], modifiers: readonly string[]): TitleGrammar {
  const name = NAME_RUN.source;
  const title = alternation(titles);
  const capitalized = alternation(titles.map((word) => word.replace(/^\p{Ll}/u, (first) => first.toUpperCase())));
  return {
    title: new RegExp(`^(?:${title})$`, 'iu'),
    modifier: new RegExp(`^(?:${alternation(modifiers)})$`, 'iu'),
    lowerTitle: new RegExp(`(${name})\\s+(?:\\p{Ll}+\\s+){0,2}?(?:${title}),?\\s+(${name})`, 'gu'),
    apposition: new RegExp(
      `(${name}),\\s+(?:who\\s+speaks\\s+for|(?:the\\s+|an?\\s+)?(?:(${name})\\s+)?(?:\\p{Ll}+\\s+){0,2}?(?:${title})(?:\\s+(?:of|for|at))?)\\s+(?:the\\s+)?(${name})?`,
      'gu',
    ),
    // Written before the name, a title is capitalized: "Mayor Ruiz of Harbor City".
    titleOf: new RegExp(`(?:${capitalized})\\s+(${name})\\s+of\\s+(?:the\\s+)?(${name})`, 'gu'),
  };
}

const ARTICLE = /^(?:the|a|an)$/iu;

const POSSESSIVE = /['’]s$/u;
/** Endings a people's adjective adds to its country's name once a final vowel is dropped: Kenya → Kenyan. */
const DEMONYM_ENDING = /^(?:n|an|ian|i|ese|ish|ic|ns|ans|ians|is)$/u;
const MIN_NAME = 4;

/** What the seed says about one name: how often it is written, and who speaks for it. */
interface NameGroup {
  name: string;
  count: number;
  /** How many of its mentions are a place's ("in Geneva", "on the Sava river"). */
  asPlace: number;
  forms: Set<string>;
  speakers: Set<string>;
}

const LOCATIVE_BEFORE = /(?<![\p{L}])(?:in|at|near|across|outside|inside|on the|along the|to the)\s+$/iu;

function plain(word: string): string {
  return word.replace(POSSESSIVE, '').replace(/[.’']+$/u, '');
}

/** A capitalized run split at its title: "Valdorian Foreign Minister Ana Petrov" is owner, title, person. */
function splitAtTitle(grammar: TitleGrammar, words: string[]): { owner: string[]; person: string[]; titled: boolean } {
  const inTitle = (word: string) => grammar.title.test(plain(word)) || grammar.modifier.test(plain(word));
  const at = words.findIndex((word, index) => {
    if (!inTitle(word)) return false;
    const rest = words.slice(index);
    const end = rest.findIndex((next) => !inTitle(next));
    return (end === -1 ? rest : rest.slice(0, end)).some((next) => grammar.title.test(plain(next)));
  });
  if (at === -1) return { owner: words, person: [], titled: false };
  let after = at;
  while (after < words.length && inTitle(words[after] as string)) after++;
  return { owner: words.slice(0, at), person: words.slice(after), titled: true };
}

/** The seed's capitalized names, sentence-initial single words left out (any sentence starts with a capital). */
function nameRuns(text: string): { text: string; start: number; sentenceStart: boolean }[] {
  const runs: { text: string; start: number; sentenceStart: boolean }[] = [];
  for (const sentence of splitSentences(text)) {
    for (const match of sentence.text.matchAll(NAME_RUN)) {
      runs.push({ text: match[0], start: sentence.start + match.index, sentenceStart: match.index === 0 });
    }
  }
  return runs;
}

class NameBook {
  readonly groups = new Map<string, NameGroup>();
  readonly people = new Set<string>();

  constructor(
    private readonly actorHits: readonly ActorHit[],
    private readonly actorSpeakers: Map<string, Set<string>>,
    /** What the shared lists already name, lower-cased: a person they know needs no alias. */
    private readonly known: Set<string>,
    private readonly text: string,
    readonly grammar: TitleGrammar,
  ) {}

  private actorAt(start: number, end: number): string | undefined {
    return this.actorHits.find((hit) => hit.start < end && hit.end > start)?.party;
  }

  /** Sentence-initial single words: capitalized anyway, so they count only as an adjective of a known name. */
  readonly sentenceInitial: string[] = [];

  add(name: string, start: number): void {
    if (name.length < MIN_NAME || isNewsWord(name.toLowerCase()) || this.actorAt(start, start + name.length)) return;
    const group = this.groups.get(name) ?? {
      name,
      count: 0,
      asPlace: 0,
      forms: new Set([name]),
      speakers: new Set<string>(),
    };
    group.count++;
    if (LOCATIVE_BEFORE.test(this.text.slice(Math.max(0, start - 12), start))) group.asPlace++;
    this.groups.set(name, group);
  }

  /** Whoever the owner words name (a shared actor or a name of the seed) gets the person as a speaker. */
  speaks(person: string, owner: string, ownerStart: number): void {
    if (person.split(/\s+/u).length > 3 || person.length < MIN_NAME) return;
    this.people.add(person);
    const surname = person.split(/\s+/u).pop() as string;
    if (this.known.has(person.toLowerCase()) || this.known.has(surname.toLowerCase())) return;
    const actor = this.actorAt(ownerStart, ownerStart + owner.length);
    if (actor) {
      const speakers = this.actorSpeakers.get(actor) ?? new Set<string>();
      speakers.add(person);
      this.actorSpeakers.set(actor, speakers);
      return;
    }
    if (owner) this.pendingOwners.push({ person, owner });
  }

  /** Owners written as a part of a name ("Union leader" for the Dockworkers Union) resolve once all names are in. */
  readonly pendingOwners: { person: string; owner: string }[] = [];
}

function readRun(book: NameBook, run: { text: string; start: number; sentenceStart: boolean }): void {
  let words = run.text.split(/\s+/u);
  let start = run.start;
  if (ARTICLE.test(words[0] as string) && words.length > 1) {
    start += (words[0] as string).length + 1;
    words = words.slice(1);
  } else if (run.sentenceStart && words.length === 1) {
    book.sentenceInitial.push(plain(words[0] as string));
    return;
  }
  const { owner, person: titledPart, titled } = splitAtTitle(book.grammar, words);
  // "Mayor Ruiz of Harbor City": the person ends where "of" names whom they serve.
  const of = titledPart.indexOf('of');
  const person = of === -1 ? titledPart : titledPart.slice(0, of);
  const ownerName = plain(owner.join(' '));
  const personName = plain(person.join(' '));
  if (of !== -1) {
    const served = titledPart.slice(of + 1).filter((word, index) => index > 0 || !ARTICLE.test(word));
    const servedName = plain(served.join(' '));
    book.add(servedName, run.start + run.text.lastIndexOf(servedName));
    if (personName) book.speaks(personName, servedName, run.start + run.text.lastIndexOf(servedName));
  }
  if (titled && personName) book.speaks(personName, ownerName, start);
  if (ownerName && !(run.sentenceStart && owner.length === 1 && titled)) book.add(ownerName, start);
}

/** "X's foreign minister, Ana Petrov", "Ana Petrov, who speaks for X", "Mayor Ruiz of X": people given to owners. */
function readRoles(book: NameBook, text: string): void {
  for (const match of text.matchAll(book.grammar.lowerTitle)) {
    book.speaks(plain(match[2] as string), plain(match[1] as string), match.index);
  }
  for (const match of text.matchAll(book.grammar.apposition)) {
    const owner = match[2] ?? match[3];
    if (!owner) continue;
    book.speaks(plain(match[1] as string), plain(owner), match.index + match[0].lastIndexOf(owner));
  }
  for (const match of text.matchAll(book.grammar.titleOf)) {
    const owner = match[2] as string;
    book.speaks(plain(match[1] as string), plain(owner), match.index + match[0].lastIndexOf(owner));
  }
}

/** Whether `adjective` is the people's adjective of `name`: Valdoria → Valdorian, Japan → Japanese. */
function isDemonymOf(adjective: string, name: string): boolean {
  if (name.includes(' ') || adjective.includes(' ') || adjective === name) return false;
  const stem = name.replace(/[aeiouy]$/iu, '');
  return stem.length >= MIN_NAME && adjective.startsWith(stem) && DEMONYM_ENDING.test(adjective.slice(stem.length));
}

/** People leave the name list; adjectives and owners written as a name's last word join their group. */
function mergeGroups(book: NameBook): NameGroup[] {
  for (const person of book.people) book.groups.delete(person);
  const groups = [...book.groups.values()];
  for (const word of book.sentenceInitial) {
    const country = groups.find((group) => isDemonymOf(word, group.name));
    if (country) {
      country.count++;
      country.forms.add(word);
    }
  }
  for (const adjective of groups) {
    const country = groups.find((group) => group !== adjective && isDemonymOf(adjective.name, group.name));
    if (!country) continue;
    country.count += adjective.count;
    for (const form of adjective.forms) country.forms.add(form);
    for (const speaker of adjective.speakers) country.speakers.add(speaker);
    book.groups.delete(adjective.name);
  }
  for (const { person, owner } of book.pendingOwners) {
    const byLastWord = [...book.groups.values()].filter((group) => group.name.split(' ').pop() === owner);
    const byDemonym = [...book.groups.values()].filter((group) => group.forms.has(owner));
    const target = book.groups.get(owner) ?? byDemonym[0] ?? (byLastWord.length === 1 ? byLastWord[0] : undefined);
    target?.speakers.add(person);
  }
  return [...book.groups.values()].sort((a, b) => b.count + b.speakers.size - (a.count + a.speakers.size));
}

export interface SeedNames {
  /** The names no shared list knows, people left out, most written first; each with its forms and speakers. */
  groups: NameGroup[];
  /** People the seed gives to a shared actor, by the draft's party id. */
  actorSpeakers: Map<string, Set<string>>;
  /** Everyone the seed gives a role, whichever party they speak for. */
  people: Set<string>;
  /** Names the seed writes only as places: they anchor the story (conflictTerms), they hold no position. */
  places: string[];
}

export function readSeedNames(text: string, actorHits: readonly ActorHit[], grammar: TitleGrammar): SeedNames {
  const actorSpeakers = new Map<string, Set<string>>();
  const known = new Set(actorHits.map((hit) => text.slice(hit.start, hit.end).toLowerCase()));
  const book = new NameBook(actorHits, actorSpeakers, known, text, grammar);
  for (const run of nameRuns(text)) readRun(book, run);
  readRoles(book, text);
  const groups = mergeGroups(book);
  const isPlace = (group: NameGroup) => group.asPlace === group.count && group.speakers.size === 0;
  return {
    groups: groups.filter((group) => !isPlace(group)),
    actorSpeakers,
    people: book.people,
    places: groups.filter(isPlace).map((group) => group.name),
  };
}

const MIN_PARTIES = 2;
const MAX_NAMED_PARTIES = 4;

/**
 * One party per shared actor the seed names, with the people the seed gives it; when fewer than two are known, the
 * seed's most written names that are not people become parties, with their adjectives and speakers as aliases.
 */
export function draftParties(actors: string[], seedNames: SeedNames): Record<string, unknown>[] {
  const slug = (text: string) => text.replace(/^actors\//u, '');
  const parties: Record<string, unknown>[] = actors.map((include) => {
    const speakers = [...(seedNames.actorSpeakers.get(slug(include)) ?? [])];
    return speakers.length > 0
      ? { id: slug(include), include, aliases: speakers, selfSpeakers: speakers }
      : { id: slug(include), include };
  });
  if (parties.length >= MIN_PARTIES) return parties;
  for (const group of seedNames.groups.slice(0, MAX_NAMED_PARTIES)) {
    const speakers = [...group.speakers];
    parties.push({
      id: idOf(group.name),
      name: group.name,
      aliases: [...group.forms, ...speakers],
      selfSpeakers: [group.name, ...speakers],
    });
  }
  return parties;
}

function idOf(name: string): string {
  return idWords(name, '-') || 'party';
}
