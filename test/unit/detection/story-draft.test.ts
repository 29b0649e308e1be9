import { describe, expect, it } from 'vitest';
import { DEFAULT_STORIES_DIR, validateStory } from '../../../src/detection/index';
import { sharedListReader } from '../../../src/detection/story';
import { draftStory, truncateAtSentence } from '../../../src/detection/story-draft';
import { draftConditions } from '../../../src/detection/story-draft-conditions';
import { formatStoryJson } from '../../../src/detection/story-format';

describe('conditions drafted from a seed’s demands', () => {
  it('splits what follows a demand at "and" and commas, without the reason or the names after it', () => {
    const conditions = draftConditions(
      'Washington demands an end to export subsidies and market access for American farm goods. ' +
        'Beijing insists on the removal of chip export controls before any deal.',
    );
    expect(conditions).toEqual([
      { id: 'export_subsidies', terms: ['export subsidies', 'subsidies'] },
      { id: 'market_access', terms: ['market access', 'access'] },
      { id: 'export_controls', terms: ['chip export controls', 'controls'] },
    ]);
  });

  it('reads Russian and Ukrainian demands too, with ids in Latin letters', () => {
    const ids = draftConditions('Москва требует вывода войск. Київ погодиться лише за умови гарантій безпеки.').map(
      (condition) => condition.id,
    );
    expect(ids).toEqual(['vyvoda_voysk', 'garantiy_bezpeki']);
  });

  it('takes the object of a clause a demand opens, not its subject and verb', () => {
    const conditions = draftConditions(
      'The strike goes on until the employers put a fair wage deal on the table. They want market access for the farmers.',
    );
    expect(conditions.map((condition) => condition.id)).toEqual(['wage_deal']);
    expect(conditions[0]?.terms).toContain('fair wage deal');
    expect(draftConditions('Talks resume only with market access for the farmers.')).toEqual([
      { id: 'market_access', terms: ['market access', 'access'] },
    ]);
  });

  it('finds none in a text that demands nothing', () => {
    expect(draftConditions('The talks went on for three hours in a calm mood.')).toEqual([]);
  });
});

describe('draftStory', () => {
  const seed = [
    'Northwind and Southport trade blame as the harbour levy dispute drags on',
    'Officials from China met the White House trade team on Monday about the harbour levy dispute. ' +
      'The harbour levy dispute began when Beijing raised port fees. Washington demands a cap on harbour fees.',
  ].join('\n');

  it('drafts a story that validates with the shared lists, parties from the actors the seed names', () => {
    const draft = draftStory({ seeds: [seed], storiesDir: DEFAULT_STORIES_DIR, startDate: '2031-05-01' });
    const story = validateStory(draft.json, 'draft.json', sharedListReader(DEFAULT_STORIES_DIR));
    expect(story.parties.map((party) => party.id).sort()).toEqual(['china', 'us']);
    expect(story.topic.map((entry) => entry.term)).toEqual(expect.arrayContaining(['harbour levy', 'levy dispute']));
    expect(story.startDate).toBe('2031-05-01');
    expect(story.conditions.map((condition) => condition.id)).toEqual(['harbour_fees']);
    expect(draft.json.otherStories).toEqual([]);
    expect(draft.notes.join(' ')).toMatch(/Names no shared list knows: .*Southport/);
  });

  it('drafts a valid story from a Russian seed: its id, party ids and condition ids in Latin letters', () => {
    const russian = [
      'Аграрии Литвы и Латвии выходят на протест против пошлин',
      'Аграрии Литвы вышли на протест во вторник. Союз аграриев требует снижения пошлин на удобрения. ' +
        'Министр Ирена Кальве заявила, что снижение пошлин обсудят в июне.',
    ].join('\n');
    const draft = draftStory({ seeds: [russian], storiesDir: DEFAULT_STORIES_DIR, startDate: '2031-06-01' });
    const story = validateStory(draft.json, 'draft.json', sharedListReader(DEFAULT_STORIES_DIR));
    expect(story.id).toMatch(/^agrarii-litvy/);
    for (const id of [...story.parties, ...story.conditions].map((entry) => entry.id))
      expect(id).toMatch(/^[a-z0-9_-]+$/);
    expect(story.conditions.length).toBeGreaterThan(0);
  });

  it('leaves words any news uses out of the topic words, in every form, but keeps them in phrases', () => {
    const strike = [
      'Dockworkers walk out after employers offer a small raise',
      'Dockworkers walked out after the employers offered a small raise. The dockworkers said the offer was ' +
        'final only in name and that they would walk out again. Dockworkers want a wage deal.',
    ].join('\n');
    const topic = draftStory({ seeds: [strike], storiesDir: DEFAULT_STORIES_DIR }).json.topic as { terms: string[] }[];
    const terms = topic.flatMap((entry) => entry.terms);
    expect(terms).toEqual(expect.arrayContaining(['raise', 'small raise']));
    for (const common of ['offer', 'offered', 'walk', 'walked', 'small', 'final']) expect(terms).not.toContain(common);
  });

  it('writes short lists on one line and long ones one entry per line, within 120 columns', () => {
    const text = formatStoryJson({
      short: ['a', 'b'],
      long: Array.from({ length: 30 }, (_, index) => `term ${index}`),
    });
    expect(text).toContain('"short": ["a", "b"]');
    expect(text.split('\n').every((line) => line.length <= 120)).toBe(true);
    expect(JSON.parse(text).long).toHaveLength(30);
  });
});

describe('seed text kept in a draft', () => {
  it('keeps whole sentences that fit the limit', () => {
    expect(truncateAtSentence('Talks resumed on Monday. Both sides met again on Friday.', 30)).toBe(
      'Talks resumed on Monday.',
    );
  });

  it('cuts a first sentence past the limit at a word, marked, and never splits an emoji', () => {
    const sentence = `Negotiators ${'🤝'.repeat(3)} met for a long and difficult round of talks that went on all night`;
    const kept = truncateAtSentence(sentence, 14);
    expect([...kept].length).toBeLessThanOrEqual(14);
    expect(kept.endsWith('…')).toBe(true);
    expect(kept).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(truncateAtSentence(`${'word '.repeat(20)}end`, 40)).toBe(`${'word '.repeat(7).trimEnd()}…`);
  });
});
