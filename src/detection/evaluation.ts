/**
 * Scoring of the detector against a labeled JSON Lines file (LABELING.md format): shared by `npm run eval`, the
 * bench and `storywatch story check --against`.
 */
import { readFileSync } from 'node:fs';
import type { FeedItem } from '../core/feed';
import { STANCE_LABELS, type StanceLabel } from '../core/story';
import { classifyItem } from './classify';
import { adaptProfile, initialProfile } from './profile';
import type { StoryDefinition } from './story';

export interface LabeledItem {
  id: string;
  source: string;
  link: string | null;
  published: string | null;
  title: string;
  description: string;
  followUp: boolean;
  borderline: boolean;
  stances: Record<string, StanceLabel>;
}

export interface Prediction {
  followUp: boolean;
  score: number;
  stances: Record<string, StanceLabel>;
}

export type Predictor = (item: FeedItem) => Prediction;

/**
 * The rules as they run in the pipeline: items are judged in the order given (published order, see `predictAll`)
 * and each follow-up teaches the story profile the next items are judged with. `learn: false` reads every item
 * with the story file alone.
 */
export function classifierPredictor(story: StoryDefinition, options: { learn?: boolean } = {}): Predictor {
  let profile = initialProfile(story);
  return (item) => {
    const result = classifyItem(item, story, options.learn === false ? undefined : profile);
    if (options.learn !== false && result.followUp && result.summary) {
      profile = adaptProfile(profile, result.summary, story);
    }
    return {
      followUp: result.followUp,
      score: result.score,
      stances: Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label])),
    };
  };
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}

export function scores(tp: number, fp: number, fn: number): Scores {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, tp, fp, fn };
}

function format(name: string, value: Scores): string {
  return `${name.padEnd(10)} P ${value.precision.toFixed(3)}  R ${value.recall.toFixed(3)}  F1 ${value.f1.toFixed(3)}  (tp ${value.tp}, fp ${value.fp}, fn ${value.fn})`;
}

export function toFeedItem(labeled: LabeledItem): FeedItem {
  return {
    id: labeled.id,
    title: labeled.title ?? '',
    description: labeled.description ?? '',
    link: labeled.link ?? null,
    published: labeled.published ?? null,
    source: labeled.source ?? '',
    language: null,
  };
}

export interface SliceEvaluation {
  items: number;
  followUp: Scores;
  /** Over every item, borderline ones included (they carry stance labels too). */
  stance: Scores;
  /** Over the items that are not borderline, as the follow-up figures are counted. */
  stanceDecided: Scores;
  /** `${party}:${gold}` → predicted label → count. */
  confusion: Map<string, Map<string, number>>;
  misses: string[];
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** What one slice is counting while its items are scored. */
interface SliceTally {
  followUp: Counts;
  stance: Counts;
  stanceDecided: Counts;
  confusion: Map<string, Map<string, number>>;
  misses: string[];
}

function count(counts: Counts, outcome: { hit: boolean; falsePositive: boolean; falseNegative: boolean }): void {
  counts.tp += outcome.hit ? 1 : 0;
  counts.fp += outcome.falsePositive ? 1 : 0;
  counts.fn += outcome.falseNegative ? 1 : 0;
}

function countFollowUp(tally: SliceTally, item: LabeledItem, prediction: Prediction): void {
  const hit = prediction.followUp && item.followUp;
  count(tally.followUp, {
    hit,
    falsePositive: !hit && prediction.followUp,
    falseNegative: !prediction.followUp && item.followUp,
  });
  if (prediction.followUp !== item.followUp) {
    tally.misses.push(
      `  ${prediction.followUp ? 'FP' : 'FN'} ${prediction.score.toFixed(2)} ${item.published?.slice(0, 10)} ${item.title}`,
    );
  }
}

function countStance(tally: SliceTally, item: LabeledItem, prediction: Prediction, party: string): void {
  const gold = item.stances[party] ?? 'none';
  const predicted = prediction.stances[party] ?? 'none';
  const key = `${party}:${gold}`;
  const row = tally.confusion.get(key) ?? new Map<string, number>();
  row.set(predicted, (row.get(predicted) ?? 0) + 1);
  tally.confusion.set(key, row);
  const hit = gold !== 'none' && gold === predicted;
  const outcome = { hit, falsePositive: !hit && predicted !== 'none', falseNegative: !hit && gold !== 'none' };
  count(tally.stance, outcome);
  if (!item.borderline) count(tally.stanceDecided, outcome);
  if (gold !== predicted && (gold !== 'none' || predicted !== 'none')) {
    tally.misses.push(`  stance ${party}: gold ${gold}, got ${predicted} — ${item.title}`);
  }
}

/** Scores one slice: follow-up P/R/F1 with borderline items left out, stance P/R/F1 over (item, party, label). */
export function evaluateSlice(
  items: LabeledItem[],
  predictions: Map<string, Prediction>,
  parties: string[],
): SliceEvaluation {
  const tally: SliceTally = {
    followUp: { tp: 0, fp: 0, fn: 0 },
    stance: { tp: 0, fp: 0, fn: 0 },
    stanceDecided: { tp: 0, fp: 0, fn: 0 },
    confusion: new Map(),
    misses: [],
  };
  for (const item of items) {
    const prediction = predictions.get(item.id);
    if (!prediction) continue;
    if (!item.borderline) countFollowUp(tally, item, prediction);
    // Stance triples: borderline items still carry stance labels, so they count here.
    for (const party of parties) countStance(tally, item, prediction, party);
  }
  const of = (counts: Counts) => scores(counts.tp, counts.fp, counts.fn);
  return {
    items: items.length,
    followUp: of(tally.followUp),
    stance: of(tally.stance),
    stanceDecided: of(tally.stanceDecided),
    confusion: tally.confusion,
    misses: tally.misses,
  };
}

export function formatSlice(name: string, evaluation: SliceEvaluation, parties: string[], verbose: boolean): string {
  const lines: string[] = [`== ${name}: ${evaluation.items} items`];
  lines.push(format('follow-up', evaluation.followUp));
  lines.push(format('stance', evaluation.stance));
  lines.push(format('stance*', evaluation.stanceDecided));
  const columns = [...STANCE_LABELS, 'none'];
  for (const party of parties) {
    lines.push(
      `  ${`${party} (rows gold, columns predicted)`.padEnd(38)}${columns.map((column) => column.padStart(13)).join('')}`,
    );
    for (const gold of columns) {
      const row = evaluation.confusion.get(`${party}:${gold}`);
      lines.push(
        `    ${gold.padEnd(36)}${columns.map((column) => String(row?.get(column) ?? 0).padStart(13)).join('')}`,
      );
    }
  }
  if (verbose && evaluation.misses.length > 0) lines.push('misclassified:', ...evaluation.misses);
  return lines.join('\n');
}

export function readLabeledFile(file: string): LabeledItem[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LabeledItem);
}

/** Predicts in published order (undated last, then file order), as the pipeline reads, whatever the file's order. */
export function predictAll(items: LabeledItem[], predictor: Predictor): Map<string, Prediction> {
  const time = (item: LabeledItem) => (item.published ? Date.parse(item.published) : Number.POSITIVE_INFINITY);
  const ordered = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => time(a.item) - time(b.item) || a.index - b.index);
  const predictions = new Map(ordered.map(({ item }) => [item.id, predictor(toFeedItem(item))]));
  return new Map(items.map((item) => [item.id, predictions.get(item.id) as Prediction]));
}

/** Calendar month of publication (`2026-02`), or `undated`. */
export function monthOf(item: LabeledItem): string {
  const published = item.published ?? '';
  return /^\d{4}-\d{2}/.test(published) ? published.slice(0, 7) : 'undated';
}

// Letters only Russian writes (first) and only Ukrainian writes (second).
const FIRST_LANGUAGE_LETTERS = /[ыэъёЫЭЪЁ]/;
const SECOND_LANGUAGE_LETTERS = /[іїєґІЇЄҐ]/;
const CYRILLIC = /[\u0400-\u04ff]/;

/**
 * Language of an item from its letters: the labeled files carry none, and the letters that only one of the two
 * Cyrillic languages uses tell Russian from Ukrainian well enough for slicing figures.
 */
export function languageOf(item: LabeledItem): string {
  const text = `${item.title} ${item.description}`;
  if (!CYRILLIC.test(text)) return 'en';
  const ukLetters = (text.match(new RegExp(SECOND_LANGUAGE_LETTERS.source, 'g')) ?? []).length;
  const ruLetters = (text.match(new RegExp(FIRST_LANGUAGE_LETTERS.source, 'g')) ?? []).length;
  return ukLetters > ruLetters ? 'uk' : 'ru';
}

export type SliceKey = (item: LabeledItem) => string;

/** Items grouped by a key (month, language), groups in key order. */
export function sliceBy(items: LabeledItem[], key: SliceKey): [string, LabeledItem[]][] {
  const groups = new Map<string, LabeledItem[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name) ?? [];
    group.push(item);
    groups.set(name, group);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function cell(value: Scores): string {
  return `${value.f1.toFixed(3)} (${value.tp}/${value.fp}/${value.fn})`.padEnd(20);
}

/** One line per group: items, follow-up F1, stance F1 over all items and over non-borderline items. */
export function formatSliceTable(
  title: string,
  groups: [string, LabeledItem[]][],
  predictions: Map<string, Prediction>,
  parties: string[],
): string {
  const lines = [
    `== ${title}  (F1 (tp/fp/fn); stance* leaves borderline items out)`,
    `${'slice'.padEnd(10)}${'items'.padStart(6)}  ${'follow-up'.padEnd(20)}${'stance'.padEnd(20)}${'stance*'.padEnd(20)}`,
  ];
  for (const [name, group] of groups) {
    const evaluation = evaluateSlice(group, predictions, parties);
    lines.push(
      `${name.padEnd(10)}${String(group.length).padStart(6)}  ${cell(evaluation.followUp)}${cell(evaluation.stance)}${cell(evaluation.stanceDecided)}`,
    );
  }
  return lines.join('\n');
}
