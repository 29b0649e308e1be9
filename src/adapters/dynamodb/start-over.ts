import { type DynamoDBClient, ResourceNotFoundException, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Row } from './attributes';
import { READING_PARTITION_PREFIX } from './keys';
import { createTableRequests } from './requests';
import { dropTable, ensureTable } from './schema';

export interface StartOverOptions {
  /** Put the stored model readings (`READING#` rows) back into the new table. */
  keepReadings: boolean;
}

/**
 * Every stored-reading row of a table, as stored; none when the table does not exist yet. A scan of the whole
 * table: meant for the local stores a replay rebuilds, never for a live table.
 */
async function storedReadingRows(client: DynamoDBClient, tableName: string): Promise<Row[]> {
  const rows: Row[] = [];
  let startKey: Row | undefined;
  try {
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          ConsistentRead: true,
          FilterExpression: 'begins_with(pk, :reading)',
          ExpressionAttributeValues: { ':reading': { S: READING_PARTITION_PREFIX } },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      rows.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return [];
    throw error;
  }
  return rows;
}

/**
 * Drops and recreates a local table, so a run starts over with nothing of the last one and the current schema.
 * With `keepReadings`, the model readings come back as they were: each is keyed by item digest, story, reader and
 * prompt version, so it can only ever be found again for the same item read with the same instructions, and a
 * second backtest of an archive does not pay the model for every item again. An interruption between the drop and
 * the puts loses the readings, which costs requests the next time and nothing else. Returns how many were kept.
 */
export async function startTableOver(
  client: DynamoDBClient,
  tableName: string,
  options: StartOverOptions,
): Promise<number> {
  const kept = options.keepReadings ? await storedReadingRows(client, tableName) : [];
  await dropTable(client, tableName);
  await ensureTable(client, tableName);
  await createTableRequests(client, tableName).batchPut(kept);
  return kept.length;
}
