import { performance } from 'node:perf_hooks';
import type { FeedItem } from '../../src/core/feed';
import type { Clock, Reader } from '../../src/core/ports';
import { loadStory } from '../../src/detection/index';
import { openInMemoryStore } from '../../src/local/memory-store';
import { analyzeBatch } from '../../src/pipeline/analyze-batch';
import { createLlmReader, type LlmReader } from '../../src/reader/llm-reader';
import { createOpenAiTransport } from '../../src/reader/openai';
import { type AskedItem, answering, startOpenAiEndpoint } from '../../test/support/llm-endpoints';
import { detectionCorpus } from '../lib/corpus';
import { type BenchSection, row } from '../lib/report';
import { repeat } from '../lib/stats';

const ITEMS = 400;
/** The analyzer's SQS batch size (infra/constructs/analysis.ts). */
const BATCH = 10;
/** How long the loopback model takes to answer a request; a hosted small model answers in a few hundred ms. */
const MODEL_DELAY_MS = Number(process.env.BENCH_LLM_DELAY_MS ?? 200);
const clock: Clock = { now: () => new Date('2026-02-10T12:00:00.000Z') };

/** An answer every item passes grounding with, so the model's reading is the one kept. */
const notAFollowUp = (item: AskedItem) => ({ ref: item.ref, followUp: false, stances: [], summary: '' });

interface Pass {
  ms: number;
  batches: number;
}

/** The corpus in analyzer-sized batches, one after another, as one analyzer at a time takes them. */
async function analyzeInBatches(
  store: Awaited<ReturnType<typeof openInMemoryStore>>['store'],
  reader: Reader | undefined,
  items: FeedItem[],
): Promise<Pass> {
  const story = loadStory('ceasefire-2025');
  const started = performance.now();
  let batches = 0;
  for (let start = 0; start < items.length; start += BATCH) {
    await analyzeBatch(
      { store, stories: [story], clock, ...(reader ? { reader } : {}) },
      items.slice(start, start + BATCH),
    );
    batches += 1;
  }
  return { ms: performance.now() - started, batches };
}

/**
 * The LLM reader's own overhead through analyzeBatch on dynalite, against a loopback OpenAI-compatible model that
 * answers after MODEL_DELAY_MS: the first delivery (every gated item goes to the model) and a redelivery of the
 * same items (every reading comes from the readings store), next to the rules alone.
 */
export const readerSection: BenchSection = async ({ runs }) => {
  const endpoint = await startOpenAiEndpoint(answering(notAFollowUp), { delayMs: MODEL_DELAY_MS });
  const corpus = detectionCorpus(ITEMS);
  const newReader = (): LlmReader =>
    createLlmReader({
      transport: createOpenAiTransport({ endpoint: `${endpoint.endpoint}/v1`, model: 'bench-model' }),
      log: () => {},
    });
  try {
    const figures = await repeat(runs, async () => {
      const rulesStore = await openInMemoryStore({ clock });
      const llmStore = await openInMemoryStore({ clock });
      try {
        const rules = await analyzeInBatches(rulesStore.store, undefined, corpus);
        const firstReader = newReader();
        const before = endpoint.calls.length;
        const miss = await analyzeInBatches(llmStore.store, firstReader, corpus);
        const missRequests = endpoint.calls.length - before;
        const { fallbacks, modelReadings } = firstReader.stats();
        if (Object.keys(fallbacks).length > 0 || modelReadings === 0) {
          throw new Error(`the bench model's answers were not kept: ${JSON.stringify(fallbacks)}`);
        }
        // A redelivery: a new reader (a new container), the same store.
        const hit = await analyzeInBatches(llmStore.store, newReader(), corpus);
        const hitRequests = endpoint.calls.length - before - missRequests;
        const perSecond = (pass: Pass) => corpus.length / (pass.ms / 1000);
        const addedPerBatch = (pass: Pass) => (pass.ms - rules.ms) / pass.batches;
        return {
          rules: perSecond(rules),
          miss: perSecond(miss),
          hit: perSecond(hit),
          missAdded: addedPerBatch(miss),
          hitAdded: addedPerBatch(hit),
          missRequests: (missRequests * 1000) / corpus.length,
          hitRequests: (hitRequests * 1000) / corpus.length,
          gatePassed: (modelReadings * 1000) / corpus.length,
        };
      } finally {
        await rulesStore.close();
        await llmStore.close();
      }
    });
    const model = `model answers in ${MODEL_DELAY_MS} ms`;
    // No baseline column: the rules are the reader's own first stage, not the obvious approach.
    return [
      row({ section: 'reader', name: 'analyzeBatch, rules reader', unit: 'items/s', value: figures.rules }),
      row({
        section: 'reader',
        name: `analyzeBatch, LLM reader, first delivery (${model})`,
        unit: 'items/s',
        value: figures.miss,
      }),
      row({
        section: 'reader',
        name: 'analyzeBatch, LLM reader, redelivery (readings store hits)',
        unit: 'items/s',
        value: figures.hit,
      }),
      row({
        section: 'reader',
        name: `added latency per batch of ${BATCH}, first delivery`,
        unit: 'ms',
        value: figures.missAdded,
      }),
      row({
        section: 'reader',
        name: `added latency per batch of ${BATCH}, redelivery`,
        unit: 'ms',
        value: figures.hitAdded,
      }),
      row({ section: 'reader', name: 'items past the gate per 1,000', unit: 'items', value: figures.gatePassed }),
      row({
        section: 'reader',
        name: 'model requests per 1,000 items, first delivery',
        unit: 'requests',
        value: figures.missRequests,
      }),
      row({
        section: 'reader',
        name: 'model requests per 1,000 items, redelivery',
        unit: 'requests',
        value: figures.hitRequests,
      }),
    ];
  } finally {
    await endpoint.close();
  }
};
