import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { ensureTable } from '../../src/adapters/dynamodb/schema';
import { startEmbeddedDynamo } from '../../src/local/engine/index';

export type TestEngine = 'dynalite' | 'dynamodb-local';

export interface TestDynamo {
  engine: TestEngine;
  endpoint: string;
  client: DynamoDBClient;
  /** A new empty table with the production layout, so tests never see each other's rows. */
  freshTable(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The storage engine for a test file: in-memory dynalite by default; DynamoDB Local when
 * STORYWATCH_TEST_DYNAMODB=local (scripts/dynamodb-local.mjs starts it and passes its endpoint).
 */
export async function startTestDynamo(): Promise<TestDynamo> {
  const wantsLocal = process.env.STORYWATCH_TEST_DYNAMODB === 'local';
  let endpoint: string;
  let stop: () => Promise<void>;
  if (wantsLocal) {
    const given = process.env.STORYWATCH_TEST_DYNAMODB_ENDPOINT;
    if (!given) throw new Error('STORYWATCH_TEST_DYNAMODB=local needs STORYWATCH_TEST_DYNAMODB_ENDPOINT');
    endpoint = given;
    stop = async () => {};
  } else {
    const embedded = await startEmbeddedDynamo({ dataDir: null });
    endpoint = embedded.endpoint;
    stop = embedded.close;
  }
  const client = createDynamoClient({ endpoint, region: 'us-east-1', maxAttempts: 2 });
  return {
    engine: wantsLocal ? 'dynamodb-local' : 'dynalite',
    endpoint,
    client,
    async freshTable() {
      const tableName = `test-${randomUUID()}`;
      await ensureTable(client, tableName);
      return tableName;
    },
    async close() {
      client.destroy();
      await stop();
    },
  };
}
