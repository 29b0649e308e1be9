import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStory } from '../../../src/detection/index';
import { compileStory, scanLexicon } from '../../../src/detection/lexicon';

const ACTORS = join(__dirname, '../../../stories/shared/actors');
const CYRILLIC = /[а-яёіїєґ]/iu;

function countryNames(file: string): string[] {
  const list = JSON.parse(readFileSync(join(ACTORS, file), 'utf8')) as { aliases: Record<string, string[]> };
  return list.aliases.country ?? [];
}

const countryLists = readdirSync(ACTORS).filter((file) => file.endsWith('.json') && countryNames(file).length > 0);

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

describe('the United States list in Russian and Ukrainian', () => {
  const story = compileStory(loadStory('ceasefire-2025'));
  const partiesIn = (text: string) => scanLexicon(story, text).map((hit) => hit.roles.party);

  it.each([
    'Киев передал ответ Соединённым Штатам',
    'В Соединенных Штатах обсуждают новый план',
    'Переговоры с Америкой отложены',
    'Делегация прибыла в Вашингтон',
    'Пропозицію передали Сполученим Штатам',
    'Україна чекає на відповідь від Америки',
    'Зустріч у Вашингтоні перенесли',
  ])('names the United States in "%s"', (text) => {
    expect(partiesIn(text)).toContain('us');
  });

  it('does not take the bare word "Штаты" for the country', () => {
    expect(partiesIn('Штаты и регионы приняли бюджет')).not.toContain('us');
  });
});
