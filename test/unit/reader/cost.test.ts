import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../src/reader/cost';
import type { PlannedRequest } from '../../../src/reader/llm-reader';

/** Requests with a system text of `systemChars` characters and a small schema, one item each. */
function planned(count: number, systemChars: number): PlannedRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    itemIds: [`item-${index}`],
    request: {
      system: 'x'.repeat(systemChars),
      user: 'u'.repeat(400),
      schema: { type: 'object', properties: { items: { type: 'array' } } },
      toolName: 'record_readings',
      maxOutputTokens: 420,
    },
    wire: { url: 'http://127.0.0.1:1/model', body: {} },
  }));
}

describe('the dry-run cost estimate', () => {
  const schemaTokens = Math.ceil(JSON.stringify(planned(1, 0)[0]?.request.schema).length / 4);

  it('bills the schema with every request and serves the instructions from the cache after the first', () => {
    const estimate = estimateCost('bedrock:amazon.nova-lite-v1:0', planned(3, 8_000), true);
    expect(estimate.schemaTokens).toBe(schemaTokens);
    expect(estimate.inputTokens).toBe(3 * (2_000 + schemaTokens + 100));
    expect(estimate.cachedInputTokens).toBe(2 * (2_000 + schemaTokens));
  });

  it('caches nothing for a model whose minimum cached prefix the instructions do not reach', () => {
    const haiku = 'bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0';
    expect(estimateCost(haiku, planned(3, 8_000), true).cachedInputTokens).toBe(0);
    expect(estimateCost(haiku, planned(3, 17_000), true).cachedInputTokens).toBe(2 * (4_250 + schemaTokens));
  });
});
