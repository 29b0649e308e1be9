import { describe, expect } from 'vitest';
import { createDynamoHostBudget } from '../../../src/adapters/dynamodb/host-budget';
import { hostBudgetPlan } from '../../../src/core/host-budget';
import { DEFAULT_ADAPTIVE_SCHEDULE } from '../../../src/ingestion/adaptive-schedule';
import {
  budgetViolations,
  hintViolations,
  inMemoryPorts,
  simulateDay,
  summarizeLatency,
} from '../../support/polling-simulation';
import { buildWorld } from '../../support/simulated-world';
import { storageTest as it } from '../../support/storage';

/**
 * The politeness checks of the simulated day, run against the budget the Lambda pollers share: every request is
 * admitted by the DynamoDB window counters (hot feeds first), and every request is checked against the hints of
 * its feed's previous answer and against its host's budget over every sliding hour.
 */
describe('a simulated day through the shared host budget on DynamoDB', () => {
  const day = async (requests: Parameters<typeof createDynamoHostBudget>[0], hostRequestsPerHour: number) => {
    const world = buildWorld({ feeds: 120, seed: 7 });
    const plan = hostBudgetPlan(hostRequestsPerHour, DEFAULT_ADAPTIVE_SCHEDULE.hostHotShare);
    const result = await simulateDay({
      world,
      mode: 'adaptive',
      ports: inMemoryPorts(world, { websub: true }),
      adaptive: { hostRequestsPerHour },
      hostBudget: createDynamoHostBudget(requests, plan),
    });
    return { world, result };
  };

  it('keeps every request within its feed’s hints and its host’s 120 an hour', async ({ requests }) => {
    const { world, result } = await day(requests, 120);
    expect(result.requests.length).toBeGreaterThan(1000);
    expect(hintViolations(result.requests)).toEqual([]);
    expect(budgetViolations(result.requests, 120)).toEqual([]);
    expect(summarizeLatency(world, result, () => true).missed).toBe(0);
  }, 120_000);

  it('a tight budget defers polls to the next window instead of exceeding it', async ({ requests }) => {
    const { result } = await day(requests, 12);
    expect(result.deferredByBudget).toBeGreaterThan(0);
    expect(budgetViolations(result.requests, 12)).toEqual([]);
    expect(hintViolations(result.requests)).toEqual([]);
  }, 120_000);
});
