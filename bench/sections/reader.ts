import { performance } from 'node:perf_hooks';
import type { FeedItem } from '../../src/core/feed';
import type { Clock, Reader } from '../../src/core/ports';
import { loadStory } from '../../src/detection/index';
import { openInMemoryStore } from '../../src/local/memory-store';
import { analyzeBatch } from '../../src/pipeline/analyze-batch';
import { createLlmReader, type LlmReader } from '../../src/reader/llm-reader';
import { createOpenAiTransport } from '../../src/reader/openai';
import { createRulesReader } from '../../src/reader/rules';
import { type AskedItem, answering, type LlmEndpoint, startOpenAiEndpoint } from '../../test/support/llm-endpoints';
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
  /** Of `ms`, the time spent inside the reader's `read`: reading alone, without the store's writes. */
  readMs: number;
}

/** The reader with a stopwatch on `read`. */
function timed(reader: Reader): { reader: Reader; ms: () => number } {
  let total = 0;
  const wrapped: Reader = {
    id: reader.id,
    promptVersion: reader.promptVersion,
    promptVersionFor: (story) => reader.promptVersionFor(story),
    async read(items, story, profile) {
      const started = performance.now();
      try {
        return await reader.read(items, story, profile);
      } finally {
        total += performance.now() - started;
      }
    },
  };
  return { reader: wrapped, ms: () => total };
}

/** The corpus in analyzer-sized batches, one after another, as one analyzer at a time takes them. */
async function analyzeInBatches(
  store: Awaited<ReturnType<typeof openInMemoryStore>>['store'],
  given: Reader,
  items: FeedItem[],
): Promise<Pass> {
  const story = loadStory('ceasefire-2025');
  const { reader, ms: readMs } = timed(given);
  const started = performance.now();
  let batches = 0;
  for (let start = 0; start < items.length; start += BATCH) {
    await analyzeBatch({ store, stories: [story], clock, reader }, items.slice(start, start + BATCH));
    batches += 1;
  }
  return { ms: performance.now() - started, batches, readMs: readMs() };
}

/** The corpus through the LLM reader on a fresh store, then redelivered; the requests each pass made. */
async function llmPasses(endpoint: LlmEndpoint, corpus: FeedItem[]) {
  const newReader = (): LlmReader =>
    createLlmReader({
      transport: createOpenAiTransport({ endpoint: `${endpoint.endpoint}/v1`, model: 'bench-model' }),
      log: () => {},
    });
  const opened = await openInMemoryStore({ clock });
  try {
    const firstReader = newReader();
    const before = endpoint.calls.length;
    const miss = await analyzeInBatches(opened.store, firstReader, corpus);
    const missRequests = endpoint.calls.length - before;
    const { fallbacks, modelReadings } = firstReader.stats();
    if (Object.keys(fallbacks).length > 0 || modelReadings === 0) {
      throw new Error(`the bench model's answers were not kept: ${JSON.stringify(fallbacks)}`);
    }
    // A redelivery: a new reader (a new container), the same store.
    const hit = await analyzeInBatches(opened.store, newReader(), corpus);
    const hitRequests = endpoint.calls.length - before - missRequests;
    return { miss, hit, missRequests, hitRequests, modelReadings };
  } finally {
    await opened.close();
  }
}

async function rulesPass(corpus: FeedItem[]): Promise<Pass> {
  const opened = await openInMemoryStore({ clock });
  try {
    return await analyzeInBatches(opened.store, createRulesReader(), corpus);
  } finally {
    await opened.close();
  }
}

/**
 * The LLM reader's own overhead through analyzeBatch on dynalite, against a loopback OpenAI-compatible model that
 * answers after MODEL_DELAY_MS: the first delivery (every gated item goes to the model) and a redelivery of the
 * same items (every reading comes from the readings store), next to the rules alone. The overhead per 1,000 items is
 * the time inside `read` over the rules' own, against a model that answers at once: the reader's own work (requests
 * built, sent and parsed over loopback HTTP, grounding), without the model's think time or the store's writes.
 */
export const readerSection: BenchSection = async ({ runs }) => {
  const endpoint = await startOpenAiEndpoint(answering(notAFollowUp), { delayMs: MODEL_DELAY_MS });
  const instant = await startOpenAiEndpoint(answering(notAFollowUp));
  const corpus = detectionCorpus(ITEMS);
  try {
    const figures = await repeat(runs, async () => {
      const rules = await rulesPass(corpus);
      const slow = await llmPasses(endpoint, corpus);
      const quick = await llmPasses(instant, corpus);
      const perSecond = (pass: Pass) => corpus.length / (pass.ms / 1000);
      const addedPerBatch = (pass: Pass) => (pass.ms - rules.ms) / pass.batches;
      const perThousand = (count: number) => (count * 1000) / corpus.length;
      return {
        rules: perSecond(rules),
        miss: perSecond(slow.miss),
        hit: perSecond(slow.hit),
        missAdded: addedPerBatch(slow.miss),
        hitAdded: addedPerBatch(slow.hit),
        overhead: perThousand(quick.miss.readMs - rules.readMs),
        missRequests: perThousand(slow.missRequests),
        hitRequests: perThousand(slow.hitRequests),
        gatePassed: perThousand(slow.modelReadings),
      };
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
      row({
        section: 'reader',
        name: 'LLM reader’s own time per 1,000 items over the rules’ (model answering at once)',
        unit: 'ms',
        value: figures.overhead,
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
    await instant.close();
  }
};
