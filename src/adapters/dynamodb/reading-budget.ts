import type { BudgetGrant, BudgetLimits, ReadingBudget, TokenEstimate } from '../../core/ports/reading-budget';
import { grantableItems, hasBudgetLimit, NOTHING_GRANTED, reservedTokens } from '../../core/ports/reading-budget';
import { type AttributeValue, keyOf, n, type Row } from './attributes';
import { keys } from './keys';
import { pauseAfterConflict, type TableRequests } from './requests';
import { TTL_ATTRIBUTE } from './schema';

export interface DynamoReadingBudgetOptions {
  limits: BudgetLimits;
  /** Days a counter row outlives its own day before TTL removes it: long enough to look back at in the console. */
  retentionDays?: number;
}

/** Tries of a partial grant when other reservers keep taking the items between our read and our write. */
const MAX_ATTEMPTS = 5;
const DAY_SECONDS = 86_400;

/** What every request on the counter rows shares: the table, the limits, and when a day's row expires. */
interface BudgetTable {
  table: TableRequests;
  limits: BudgetLimits;
  expiresAt(day: string): AttributeValue;
}

/**
 * The reading budget as one counter row per story and UTC day, shared by every analyzer (and by every
 * `storywatch run` on the same embedded store). A reservation is one `UpdateItem ADD items :k, tokens :t`
 * conditioned on the row still having room for both, so the table itself refuses any grant past a limit, however
 * many containers race for the last of it. When the whole batch does not fit, the row is read and what is left is
 * asked for the same way. A settlement adds the difference between what was held and what was spent.
 * Without limits nothing is written: the budget grants everything.
 */
export function createDynamoReadingBudget(table: TableRequests, options: DynamoReadingBudgetOptions): ReadingBudget {
  const { limits } = options;
  const retentionDays = options.retentionDays ?? 3;
  const on: BudgetTable = {
    table,
    limits,
    expiresAt: (day) => n(Math.floor(Date.parse(`${day}T00:00:00.000Z`) / 1000) + (1 + retentionDays) * DAY_SECONDS),
  };
  return {
    async reserve(storyId, day, items, estimate) {
      if (items <= 0) return NOTHING_GRANTED;
      if (!hasBudgetLimit(limits)) return grantFor(items, estimate);
      // The first try assumes an empty day; a refusal reads the row and asks for what it says is left.
      let asking = grantFor(grantableItems(limits, NOTHING_GRANTED, items, estimate), estimate);
      for (let attempt = 0; attempt < MAX_ATTEMPTS && asking.items > 0; attempt += 1) {
        if (await take(on, storyId, day, asking)) return asking;
        await pauseAfterConflict(attempt);
        asking = await room(on, storyId, day, items, estimate);
      }
      // Still refused after a few tries: others are taking the last of it; none is the answer that keeps the limit.
      return NOTHING_GRANTED;
    },
    async settle(storyId, day, grant, spent) {
      const items = spent.items - grant.items;
      const tokens = spent.tokens - grant.tokens;
      if ((items === 0 && tokens === 0) || !hasBudgetLimit(limits)) return;
      await table.conditionalUpdate({
        Key: keyOf(keys.readingBudget(storyId, day)),
        UpdateExpression: 'SET #expires = :expires ADD #items :items, #tokens :tokens',
        ExpressionAttributeNames: { '#items': 'items', '#tokens': 'tokens', '#expires': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':items': n(items), ':tokens': n(tokens), ':expires': on.expiresAt(day) },
      });
    },
  };
}

/** Adds the grant to the day's counts unless that would pass a limit; false when a condition refused it. */
function take({ table, limits, expiresAt }: BudgetTable, storyId: string, day: string, grant: BudgetGrant) {
  const conditions: string[] = [];
  const names: Record<string, string> = { '#items': 'items', '#tokens': 'tokens', '#expires': TTL_ATTRIBUTE };
  const values: Record<string, AttributeValue> = {
    ':items': n(grant.items),
    ':tokens': n(grant.tokens),
    ':expires': expiresAt(day),
  };
  if (limits.itemsPerDay !== undefined) {
    conditions.push('(attribute_not_exists(#items) OR #items <= :itemRoom)');
    values[':itemRoom'] = n(limits.itemsPerDay - grant.items);
  }
  if (limits.tokensPerDay !== undefined) {
    conditions.push('(attribute_not_exists(#tokens) OR #tokens <= :tokenRoom)');
    values[':tokenRoom'] = n(limits.tokensPerDay - grant.tokens);
  }
  return table.conditionalUpdate({
    Key: keyOf(keys.readingBudget(storyId, day)),
    UpdateExpression: 'SET #expires = :expires ADD #items :items, #tokens :tokens',
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/** What the row still allows, as read now: the next grant to ask for (none when the day is spent). */
async function room(
  { table, limits }: BudgetTable,
  storyId: string,
  day: string,
  wanted: number,
  estimate: TokenEstimate,
): Promise<BudgetGrant> {
  const row = await table.getRow(keys.readingBudget(storyId, day));
  const taken = { items: counter(row, 'items'), tokens: counter(row, 'tokens') };
  return grantFor(grantableItems(limits, taken, wanted, estimate), estimate);
}

function grantFor(items: number, estimate: TokenEstimate): BudgetGrant {
  return { items, tokens: reservedTokens(estimate, items) };
}

function counter(row: Row | undefined, name: string): number {
  return Number(row?.[name]?.N ?? 0);
}
