/**
 * Field checks shared by story files and the shared lists they include. Every error names the file and the
 * field, so a user editing a story sees where the mistake is without reading code.
 */

export class StoryValidationError extends Error {}

/** Returns the parsed JSON of a shared list (`actors/russia` → stories/shared/actors/russia.json) and its path. */
export type IncludeResolver = (name: string) => { json: unknown; origin: string };

export interface FieldContext {
  origin: string;
  include: IncludeResolver;
  /** Include chain so far, to refuse a list that includes itself. */
  chain: readonly string[];
}

export const ID_PATTERN = /^[a-z0-9][a-z0-9-_]*$/;
const INCLUDE_PATTERN = /^[a-z0-9][a-z0-9-_]*(?:\/[a-z0-9][a-z0-9-_]*)*$/;
const MAX_INCLUDE_DEPTH = 4;

// One Latin spelling for each Russian and Ukrainian letter, so an id drafted from a Cyrillic seed is valid
// (the hard and soft signs, "-" here, are dropped).
const CYRILLIC_LETTERS = [...'абвгґдеёєжзиіїйклмнопрстуфхцчшщъыьэюя'];
const LATIN_LETTERS = 'a b v g g d e e ye zh z i i yi y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya'.split(
  ' ',
);
const LATIN_OF = new Map(
  CYRILLIC_LETTERS.map((letter, index) => [letter, LATIN_LETTERS[index]?.replace('-', '') ?? '']),
);

/**
 * A text written as an id's words: lower case, Cyrillic in Latin letters ("вывода войск" → "vyvoda voysk"),
 * accents dropped ("Zürich" → "zurich"), every other run of characters one `separator`.
 */
export function idWords(text: string, separator: '-' | '_'): string {
  return text
    .toLowerCase()
    .replace(/[\u0400-\u04ff]/g, (letter) => LATIN_OF.get(letter) ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replaceAll(' ', separator);
}

export function fail(origin: string, path: string, problem: string): never {
  throw new StoryValidationError(`${origin}: ${path} ${problem}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireString(origin: string, path: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') fail(origin, path, 'must be a non-empty string');
  return value;
}

export function requireId(origin: string, path: string, value: unknown): string {
  const id = requireString(origin, path, value);
  if (!ID_PATTERN.test(id)) fail(origin, path, `must be lower-case letters, digits, "-" or "_" (got "${id}")`);
  return id;
}

export function requireStringList(origin: string, path: string, value: unknown, allowEmpty = false): string[] {
  if (!Array.isArray(value)) fail(origin, path, 'must be an array of strings');
  if (!allowEmpty && value.length === 0) fail(origin, path, 'must not be empty');
  return value.map((entry, index) => requireString(origin, `${path}[${index}]`, entry));
}

// Wildcard entries are indexed by their first three letters; a shorter stem could never be found.
export function requireTerm(origin: string, path: string, value: unknown): string {
  const term = requireString(origin, path, value);
  const words = term.split(/[^\p{L}\p{N}*]+/u).filter((word) => word !== '');
  words.forEach((word, index) => {
    // A lone "*" (as in "перемир'*") extends the word before it.
    const stem = word === '*' ? (words[index - 1] ?? '') : word.endsWith('*') ? word.slice(0, -1) : null;
    if (stem !== null && stem.length < 3) fail(origin, path, `needs at least three letters before "*" (got "${term}")`);
  });
  return term;
}

/** Opens a shared list named by `include`, refusing bad names and loops; errors name the including field. */
export function openInclude(
  context: FieldContext,
  path: string,
  value: unknown,
): { json: Record<string, unknown>; context: FieldContext } {
  const name = requireString(context.origin, path, value);
  if (!INCLUDE_PATTERN.test(name)) {
    fail(context.origin, path, `must name a shared list like "actors/<country>" (got "${name}")`);
  }
  if (context.chain.includes(name) || context.chain.length >= MAX_INCLUDE_DEPTH) {
    fail(context.origin, path, `includes "${name}" in a loop (${[...context.chain, name].join(' → ')})`);
  }
  let opened: { json: unknown; origin: string };
  try {
    opened = context.include(name);
  } catch (error) {
    if (error instanceof StoryValidationError) throw error;
    fail(context.origin, path, `names "${name}", which cannot be read (${(error as Error).message})`);
  }
  if (!isRecord(opened.json)) fail(opened.origin, 'list', 'must be a JSON object');
  return { json: opened.json, context: { ...context, origin: opened.origin, chain: [...context.chain, name] } };
}

function includeNames(context: FieldContext, path: string, value: unknown): string[] {
  return Array.isArray(value)
    ? value.map((entry, index) => requireString(context.origin, `${path}[${index}]`, entry))
    : [requireString(context.origin, path, value)];
}

/** Each shared list named by `include` (one name or several), opened in order. */
export function openIncludes(
  context: FieldContext,
  path: string,
  value: unknown,
): { json: Record<string, unknown>; context: FieldContext }[] {
  const names = includeNames(context, path, value);
  return names.map((name, index) => openInclude(context, Array.isArray(value) ? `${path}[${index}]` : path, name));
}

/**
 * A list of terms as a story writes it: strings, rows of strings (so a long list stays readable in a few lines),
 * `{"include": "conflicts/2025"}` entries, or one object `{"include": ..., "terms": [...]}`.
 */
export function termList(context: FieldContext, path: string, value: unknown, allowEmpty = true): string[] {
  const { origin } = context;
  if (value === undefined) {
    if (!allowEmpty) fail(origin, path, 'must not be empty');
    return [];
  }
  let terms: string[] = [];
  if (isRecord(value)) terms = includedTerms(context, path, value);
  else if (Array.isArray(value))
    terms = value.flatMap((entry, index) => termEntry(context, `${path}[${index}]`, entry));
  else fail(origin, path, 'must be an array of terms or {"include": ..., "terms": [...]}');
  if (!allowEmpty && terms.length === 0) fail(origin, path, 'must not be empty');
  return [...new Set(terms)];
}

/** `{"include": ..., "terms": [...]}`: the shared lists' terms, then the story's own. */
function includedTerms(context: FieldContext, path: string, value: Record<string, unknown>): string[] {
  if (value.include === undefined && value.terms === undefined)
    fail(context.origin, path, 'needs "include" or "terms"');
  const terms: string[] = [];
  for (const shared of value.include === undefined ? [] : openIncludes(context, `${path}.include`, value.include)) {
    terms.push(...termList(shared.context, 'terms', shared.json.terms, false));
  }
  terms.push(...termList(context, `${path}.terms`, value.terms));
  return terms;
}

/** One entry of a term array: a term, a row of terms, or an include object. */
function termEntry(context: FieldContext, entryPath: string, entry: unknown): string[] {
  if (Array.isArray(entry)) return entry.map((term, at) => requireTerm(context.origin, `${entryPath}[${at}]`, term));
  if (isRecord(entry)) return termList(context, entryPath, entry);
  return [requireTerm(context.origin, entryPath, entry)];
}
