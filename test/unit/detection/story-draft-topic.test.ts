import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORIES_DIR, validateStory } from '../../../src/detection/index';
import { compileStory, scanLexicon } from '../../../src/detection/lexicon';
import { draftStory } from '../../../src/detection/story-draft';
import { cleanText } from '../../../src/detection/text';
import { FIXTURES } from '../../support/detection-helpers';

/** The article that started the default story, in the team's shared folder beside the repository. */
const SEED_ARTICLE = fileURLToPath(new URL('../../../../shared/seed/ceasefire-article.txt', import.meta.url));
const SEEDS = join(FIXTURES, 'seeds');

const seedText = (name: string) => readFileSync(join(SEEDS, name), 'utf8');

function topicOf(seed: string): { phrases: string[]; words: string[] } {
  const topic = draftStory({ seeds: [seed], storiesDir: DEFAULT_STORIES_DIR }).json.topic as {
    weight?: number;
    terms?: string[];
  }[];
  const row = (weight: number) => topic.find((entry) => entry.weight === weight)?.terms ?? [];
  return { phrases: row(1.2), words: row(0.8) };
}

/** How many times a story term, matched as the detector matches it, is written in a text. */
function uses(term: string, text: string): number {
  const story = validateStory(
    {
      id: 'probe',
      title: 'probe',
      description: 'probe',
      seedText: 'probe',
      startDate: '2031-01-01',
      parties: [{ id: 'none', name: 'none', aliases: ['none'] }],
      topic: [{ term, weight: 1 }],
    },
    'probe',
  );
  return scanLexicon(compileStory(story), cleanText(text.replace(/\n/g, '. '))).length;
}

const seeds: [string, string][] = readdirSync(SEEDS)
  .filter((name) => name.endsWith('.txt'))
  .map((name) => [name, seedText(name)]);
if (existsSync(SEED_ARTICLE)) seeds.push(['the default seed', readFileSync(SEED_ARTICLE, 'utf8')]);

describe('topic terms story init drafts', () => {
  it.each(seeds)('lists only terms %s writes at least twice', (_name, seed) => {
    const { phrases, words } = topicOf(seed);
    expect(phrases.length + words.length).toBeGreaterThan(0);
    for (const term of [...phrases, ...words]) expect(uses(term, seed), term).toBeGreaterThanOrEqual(2);
  });

  it('takes no clause fragment a headline writes once as a phrase, but the names it repeats', () => {
    const seed = seedText('pit-closures-2031.txt');
    const { phrases } = topicOf(seed);
    expect(phrases).toEqual(expect.arrayContaining(['pay offer', 'pit closures']));
    for (const fragment of ['miners reject', 'reject pay', 'closures loom']) {
      expect(seed.toLowerCase()).toContain(fragment);
      expect(phrases).not.toContain(fragment);
    }
  });

  it('does not list alone the words of what parties bargain over, which the draft includes as its matter', () => {
    const { phrases, words } = topicOf(seedText('port-strike-2031.txt'));
    expect(phrases).toContain('wage deal');
    expect(words).not.toContain('deal');
  });

  it('joins the cases of a Russian phrase into stems that match each of them', () => {
    const { phrases } = topicOf(seedText('fuel-levy-2031.txt'));
    const [phrase] = phrases;
    expect(phrase).toBeDefined();
    for (const written of ['топливный сбор', 'топливного сбора', 'топливному сбору']) {
      expect(uses(phrase as string, written), written).toBe(1);
    }
  });

  it('takes no Russian or Ukrainian verb and its object as a phrase, however often the seed writes them', () => {
    const russian = seedText('fuel-levy-2031.txt');
    expect(russian.match(/перекрыли трассы/g)?.length).toBeGreaterThanOrEqual(2);
    expect(topicOf(russian).phrases.join(' ')).not.toMatch(/перекрыл/);
    const ukrainian = [
      'Шахтарі вимагають підвищення зарплати',
      'Шахтарі Донецької області вимагають підвищення зарплати. Профспілка заявила, що шахтарі вимагають ' +
        'підвищення зарплати вже третій місяць.',
    ].join('\n');
    const { phrases } = topicOf(ukrainian);
    expect(phrases.join(' ')).not.toMatch(/вимага/);
    expect(phrases).toContain('підвищення зарплати');
  });
});
