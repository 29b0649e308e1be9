/**
 * Measures the detector on a labeled JSON Lines file (LABELING.md format):
 *   npm run eval -- <file.jsonl> [--split-date 2025-04-20] [--baseline keyword] [--story id] [--quiet]
 * Reports the halves before/after the split date separately because later months are what matters, then one
 * line per month and per language. `stance*` counts only items that are not borderline, as follow-ups do.
 */
import { parseArgs } from 'node:util';
import { loadStory } from '../src/detection/index';
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
  const items = readLabeledFile(file);
  const started = performance.now();
  const predictions = predictAll(items, predictor);
  const elapsedMs = performance.now() - started;

  const split = values['split-date'] ?? '2025-04-20';
  const early = items.filter((item) => (item.published ?? '') < split);
  const late = items.filter((item) => (item.published ?? '') >= split);
  const parties = story.parties.map((party) => party.id);
  const verbose = !values.quiet;
  process.stdout.write(`story ${story.id}, mode ${values.baseline ?? 'classifier'}, file ${file}\n`);
  const slice = (name: string, sliceItems: LabeledItem[], withMisses: boolean) =>
    `${formatSlice(name, evaluateSlice(sliceItems, predictions, parties), parties, withMisses)}\n\n`;
  process.stdout.write(slice(`before ${split}`, early, verbose));
  process.stdout.write(slice(`from ${split}`, late, verbose));
  process.stdout.write(slice('overall', items, false));
  process.stdout.write(`${formatSliceTable('per month', sliceBy(items, monthOf), predictions, parties)}\n\n`);
  process.stdout.write(`${formatSliceTable('per language', sliceBy(items, languageOf), predictions, parties)}\n\n`);
  process.stdout.write(
    `classified ${items.length} items in ${elapsedMs.toFixed(1)} ms (first pass includes compiling the story)\n`,
  );
  return 0;
}

process.exitCode = await run();
