/** Scoring of the detector against a labeled JSON Lines file (LABELING.md format): shared by `npm run eval` and the bench. */
import { readFileSync } from 'node:fs';
import type { FeedItem } from '../../src/core/feed';
import { STANCE_LABELS, type StanceLabel } from '../../src/core/story';
import { classifyItem, type StoryDefinition } from '../../src/detection/index';

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

export function classifierPredictor(story: StoryDefinition): Predictor {
  return (item) => {
    const result = classifyItem(item, story);
    return {
      followUp: result.followUp,
      score: result.score,
      stances: Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label])),
    };
  };
}

export const keywordPredictor: Predictor = (item) => {
  const followUp = /cease-?fire|truce/i.test(`${item.title} ${item.description}`);
  return { followUp, score: followUp ? 1 : 0, stances: {} };
};

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

function toFeedItem(labeled: LabeledItem): FeedItem {
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
  stance: Scores;
  /** `${party}:${gold}` → predicted label → count. */
  confusion: Map<string, Map<string, number>>;
  misses: string[];
}

/** Scores one slice: follow-up P/R/F1 with borderline items left out, stance P/R/F1 over (item, party, label). */
export function evaluateSlice(
  items: LabeledItem[],
  predictions: Map<string, Prediction>,
  parties: string[],
): SliceEvaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let stanceTp = 0;
  let stanceFp = 0;
  let stanceFn = 0;
  const confusion = new Map<string, Map<string, number>>();
  const misses: string[] = [];
  for (const item of items) {
    const prediction = predictions.get(item.id);
    if (!prediction) continue;
    if (!item.borderline) {
      if (prediction.followUp && item.followUp) tp++;
      else if (prediction.followUp) fp++;
      else if (item.followUp) fn++;
      if (prediction.followUp !== item.followUp) {
        misses.push(
          `  ${prediction.followUp ? 'FP' : 'FN'} ${prediction.score.toFixed(2)} ${item.published?.slice(0, 10)} ${item.title}`,
        );
      }
    }
    // Stance triples: borderline items still carry stance labels, so they count here.
    for (const party of parties) {
      const gold = item.stances[party] ?? 'none';
      const predicted = prediction.stances[party] ?? 'none';
      const row = confusion.get(`${party}:${gold}`) ?? new Map<string, number>();
      row.set(predicted, (row.get(predicted) ?? 0) + 1);
      confusion.set(`${party}:${gold}`, row);
      if (gold !== 'none' && gold === predicted) stanceTp++;
      else {
        if (predicted !== 'none') stanceFp++;
        if (gold !== 'none') stanceFn++;
      }
      if (gold !== predicted && (gold !== 'none' || predicted !== 'none')) {
        misses.push(`  stance ${party}: gold ${gold}, got ${predicted} — ${item.title}`);
      }
    }
  }
  return {
    items: items.length,
    followUp: scores(tp, fp, fn),
    stance: scores(stanceTp, stanceFp, stanceFn),
    confusion,
    misses,
  };
}

export function formatSlice(name: string, evaluation: SliceEvaluation, parties: string[], verbose: boolean): string {
  const lines: string[] = [`== ${name}: ${evaluation.items} items`];
  lines.push(format('follow-up', evaluation.followUp));
  lines.push(format('stance', evaluation.stance));
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

export function predictAll(items: LabeledItem[], predictor: Predictor): Map<string, Prediction> {
  return new Map(items.map((item) => [item.id, predictor(toFeedItem(item))]));
}
