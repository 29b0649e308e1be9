/**
 * Measures the detector on a labeled JSON Lines file (LABELING.md format):
 *   npm run eval -- <file.jsonl> [--split-date 2025-04-20] [--baseline keyword] [--story id] [--quiet]
 * Reports the halves before/after the split date separately because later months are what matters.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { FeedItem } from '../src/core/feed';
import { STANCE_LABELS, type StanceLabel } from '../src/core/story';
import { classifyItem, loadStory, type StoryDefinition } from '../src/detection/index';

interface LabeledItem {
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

interface Prediction {
  followUp: boolean;
  score: number;
  stances: Record<string, StanceLabel>;
}

type Predictor = (item: FeedItem) => Prediction;

function classifierPredictor(story: StoryDefinition): Predictor {
  return (item) => {
    const result = classifyItem(item, story);
    return {
      followUp: result.followUp,
      score: result.score,
      stances: Object.fromEntries(result.stances.map((stance) => [stance.party, stance.label])),
    };
  };
}

const keywordPredictor: Predictor = (item) => {
  const followUp = /cease-?fire|truce/i.test(`${item.title} ${item.description}`);
  return { followUp, score: followUp ? 1 : 0, stances: {} };
};

interface Scores {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}

function scores(tp: number, fp: number, fn: number): Scores {
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

function report(
  name: string,
  items: LabeledItem[],
  predictions: Map<string, Prediction>,
  parties: string[],
  verbose: boolean,
) {
  const lines: string[] = [`== ${name}: ${items.length} items`];
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
  lines.push(format('follow-up', scores(tp, fp, fn)));
  lines.push(format('stance', scores(stanceTp, stanceFp, stanceFn)));
  const columns = [...STANCE_LABELS, 'none'];
  for (const party of parties) {
    lines.push(
      `  ${`${party} (rows gold, columns predicted)`.padEnd(38)}${columns.map((column) => column.padStart(13)).join('')}`,
    );
    for (const gold of columns) {
      const row = confusion.get(`${party}:${gold}`);
      lines.push(
        `    ${gold.padEnd(36)}${columns.map((column) => String(row?.get(column) ?? 0).padStart(13)).join('')}`,
      );
    }
  }
  if (verbose && misses.length > 0) lines.push('misclassified:', ...misses);
  return lines.join('\n');
}

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      'split-date': { type: 'string', default: '2025-04-20' },
      baseline: { type: 'string' },
      story: { type: 'string', default: 'ceasefire-2025' },
      'stories-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write(
      'usage: npm run eval -- <file.jsonl> [--split-date YYYY-MM-DD] [--baseline keyword] [--quiet]\n',
    );
    return 2;
  }
  if (values.baseline !== undefined && values.baseline !== 'keyword') {
    process.stderr.write(`unknown baseline "${values.baseline}" (only "keyword")\n`);
    return 2;
  }
  const story = loadStory(values.story ?? 'ceasefire-2025', values['stories-dir']);
  const predictor = values.baseline === 'keyword' ? keywordPredictor : classifierPredictor(story);
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LabeledItem);

  const predictions = new Map<string, Prediction>();
  const started = performance.now();
  for (const item of items) predictions.set(item.id, predictor(toFeedItem(item)));
  const elapsedMs = performance.now() - started;

  const split = values['split-date'] ?? '2025-04-20';
  const early = items.filter((item) => (item.published ?? '') < split);
  const late = items.filter((item) => (item.published ?? '') >= split);
  const parties = story.parties.map((party) => party.id);
  const verbose = !values.quiet;
  process.stdout.write(`story ${story.id}, mode ${values.baseline ?? 'classifier'}, file ${file}\n`);
  process.stdout.write(`${report(`before ${split}`, early, predictions, parties, verbose)}\n\n`);
  process.stdout.write(`${report(`from ${split}`, late, predictions, parties, verbose)}\n\n`);
  process.stdout.write(`${report('overall', items, predictions, parties, false)}\n\n`);
  process.stdout.write(
    `classified ${items.length} items in ${elapsedMs.toFixed(1)} ms (first pass includes compiling the story)\n`,
  );
  return 0;
}

process.exitCode = await run();
