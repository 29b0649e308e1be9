import { describe, expect } from 'vitest';
import { createDynamoHostBudget, hostWindowKey } from '../../../src/adapters/dynamodb/host-budget';
import { hostBudgetPlan, windowStart } from '../../../src/core/host-budget';
import type { RequestPriority } from '../../../src/core/ports';
import { storageTest as it } from '../../support/storage';

// 120 an hour: windows of 225 s with 7 requests each, 2 of them kept for hot feeds.
const PLAN = hostBudgetPlan(120, 0.25);
const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

describe('the shared host budget on DynamoDB', () => {
  it('lets pollers racing for one host take at most its window’s requests, whatever they asked with', async ({
    requests,
  }) => {
    // Four pollers, each with its own adapter (as four Lambda containers have), on one table.
    const pollers = Array.from({ length: 4 }, () => createDynamoHostBudget(requests, PLAN));
    const priorities: RequestPriority[] = ['other', 'hot', 'other', 'other'];
    const grants = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (pollers[index % 4] as (typeof pollers)[number]).take(
          'news.example.org',
          at(10),
          priorities[index % 4] as RequestPriority,
        ),
      ),
    );
    expect(PLAN.perWindow).toBe(7);
    expect(grants.filter((grant) => grant.granted)).toHaveLength(PLAN.perWindow);
    const refused = grants.flatMap((grant) => (grant.granted ? [] : [grant.retryAt]));
    expect(new Set(refused)).toEqual(new Set([at(PLAN.windowSec)]));
    const row = await requests.getRow(hostWindowKey('news.example.org', windowStart(PLAN, new Date(at(10)))));
    expect(row?.taken?.N).toBe(String(PLAN.perWindow));
  });

  it('never gives the part kept for hot feeds to the others, even when they race for it', async ({ requests }) => {
    const budget = createDynamoHostBudget(requests, PLAN);
    const quiet = await Promise.all(Array.from({ length: 20 }, () => budget.take('news.example.org', at(0), 'other')));
    expect(quiet.filter((grant) => grant.granted)).toHaveLength(PLAN.ceilings.other);
    const hot = await Promise.all(Array.from({ length: 5 }, () => budget.take('news.example.org', at(1), 'hot')));
    expect(hot.filter((grant) => grant.granted)).toHaveLength(PLAN.perWindow - PLAN.ceilings.other);
  });

  it('counts each host and each window on its own', async ({ requests }) => {
    const budget = createDynamoHostBudget(requests, PLAN);
    for (let taken = 0; taken < PLAN.perWindow; taken += 1) {
      expect(await budget.take('news.example.org', at(taken), 'hot')).toEqual({ granted: true });
    }
    expect((await budget.take('news.example.org', at(100), 'hot')).granted).toBe(false);
    expect(await budget.take('other.example.net', at(100), 'other')).toEqual({ granted: true });
    expect(await budget.take('news.example.org', at(PLAN.windowSec), 'other')).toEqual({ granted: true });
  });

  it('keeps a host name of any length within the key limits', async ({ requests }) => {
    const budget = createDynamoHostBudget(requests, PLAN);
    const host = `${'sub.'.repeat(800)}example.org`;
    expect(await budget.take(host, at(0), 'other')).toEqual({ granted: true });
  });
});
