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
  /**
   * Shortest prefix the model caches at a cache point; a shorter one is read at the full input price every time.
   * Nova caches from 1K tokens, Claude Haiku 4.5 only from 4,096 (Bedrock prompt caching, per model).
   */
  minimumCachedTokens: number;
}

export const DOCUMENTED_PRICES: Record<string, ModelPrice> = {
  'amazon.nova-micro-v1:0': { input: 0.035, output: 0.14, cacheRead: 0.00875, minimumCachedTokens: 1_000 },
  'amazon.nova-lite-v1:0': { input: 0.06, output: 0.24, cacheRead: 0.015, minimumCachedTokens: 1_000 },
  'anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1.0, output: 5.0, cacheRead: 0.1, minimumCachedTokens: 4_096 },
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
  /** The answer's JSON schema (the forced tool, or response_format): billed as input with every request. */
  schemaTokens: number;
  inputTokens: number;
  /**
   * Of inputTokens, those a prompt cache would serve: the tool schema and system text of every request after the
   * first (Converse caches the prefix up to the cache point, and the tools come before the system text).
   */
  cachedInputTokens: number;
  outputTokens: number;
  /** USD, when the model's price is documented. */
  usd?: number;
}

export function estimateCost(readerId: string, planned: PlannedRequest[], caching: boolean): CostEstimate {
  const first = planned[0]?.request;
  const systemTokens = first ? estimateTokens(first.system) : 0;
  const schemaTokens = first ? estimateTokens(JSON.stringify(first.schema)) : 0;
  let inputTokens = 0;
  let items = 0;
  for (const { request, itemIds } of planned) {
    inputTokens +=
      estimateTokens(request.system) + estimateTokens(JSON.stringify(request.schema)) + estimateTokens(request.user);
    items += itemIds.length;
  }
  const price = priceFor(readerId);
  const prefixTokens = systemTokens + schemaTokens;
  const cached = caching && prefixTokens >= (price?.minimumCachedTokens ?? 0);
  const cachedInputTokens = cached ? prefixTokens * Math.max(0, planned.length - 1) : 0;
  const outputTokens = items * EXPECTED_OUTPUT_TOKENS_PER_ITEM;
  const estimate: CostEstimate = {
    requests: planned.length,
    items,
    systemTokens,
    schemaTokens,
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
