/**
 * Measures the detector on a labeled JSON Lines file (LABELING.md format):
 *   npm run eval -- <file.jsonl> [--split-date 2025-04-20] [--baseline keyword] [--story id] [--quiet]
 *                  [--reader rules|bedrock|openai] [--llm-endpoint URL] [--llm-model M] [--bedrock-region R]
 *                  [--bedrock-endpoint URL] [--gate 0.15]
 * Reports the halves before/after the split date separately because later months are what matters, then one
 * line per month and per language. `stance*` counts only items that are not borderline, as follow-ups do.
 * Then the reader's gate (recall and pass share per month and language) and the end-to-end alert check.
 */
import { parseArgs } from 'node:util';
import type { Reader, Reading } from '../src/core/ports/reader';
import { loadStory, type StoryDefinition } from '../src/detection/index';
import { createReader, isLlmReader, parseReaderKind, type ReaderConfig } from '../src/reader/config';
import { GATE_THRESHOLD } from '../src/reader/llm-reader';
import {
  classifierPredictor,
  evaluateSlice,
  formatSlice,
  formatSliceTable,
  keywordPredictor,
  type LabeledItem,
  languageOf,
  monthOf,
  type Prediction,
  predictAll,
  readLabeledFile,
  sliceBy,
} from './lib/evaluation';
import { checkAlerts, formatAlertCheck, formatGateTable, predictionsOf, readAll } from './lib/reader-evaluation';

const USAGE = 'usage: npm run eval -- <file.jsonl> [--split-date YYYY-MM-DD] [--baseline keyword] [--quiet]\n';
const DEFAULT_SPLIT = '2025-04-20';

type Values = Record<string, string | boolean | undefined>;

/** What one run measures: the file, the story, and which predictor (rules, keyword baseline or a reader). */
interface EvalRun {
  file: string;
  story: StoryDefinition;
  items: LabeledItem[];
  split: string;
  gate: number;
  verbose: boolean;
  baseline?: 'keyword';
  reader?: Reader;
}

/** The run the command line asks for, or the exit code of a usage error. */
function parseRun(args: string[]): EvalRun | number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'split-date': { type: 'string', default: DEFAULT_SPLIT },
      baseline: { type: 'string' },
      story: { type: 'string', default: 'ceasefire-2025' },
      'stories-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      reader: { type: 'string' },
      'llm-endpoint': { type: 'string' },
      'llm-model': { type: 'string' },
      'bedrock-region': { type: 'string' },
      'bedrock-endpoint': { type: 'string' },
      gate: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (values.baseline !== undefined && values.baseline !== 'keyword') {
    process.stderr.write(`unknown baseline "${values.baseline}" (only "keyword")\n`);
    return 2;
  }
  const gate = values.gate === undefined ? GATE_THRESHOLD : Number(values.gate);
  return {
    file,
    story: loadStory(values.story ?? 'ceasefire-2025', values['stories-dir']),
    items: readLabeledFile(file),
    split: values['split-date'] ?? DEFAULT_SPLIT,
    gate,
    verbose: !values.quiet,
    ...(values.baseline === 'keyword' ? { baseline: 'keyword' as const } : {}),
    ...(values.reader === undefined ? {} : { reader: createReader(readerConfig(values, gate)) }),
  };
}

function readerConfig(values: Values, gate: number): ReaderConfig {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const kind = parseReaderKind(text('reader'));
  const endpoint = text('bedrock-endpoint');
  const region = text('bedrock-region') ?? process.env.AWS_REGION ?? (endpoint ? 'us-east-1' : undefined);
  const model = text('llm-model');
  return {
    reader: kind,
    gateThreshold: gate,
    ...(region ? { bedrockRegion: region } : {}),
    ...(endpoint ? { bedrockEndpoint: endpoint } : {}),
    ...(kind === 'bedrock' && model ? { bedrockModelId: model } : {}),
    ...(kind === 'openai' && model ? { llmModel: model } : {}),
    ...(text('llm-endpoint') ? { llmEndpoint: text('llm-endpoint') } : {}),
  };
}

interface Predicted {
  predictions: Map<string, Prediction>;
  /** Only when a reader read the items: what the alert check replays. */
  readings?: Reading[];
  elapsedMs: number;
}

async function predict(run: EvalRun): Promise<Predicted> {
  const started = performance.now();
  if (run.reader) {
    const readings = await readAll(run.items, run.reader, run.story);
    return { predictions: predictionsOf(readings), readings, elapsedMs: performance.now() - started };
  }
  const predictor = run.baseline === 'keyword' ? keywordPredictor : classifierPredictor(run.story);
  return { predictions: predictAll(run.items, predictor), elapsedMs: performance.now() - started };
}

/** The halves around the split date with their confusion tables, the whole file, then per month and language. */
function detectionReport(run: EvalRun, predictions: Map<string, Prediction>): string {
  const { items, split, story } = run;
  const parties = story.parties.map((party) => party.id);
  const slice = (name: string, sliceItems: LabeledItem[], withMisses: boolean) =>
    `${formatSlice(name, evaluateSlice(sliceItems, predictions, parties), parties, withMisses)}\n\n`;
  return [
    slice(
      `before ${split}`,
      items.filter((item) => (item.published ?? '') < split),
      run.verbose,
    ),
    slice(
      `from ${split}`,
      items.filter((item) => (item.published ?? '') >= split),
      run.verbose,
    ),
    slice('overall', items, false),
    `${formatSliceTable('per month', sliceBy(items, monthOf), predictions, parties)}\n\n`,
    `${formatSliceTable('per language', sliceBy(items, languageOf), predictions, parties)}\n\n`,
  ].join('');
}

/** The gate's recall and pass share per month with the whole file's row last, then per language. */
function gateReport(run: EvalRun): string {
  const { items, story, gate } = run;
  const perLanguage = formatGateTable(sliceBy(items, languageOf), story, gate).split('\n').slice(1).join('\n');
  return `${formatGateTable([...sliceBy(items, monthOf), ['file', items]], story, gate)}\n${perLanguage}\n\n`;
}

async function main(): Promise<number> {
  const run = parseRun(process.argv.slice(2));
  if (typeof run === 'number') return run;
  const { predictions, readings, elapsedMs } = await predict(run);
  const mode = run.reader?.id ?? run.baseline ?? 'classifier';
  process.stdout.write(`story ${run.story.id}, mode ${mode}, file ${run.file}\n`);
  process.stdout.write(detectionReport(run, predictions));
  process.stdout.write(gateReport(run));
  if (readings) {
    process.stdout.write(`${formatAlertCheck(await checkAlerts(readings, run.items, run.story), run.verbose)}\n\n`);
    if (run.reader && isLlmReader(run.reader))
      process.stdout.write(`reader stats ${JSON.stringify(run.reader.stats())}\n`);
  }
  process.stdout.write(
    `classified ${run.items.length} items in ${elapsedMs.toFixed(1)} ms (first pass includes compiling the story)\n`,
  );
  return 0;
}

process.exitCode = await main();
