/** The eval library: the scoring lives with the detector (`src/detection/evaluation.ts`); the keyword baseline is here. */
import type { Predictor } from '../../src/detection/evaluation';

export * from '../../src/detection/evaluation';

/** The filter a user would start with: the story's two commonest words, nothing else. */
export const keywordPredictor: Predictor = (item) => {
  const followUp = /cease-?fire|truce/i.test(`${item.title} ${item.description}`);
  return { followUp, score: followUp ? 1 : 0, stances: {} };
};
