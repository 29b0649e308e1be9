import { describe, expect } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys';
import { createDynamoReadingBudget } from '../../../src/adapters/dynamodb/reading-budget';
import { type BudgetLimits, NOTHING_SPENT, type TokenEstimate } from '../../../src/core/ports';
import { storageTest as it } from '../../support/storage';

const DAY = '2026-03-01';
/** A request costs 100 tokens and 50 more per item, at most. */
const ESTIMATE: TokenEstimate = { perRequest: 100, perItem: 50 };

describe('the reading budget row', () => {
  const budgetOn = (requests: Parameters<typeof createDynamoReadingBudget>[0], limits: BudgetLimits) => {
    const budget = createDynamoReadingBudget(requests, { limits });
    return {
      ...budget,
      /** The items granted, for the tests that count items only. */
      items: async (storyId: string, day: string, items: number) =>
        (await budget.reserve(storyId, day, items, ESTIMATE)).items,
    };
  };

  it('grants up to the day’s item limit, the rest in part, then nothing; per story and per day', async ({
    requests,
  }) => {
    const budget = budgetOn(requests, { itemsPerDay: 10 });
    expect(await budget.items('ceasefire', DAY, 4)).toBe(4);
    expect(await budget.items('ceasefire', DAY, 4)).toBe(4);
    expect(await budget.items('ceasefire', DAY, 4)).toBe(2);
    expect(await budget.items('ceasefire', DAY, 1)).toBe(0);
    expect(await budget.items('other-story', DAY, 4)).toBe(4);
    expect(await budget.items('ceasefire', '2026-03-02', 4)).toBe(4);
    // A batch larger than the whole day's limit gets the limit, not nothing.
    expect(await budgetOn(requests, { itemsPerDay: 3 }).items('big', DAY, 8)).toBe(3);
  });

  it('never grants past the limit to reservers racing for the last items', async ({ requests }) => {
    // Two analyzers, each with its own adapter (as two Lambda containers have), on one table.
    const first = budgetOn(requests, { itemsPerDay: 25 });
    const second = budgetOn(requests, { itemsPerDay: 25 });
    const grants = await Promise.all(
      Array.from({ length: 16 }, (_, index) => (index % 2 === 0 ? first : second).items('ceasefire', DAY, 3)),
    );
    const granted = grants.reduce((sum, each) => sum + each, 0);
    // 48 were asked for; a reserver that kept losing the race may come away with nothing, never with too much.
    expect(granted).toBeLessThanOrEqual(25);
    expect(grants.every((each) => each >= 0 && each <= 3)).toBe(true);
    expect(await first.items('ceasefire', DAY, 25)).toBe(25 - granted);
    const row = await requests.getRow(keys.readingBudget('ceasefire', DAY));
    expect(row?.items?.N).toBe('25');
  });

  it('holds a request’s estimated tokens until it settles, and keeps the row a few days', async ({ requests }) => {
    const budget = budgetOn(requests, { tokensPerDay: 1000 });
    // 100 + 8 × 50 = 500 tokens held each: two requests of 8 fit while in flight, a third gets nothing.
    const first = await budget.reserve('ceasefire', DAY, 8, ESTIMATE);
    const second = await budget.reserve('ceasefire', DAY, 8, ESTIMATE);
    expect([first, second]).toEqual([
      { items: 8, tokens: 500 },
      { items: 8, tokens: 500 },
    ]);
    expect(await budget.items('ceasefire', DAY, 8)).toBe(0);
    // The first answer cost 300 tokens, the second got none: 900 come back; a later answer runs over what it held.
    await budget.settle('ceasefire', DAY, first, { items: 8, tokens: 300 });
    await budget.settle('ceasefire', DAY, second, NOTHING_SPENT);
    const third = await budget.reserve('ceasefire', DAY, 8, ESTIMATE);
    expect(third).toEqual({ items: 8, tokens: 500 });
    await budget.settle('ceasefire', DAY, third, { items: 8, tokens: 750 });
    expect(await budget.items('ceasefire', DAY, 8)).toBe(0);
    expect(await budget.items('ceasefire', '2026-03-02', 8)).toBe(8);
    const row = await requests.getRow(keys.readingBudget('ceasefire', DAY));
    expect(row?.tokens?.N).toBe('1050');
    expect(row?.items?.N).toBe('16');
    // Three days after the day itself ends (epoch seconds): 2026-03-05T00:00Z.
    expect(row?.expiresAt?.N).toBe(String(Date.parse('2026-03-05T00:00:00Z') / 1000));
  });

  it('grants no more tokens than the limit to reservers racing for the last of them', async ({ requests }) => {
    const first = budgetOn(requests, { tokensPerDay: 2000 });
    const second = budgetOn(requests, { tokensPerDay: 2000 });
    const grants = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        (index % 2 === 0 ? first : second).reserve('ceasefire', DAY, 4, ESTIMATE),
      ),
    );
    const held = grants.reduce((sum, grant) => sum + grant.tokens, 0);
    expect(held).toBeLessThanOrEqual(2000);
    const row = await requests.getRow(keys.readingBudget('ceasefire', DAY));
    expect(row?.tokens?.N).toBe(String(held));
  });

  it('writes nothing without a limit, and grants everything', async ({ requests, commands }) => {
    const budget = budgetOn(requests, {});
    commands.reset();
    const grant = await budget.reserve('ceasefire', DAY, 40, ESTIMATE);
    expect(grant.items).toBe(40);
    await budget.settle('ceasefire', DAY, grant, { items: 40, tokens: 5000 });
    expect(commands.names()).toEqual([]);
  });
});
