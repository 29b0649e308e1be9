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
import { loadStory } from '../src/detection/index';
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
  predictAll,
  readLabeledFile,
  sliceBy,
} from './lib/evaluation';
import { checkAlerts, formatAlertCheck, formatGateTable, predictionsOf, readAll } from './lib/reader-evaluation';

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
  const items = readLabeledFile(file);
  const gate = values.gate === undefined ? GATE_THRESHOLD : Number(values.gate);
  const reader = values.reader === undefined ? undefined : createReader(readerConfig(values, gate));
  const started = performance.now();
  const readings = reader ? await readAll(items, reader, story) : undefined;
  const predictions = readings
    ? predictionsOf(readings)
    : predictAll(items, values.baseline === 'keyword' ? keywordPredictor : classifierPredictor(story));
  const elapsedMs = performance.now() - started;

  const split = values['split-date'] ?? '2025-04-20';
  const early = items.filter((item) => (item.published ?? '') < split);
  const late = items.filter((item) => (item.published ?? '') >= split);
  const parties = story.parties.map((party) => party.id);
  const verbose = !values.quiet;
  process.stdout.write(`story ${story.id}, mode ${reader?.id ?? values.baseline ?? 'classifier'}, file ${file}\n`);
  const slice = (name: string, sliceItems: LabeledItem[], withMisses: boolean) =>
    `${formatSlice(name, evaluateSlice(sliceItems, predictions, parties), parties, withMisses)}\n\n`;
  process.stdout.write(slice(`before ${split}`, early, verbose));
  process.stdout.write(slice(`from ${split}`, late, verbose));
  process.stdout.write(slice('overall', items, false));
  process.stdout.write(`${formatSliceTable('per month', sliceBy(items, monthOf), predictions, parties)}\n\n`);
  process.stdout.write(`${formatSliceTable('per language', sliceBy(items, languageOf), predictions, parties)}\n\n`);
  // The whole file's row last: the recall and pass share the issue asks for per file, then per month.
  process.stdout.write(`${formatGateTable([...sliceBy(items, monthOf), ['file', items]], story, gate)}\n`);
  process.stdout.write(
    `${formatGateTable(sliceBy(items, languageOf), story, gate).split('\n').slice(1).join('\n')}\n\n`,
  );
  if (readings) {
    process.stdout.write(`${formatAlertCheck(await checkAlerts(readings, items, story), verbose)}\n\n`);
    if (reader && isLlmReader(reader)) process.stdout.write(`reader stats ${JSON.stringify(reader.stats())}\n`);
  }
  process.stdout.write(
    `classified ${items.length} items in ${elapsedMs.toFixed(1)} ms (first pass includes compiling the story)\n`,
  );
  return 0;
}

function readerConfig(values: Record<string, string | boolean | undefined>, gate: number): ReaderConfig {
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

process.exitCode = await run();
