import { describe, expect, it } from 'vitest';
import {
  evaluateSlice,
  formatSliceTable,
  type LabeledItem,
  languageOf,
  monthOf,
  type Prediction,
  sliceBy,
} from '../../../scripts/lib/evaluation';

function labeled(id: string, fields: Partial<LabeledItem>): LabeledItem {
  return {
    id,
    source: 'test',
    link: null,
    published: '2026-02-03T10:00:00Z',
    title: 'A title',
    description: '',
    followUp: false,
    borderline: false,
    stances: {},
    ...fields,
  };
}

describe('evaluation slices', () => {
  it('groups items by calendar month in date order, undated ones apart', () => {
    const items = [
      labeled('a', { published: '2026-03-01T00:00:00Z' }),
      labeled('b', { published: '2025-12-31T23:00:00Z' }),
      labeled('c', { published: null }),
      labeled('d', { published: '2026-03-20T00:00:00Z' }),
    ];
    expect(sliceBy(items, monthOf).map(([name, group]) => [name, group.map((item) => item.id)])).toEqual([
      ['2025-12', ['b']],
      ['2026-03', ['a', 'd']],
      ['undated', ['c']],
    ]);
  });

  it('tells English, Russian and Ukrainian items apart by their letters', () => {
    expect(languageOf(labeled('en', { title: 'Kremlin rejects the truce' }))).toBe('en');
    expect(languageOf(labeled('ru', { title: 'Кремль отверг перемирие, заявил Песков' }))).toBe('ru');
    expect(languageOf(labeled('uk', { title: 'Київ підтримує перемир’я, заявив міністр' }))).toBe('uk');
  });

  it('scores stances on non-borderline items separately from all items', () => {
    const items = [
      labeled('sure', { followUp: true, stances: { russia: 'opposes' } }),
      labeled('unsure', { followUp: true, borderline: true, stances: { russia: 'supports' } }),
    ];
    const predictions = new Map<string, Prediction>([
      ['sure', { followUp: true, score: 1, stances: { russia: 'opposes' } }],
      ['unsure', { followUp: true, score: 1, stances: {} }],
    ]);
    const evaluation = evaluateSlice(items, predictions, ['russia']);
    expect(evaluation.stance).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(evaluation.stanceDecided).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    const table = formatSliceTable('per month', sliceBy(items, monthOf), predictions, ['russia']);
    expect(table).toContain('2026-02');
    expect(table).toMatch(/1\.000 \(1\/0\/0\)\s+0\.667 \(1\/0\/1\)\s+1\.000 \(1\/0\/0\)/);
  });
});
