import { performance } from 'node:perf_hooks';
import { classifyItem, initialProfile, loadStory } from '../../src/detection/index';
import { detectionCorpus } from '../lib/corpus';
import { naiveIsFollowUp } from '../lib/naive-monitor';
import { type BenchSection, row } from '../lib/report';
import { repeat } from '../lib/stats';

const CORPUS_SIZE = 2_000;
const PASSES = 10;
const TARGET_ITEMS_PER_SEC = 20_000;

/** Classify + stance + summary on one core (this process's main thread), next to a keyword filter. */
export const detectionSection: BenchSection = async ({ runs }) => {
  const story = loadStory('ceasefire-2025');
  const profile = initialProfile(story);
  const corpus = detectionCorpus(CORPUS_SIZE);
  const perSecond = (started: number) => (corpus.length * PASSES) / ((performance.now() - started) / 1000);
  // Each loop calls its classifier directly (no callback between), so the figure is the classifier's alone. The
  // follow-up counts keep both loops observable so neither can be optimized away.
  const ours = () => {
    let followUps = 0;
    const started = performance.now();
    for (let pass = 0; pass < PASSES; pass += 1) {
      for (const item of corpus) if (classifyItem(item, story, profile).followUp) followUps += 1;
    }
    return { itemsPerSecond: perSecond(started), followUps };
  };
  const keyword = () => {
    let followUps = 0;
    const started = performance.now();
    for (let pass = 0; pass < PASSES; pass += 1) {
      for (const item of corpus) if (naiveIsFollowUp(item.title, item.description)) followUps += 1;
    }
    return { itemsPerSecond: perSecond(started), followUps };
  };
  const figures = await repeat(runs, async () => {
    const [rules, naive] = [ours(), keyword()];
    return { ours: rules.itemsPerSecond, keyword: naive.itemsPerSecond, followUps: rules.followUps + naive.followUps };
  });
  return [
    row({
      section: 'detect',
      name: 'classify + stance + summary, one core',
      unit: 'items/s',
      value: figures.ours,
      baseline: figures.keyword,
      target: `>= ${TARGET_ITEMS_PER_SEC.toLocaleString('en-US')}`,
      meetsTarget: figures.ours.median >= TARGET_ITEMS_PER_SEC,
    }),
  ];
};
