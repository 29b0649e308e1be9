import { existsSync } from 'node:fs';
import {
  classifierPredictor,
  evaluateSlice,
  keywordPredictor,
  predictAll,
  readLabeledFile,
} from '../../scripts/lib/evaluation';
import { loadStory } from '../../src/detection/index';
import { DEV_SET_PATH } from '../lib/corpus';
import { type BenchRow, type BenchSection, row, single } from '../lib/report';

const FOLLOW_UP_F1_TARGET = 0.92;
const STANCE_F1_TARGET = 0.75;

/** `npm run eval`'s figures on the labeled dev set next to the keyword baseline; skipped when the file is absent. */
export const qualitySection: BenchSection = async () => {
  if (!existsSync(DEV_SET_PATH)) {
    process.stderr.write(`bench: quality skipped, ${DEV_SET_PATH} not found (set STORYWATCH_EVAL_FILE)\n`);
    return [];
  }
  const story = loadStory('ceasefire-2025');
  const parties = story.parties.map((party) => party.id);
  const items = readLabeledFile(DEV_SET_PATH);
  const ours = evaluateSlice(items, predictAll(items, classifierPredictor(story)), parties);
  const keyword = evaluateSlice(items, predictAll(items, keywordPredictor), parties);
  const rows: BenchRow[] = [
    row({
      section: 'quality',
      name: `follow-up F1 on ${items.length} dev items`,
      unit: 'F1',
      value: single(ours.followUp.f1),
      baseline: single(keyword.followUp.f1),
      target: `>= ${FOLLOW_UP_F1_TARGET}`,
      meetsTarget: ours.followUp.f1 >= FOLLOW_UP_F1_TARGET,
    }),
    row({
      section: 'quality',
      name: 'follow-up precision',
      unit: 'P',
      value: single(ours.followUp.precision),
      baseline: single(keyword.followUp.precision),
    }),
    row({
      section: 'quality',
      name: 'follow-up recall',
      unit: 'R',
      value: single(ours.followUp.recall),
      baseline: single(keyword.followUp.recall),
    }),
    row({
      section: 'quality',
      name: 'stance F1 over (item, party, label)',
      unit: 'F1',
      value: single(ours.stance.f1),
      baseline: single(keyword.stance.f1),
      target: `>= ${STANCE_F1_TARGET}`,
      meetsTarget: ours.stance.f1 >= STANCE_F1_TARGET,
    }),
  ];
  return rows;
};
