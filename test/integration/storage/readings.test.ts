import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys';
import type { Reading, ReadingKey } from '../../../src/core/ports';
import { TEXT_LIMITS } from '../../../src/core/text-limits';
import { storageTestAt } from '../../support/storage';

const it = storageTestAt('2026-02-10T12:00:00.000Z');

function reading(itemId: string, quote = 'Kremlin rejects the 30-day ceasefire proposal'): Reading {
  return {
    storyId: 'ceasefire-2025',
    itemId,
    followUp: true,
    score: 0.8,
    reasons: ['model: follow-up'],
    stances: [{ party: 'russia', label: 'opposes', confidence: 0.9, evidence: quote, conditions: [], direct: true }],
    reader: 'openai:local-model',
    promptVersion: 'story-prompt-1.0123456789',
  };
}

const key = (itemDigest: string, overrides: Partial<ReadingKey> = {}): ReadingKey => ({
  itemDigest,
  storyId: 'ceasefire-2025',
  reader: 'openai:local-model',
  promptVersion: 'story-prompt-1.0123456789',
  ...overrides,
});

describe('stored readings', () => {
  it('gives back each saved reading in the order asked, null where none is stored', async ({ store }) => {
    await store.saveReadings([
      { key: key('aaa'), reading: reading('item-a') },
      { key: key('bbb'), reading: reading('item-b') },
    ]);
    const found = await store.getReadings([key('bbb'), key('ccc'), key('aaa'), key('bbb')]);
    expect(found).toEqual([reading('item-b'), null, reading('item-a'), reading('item-b')]);
    expect(await store.getReadings([])).toEqual([]);
  });

  it('finds a reading only under its own story, reader and prompt version', async ({ store }) => {
    await store.saveReadings([{ key: key('aaa'), reading: reading('item-a') }]);
    const found = await store.getReadings([
      key('aaa', { promptVersion: 'story-prompt-1.9999999999' }),
      key('aaa', { reader: 'bedrock:amazon.nova-lite-v1:0' }),
      key('aaa', { storyId: 'port-strike' }),
      key('aaa'),
    ]);
    expect(found).toEqual([null, null, null, reading('item-a')]);
  });

  it('saving a key again keeps one row, the later reading', async ({ store, writes }) => {
    await store.saveReadings([{ key: key('aaa'), reading: reading('item-a', 'first') }]);
    await store.saveReadings([{ key: key('aaa'), reading: reading('item-a', 'second') }]);
    const [found] = await store.getReadings([key('aaa')]);
    expect(found?.stances[0]?.evidence).toBe('second');
    expect(writes.snapshot().storedWrites).toBe(2);
  });

  it('stores long quotes bounded, with plain attributes and the claims’ expiry', async ({
    store,
    dynamo,
    tableName,
  }) => {
    const long = `Peskov said ${'no '.repeat(400)}`;
    await store.saveReadings([{ key: key('aaa'), reading: reading('item-a', long) }]);
    const [found] = await store.getReadings([key('aaa')]);
    expect([...(found?.stances[0]?.evidence ?? '')].length).toBe(TEXT_LIMITS.quote);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: keys.reading(key('aaa')).pk }, sk: { S: keys.reading(key('aaa')).sk } },
      }),
    );
    expect(Item?.pk?.S).toBe('READING#aaa');
    expect(Item?.sk?.S).toBe('ceasefire-2025#openai:local-model#story-prompt-1.0123456789');
    expect(Item?.reader?.S).toBe('openai:local-model');
    expect(Item?.itemId?.S).toBe('item-a');
    // 45 days after the store's clock, like the item's claim.
    expect(Number(Item?.expiresAt?.N)).toBe(Date.parse('2026-02-10T12:00:00.000Z') / 1000 + 45 * 86_400);
  });
});
