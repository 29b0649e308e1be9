import { describe, expect, it } from 'vitest';
import { chunk, type SendBatch, sendAsMessages } from '../../../src/adapters/sqs/queues';

type Entry = { Id: string; MessageBody: string };

describe('chunk', () => {
  it('splits into groups of at most the given size, keeping order', () => {
    expect(chunk([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 5)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
      [11, 12],
    ]);
    expect(chunk([], 10)).toEqual([]);
  });

  it('refuses a size that could never make progress', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('sendAsMessages', () => {
  it('sends one JSON message per value in SendMessageBatch calls of at most ten entries', async () => {
    const calls: Entry[][] = [];
    const send: SendBatch = async (entries) => {
      calls.push(entries);
      return { failedIds: [] };
    };
    const values = Array.from({ length: 23 }, (_, index) => ({ id: `item-${index}` }));

    await sendAsMessages(values, send);

    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(calls.flat().map((entry) => JSON.parse(entry.MessageBody))).toEqual(values);
    for (const entries of calls) expect(new Set(entries.map((entry) => entry.Id)).size).toBe(entries.length);
  });

  it('resends only the entries SQS refused, once', async () => {
    const calls: Entry[][] = [];
    const send: SendBatch = async (entries) => {
      calls.push(entries);
      return { failedIds: calls.length === 1 ? ['1', '3'] : [] };
    };

    await sendAsMessages(['a', 'b', 'c', 'd'], send);

    expect(calls[1]?.map((entry) => JSON.parse(entry.MessageBody))).toEqual(['b', 'd']);
    expect(calls).toHaveLength(2);
  });

  it('throws when SQS refuses an entry twice, so the source message is retried', async () => {
    const send: SendBatch = async (entries) => ({ failedIds: entries.slice(0, 1).map((entry) => entry.Id) });

    await expect(sendAsMessages(['a', 'b'], send)).rejects.toThrow('SQS refused 1 of 2 messages twice');
  });
});
