import { existsSync } from 'node:fs';
import { DEV_SET_PATH } from '../lib/corpus';
import { type BenchSection, row, single } from '../lib/report';

/** Detection quality on the labeled dev set, next to the keyword filter; skipped when the file is not reachable. */
export const qualitySection: BenchSection = async () => {
  if (!existsSync(DEV_SET_PATH)) {
    process.stderr.write(`bench: quality skipped, ${DEV_SET_PATH} not found (set STORYWATCH_EVAL_FILE)\n`);
    return [];
  }
  return [row({ section: 'quality', name: 'TODO', unit: 'F1', value: single(0) })];
};
