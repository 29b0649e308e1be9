import type { StoryHeat } from '../../core/ports/story-heat';
import { data, keyOf, s, withData } from './attributes';
import { heatKey } from './keys';
import { pauseAfterConflict, type TableRequests } from './requests';

const HOUR_MS = 3_600_000;
/** Tries of the write before giving up; with the jittered pause between them, enough for dozens of racing analyzers. */
const MAX_ATTEMPTS = 10;

/** Follow-up item id → when it was first noted (ISO). */
type Noted = Record<string, string>;

/**
 * The story heat as one row: the follow-ups of the last hour by item id, as JSON. A summit day brings a few dozen
 * an hour, so the row stays small; entries older than the hour are dropped on each write. Writes are conditioned
 * on the text read, so two analyzers noting at once both land (one retries on the other's row).
 */
export function createDynamoStoryHeat(table: TableRequests): StoryHeat {
  async function read(): Promise<{ noted: Noted; text: string | null }> {
    const row = await table.getRow(heatKey());
    return row
      ? { noted: data<{ followUps: Noted }>(row).followUps, text: row.data?.S ?? null }
      : { noted: {}, text: null };
  }

  return {
    async recordFollowUps(itemIds, now) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const { noted, text } = await read();
        const fresh = itemIds.filter((id) => !(id in noted));
        if (fresh.length === 0) return withinHour(noted, now);
        const next = recent(noted, now);
        for (const id of fresh) next[id] = now;
        const written = await table.conditionalPut({
          Item: { ...keyOf(heatKey()), ...withData({ followUps: next }) },
          ...(text === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#data = :read',
                ExpressionAttributeNames: { '#data': 'data' },
                ExpressionAttributeValues: { ':read': s(text) },
              }),
        });
        if (written) return withinHour(next, now);
        await pauseAfterConflict(attempt);
      }
      throw new Error('recordFollowUps: the story heat kept changing under us');
    },
    async followUpsInLastHour(now) {
      return withinHour((await read()).noted, now);
    },
  };
}

/** Entries of the last hour only: what a write keeps. */
function recent(noted: Noted, now: string): Noted {
  const since = Date.parse(now) - HOUR_MS;
  return Object.fromEntries(Object.entries(noted).filter(([, at]) => Date.parse(at) > since));
}

function withinHour(noted: Noted, now: string): number {
  const until = Date.parse(now);
  return Object.values(recent(noted, now)).filter((at) => Date.parse(at) <= until).length;
}
