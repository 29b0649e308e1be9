import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../../src/adapters/dynamodb/client';
import { ensureTable } from '../../../src/adapters/dynamodb/schema';
import { startEmbeddedDynamo } from '../../../src/local/engine/index';
import { collectStrayErrors } from '../../support/stray-errors';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-engine-close-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const stray = collectStrayErrors();

const WRITES = 300;

describe.each([
  ['on disk', true],
  ['in memory', false],
])('closing the embedded engine %s with writes in flight', (_, onDisk) => {
  it('answers every write or fails it to its caller, and never throws from a callback', async () => {
    const dataDir = onDisk ? join(scratch, `data-${Date.now()}`) : null;
    const engine = await startEmbeddedDynamo({ dataDir });
    const client = createDynamoClient({ endpoint: engine.endpoint, region: 'us-east-1', maxAttempts: 1 });
    await ensureTable(client, 'closing');
    const row = (index: number) => ({ pk: { S: `ROW#${index}` }, sk: { S: 'ROW' }, body: { S: 'x'.repeat(2_000) } });
    const writes = Array.from({ length: WRITES }, (_, index) =>
      client.send(new PutItemCommand({ TableName: 'closing', Item: row(index) })),
    );
    // Each outcome is awaited from the start, so a write failed to its caller is never an unhandled rejection.
    const outcomes = Promise.allSettled(writes);
    // Let some of them reach the engine, then close under the rest.
    await writes[0];

    await engine.close();
    const settled = await outcomes;
    await new Promise((resolve) => setTimeout(resolve, 200));

    client.destroy();
    expect(stray).toEqual([]);
    const failed = settled.filter((result) => result.status === 'rejected');
    for (const failure of failed) expect((failure as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(settled.filter((result) => result.status === 'fulfilled').length).toBeGreaterThan(0);
    if (dataDir) {
      // What was answered as written is in the store when it opens again.
      const reopened = await startEmbeddedDynamo({ dataDir });
      const again = createDynamoClient({ endpoint: reopened.endpoint, region: 'us-east-1', maxAttempts: 1 });
      try {
        for (const [index, result] of settled.entries()) {
          if (result.status !== 'fulfilled') continue;
          const got = await again.send(
            new GetItemCommand({ TableName: 'closing', Key: { pk: row(index).pk, sk: row(index).sk } }),
          );
          expect(got.Item?.pk?.S).toBe(`ROW#${index}`);
        }
      } finally {
        again.destroy();
        await reopened.close();
      }
    }
  }, 60_000);
});
