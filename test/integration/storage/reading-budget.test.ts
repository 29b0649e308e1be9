import { describe, expect } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys';
import { createDynamoReadingBudget } from '../../../src/adapters/dynamodb/reading-budget';
import type { BudgetLimits } from '../../../src/core/ports';
import { storageTest as it } from '../../support/storage';

const DAY = '2026-03-01';

describe('the reading budget row', () => {
  const budgetOn = (requests: Parameters<typeof createDynamoReadingBudget>[0], limits: BudgetLimits) =>
    createDynamoReadingBudget(requests, { limits });

  it('grants up to the day’s item limit, the rest in part, then nothing; per story and per day', async ({
    requests,
  }) => {
    const budget = budgetOn(requests, { itemsPerDay: 10 });
    expect(await budget.reserve('ceasefire', DAY, 4)).toBe(4);
    expect(await budget.reserve('ceasefire', DAY, 4)).toBe(4);
    expect(await budget.reserve('ceasefire', DAY, 4)).toBe(2);
    expect(await budget.reserve('ceasefire', DAY, 1)).toBe(0);
    expect(await budget.reserve('other-story', DAY, 4)).toBe(4);
    expect(await budget.reserve('ceasefire', '2026-03-02', 4)).toBe(4);
    // A batch larger than the whole day's limit gets the limit, not nothing.
    expect(await budgetOn(requests, { itemsPerDay: 3 }).reserve('big', DAY, 8)).toBe(3);
  });

  it('never grants past the limit to reservers racing for the last items', async ({ requests }) => {
    // Two analyzers, each with its own adapter (as two Lambda containers have), on one table.
    const first = budgetOn(requests, { itemsPerDay: 25 });
    const second = budgetOn(requests, { itemsPerDay: 25 });
    const grants = await Promise.all(
      Array.from({ length: 16 }, (_, index) => (index % 2 === 0 ? first : second).reserve('ceasefire', DAY, 3)),
    );
    const granted = grants.reduce((sum, each) => sum + each, 0);
    // 48 were asked for; a reserver that kept losing the race may come away with nothing, never with too much.
    expect(granted).toBeLessThanOrEqual(25);
    expect(grants.every((each) => each >= 0 && each <= 3)).toBe(true);
    expect(await first.reserve('ceasefire', DAY, 25)).toBe(25 - granted);
    const row = await requests.getRow(keys.readingBudget('ceasefire', DAY));
    expect(row?.items?.N).toBe('25');
  });

  it('stops granting once the day’s tokens are spent, and keeps the row a few days', async ({ requests }) => {
    const budget = budgetOn(requests, { tokensPerDay: 1000 });
    expect(await budget.reserve('ceasefire', DAY, 8)).toBe(8);
    await budget.charge('ceasefire', DAY, 600);
    expect(await budget.reserve('ceasefire', DAY, 8)).toBe(8);
    await budget.charge('ceasefire', DAY, 600);
    expect(await budget.reserve('ceasefire', DAY, 8)).toBe(0);
    expect(await budget.reserve('ceasefire', '2026-03-02', 8)).toBe(8);
    const row = await requests.getRow(keys.readingBudget('ceasefire', DAY));
    expect(row?.tokens?.N).toBe('1200');
    // Three days after the day itself ends (epoch seconds): 2026-03-05T00:00Z.
    expect(row?.expiresAt?.N).toBe(String(Date.parse('2026-03-05T00:00:00Z') / 1000));
  });

  it('writes nothing without a limit, and grants everything', async ({ requests, commands }) => {
    const budget = budgetOn(requests, {});
    commands.reset();
    expect(await budget.reserve('ceasefire', DAY, 40)).toBe(40);
    await budget.charge('ceasefire', DAY, 5000);
    expect(commands.names()).toEqual([]);
  });
});
