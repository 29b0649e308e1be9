import type { BudgetLimits, ReadingBudget } from '../../core/ports/reading-budget';
import { hasBudgetLimit } from '../../core/ports/reading-budget';
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

/**
 * The reading budget as one counter row per story and UTC day, shared by every analyzer. A reservation is one
 * `UpdateItem ADD items :k` conditioned on the row still having room for `k` (and on the day's tokens not being
 * spent), so the table itself refuses any grant past the limit, however many containers race for the last items.
 * When the whole batch does not fit, the row is read and what is left is asked for the same way.
 * Without limits nothing is written: the budget grants everything.
 */
export function createDynamoReadingBudget(table: TableRequests, options: DynamoReadingBudgetOptions): ReadingBudget {
  const { limits } = options;
  const retentionDays = options.retentionDays ?? 3;
  const expiresAt = (day: string) =>
    n(Math.floor(Date.parse(`${day}T00:00:00.000Z`) / 1000) + (1 + retentionDays) * DAY_SECONDS);

  /** Adds `wanted` items to the day's count unless that would pass a limit; false when a condition refused it. */
  const take = (storyId: string, day: string, wanted: number) => {
    const conditions: string[] = [];
    const names: Record<string, string> = { '#items': 'items', '#expires': TTL_ATTRIBUTE };
    const values: Record<string, AttributeValue> = { ':wanted': n(wanted), ':expires': expiresAt(day) };
    if (limits.itemsPerDay !== undefined) {
      conditions.push('(attribute_not_exists(#items) OR #items <= :room)');
      values[':room'] = n(limits.itemsPerDay - wanted);
    }
    if (limits.tokensPerDay !== undefined) {
      conditions.push('(attribute_not_exists(#tokens) OR #tokens < :tokenLimit)');
      names['#tokens'] = 'tokens';
      values[':tokenLimit'] = n(limits.tokensPerDay);
    }
    return table.conditionalUpdate({
      Key: keyOf(keys.readingBudget(storyId, day)),
      UpdateExpression: 'SET #expires = :expires ADD #items :wanted',
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  };

  /** What the row still allows, as read now: the next grant to ask for (0 when the day is spent). */
  const room = async (storyId: string, day: string, wanted: number): Promise<number> => {
    const row = await table.getRow(keys.readingBudget(storyId, day));
    if (limits.tokensPerDay !== undefined && counter(row, 'tokens') >= limits.tokensPerDay) return 0;
    if (limits.itemsPerDay === undefined) return wanted;
    return Math.max(0, Math.min(wanted, limits.itemsPerDay - counter(row, 'items')));
  };

  return {
    async reserve(storyId, day, items) {
      if (items <= 0 || !hasBudgetLimit(limits)) return Math.max(0, items);
      let asking = Math.min(items, limits.itemsPerDay ?? items);
      for (let attempt = 0; attempt < MAX_ATTEMPTS && asking > 0; attempt += 1) {
        if (await take(storyId, day, asking)) return asking;
        await pauseAfterConflict(attempt);
        asking = await room(storyId, day, items);
      }
      // Still refused after a few tries: others are taking the last items; none is the answer that keeps the limit.
      return 0;
    },
    async charge(storyId, day, tokens) {
      if (tokens <= 0 || !hasBudgetLimit(limits)) return;
      await table.conditionalUpdate({
        Key: keyOf(keys.readingBudget(storyId, day)),
        UpdateExpression: 'SET #expires = :expires ADD #tokens :tokens',
        ExpressionAttributeNames: { '#tokens': 'tokens', '#expires': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':tokens': n(tokens), ':expires': expiresAt(day) },
      });
    },
  };
}

function counter(row: Row | undefined, name: string): number {
  return Number(row?.[name]?.N ?? 0);
}
