/**
 * Token and cost estimates for `classify --dry-run`, the eval and the README. Tokens are estimated at four
 * characters each (English; Cyrillic text runs denser, so treat figures for it as a floor).
 */
import type { PlannedRequest } from './llm-reader';

/** On-demand prices in USD per million tokens (Bedrock price list, us-east-1, 2025); check before relying on them. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Price of input tokens read from the prompt cache. */
  cacheRead: number;
}

export const DOCUMENTED_PRICES: Record<string, ModelPrice> = {
  'amazon.nova-micro-v1:0': { input: 0.035, output: 0.14, cacheRead: 0.00875 },
  'amazon.nova-lite-v1:0': { input: 0.06, output: 0.24, cacheRead: 0.015 },
  'anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1.0, output: 5.0, cacheRead: 0.1 },
};

/** Expected output per item answered: a verdict, usually one or two stances with a short quote, a summary. */
export const EXPECTED_OUTPUT_TOKENS_PER_ITEM = 90;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function priceFor(readerId: string): ModelPrice | undefined {
  const model = readerId.replace(/^(bedrock|openai):/, '').replace(/^(?:us|eu|apac|global)\./, '');
  return DOCUMENTED_PRICES[model];
}

export interface CostEstimate {
  requests: number;
  items: number;
  systemTokens: number;
  inputTokens: number;
  /** Of inputTokens, those a prompt cache would serve: the system text of every request after the first. */
  cachedInputTokens: number;
  outputTokens: number;
  /** USD, when the model's price is documented. */
  usd?: number;
}

export function estimateCost(readerId: string, planned: PlannedRequest[], caching: boolean): CostEstimate {
  const systemTokens = planned[0] ? estimateTokens(planned[0].request.system) : 0;
  let inputTokens = 0;
  let items = 0;
  for (const request of planned) {
    inputTokens += estimateTokens(request.request.system) + estimateTokens(request.request.user);
    items += request.itemIds.length;
  }
  const cachedInputTokens = caching ? systemTokens * Math.max(0, planned.length - 1) : 0;
  const outputTokens = items * EXPECTED_OUTPUT_TOKENS_PER_ITEM;
  const price = priceFor(readerId);
  const estimate: CostEstimate = {
    requests: planned.length,
    items,
    systemTokens,
    inputTokens,
    cachedInputTokens,
    outputTokens,
  };
  if (!price) return estimate;
  const usd =
    ((inputTokens - cachedInputTokens) * price.input +
      cachedInputTokens * price.cacheRead +
      outputTokens * price.output) /
    1_000_000;
  return { ...estimate, usd };
}
