import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys';
import { ensureTable, GSI1 } from '../../../src/adapters/dynamodb/schema';
import type { FeedItem } from '../../../src/core/feed';
import { TEXT_LIMITS } from '../../../src/core/text-limits';
import { claimOne, commitOne } from '../../support/stance-commits';
import { storageTestAt } from '../../support/storage';
import { alertFor, feedState, fixtureFollowUp, fixtureItems, stanceState } from '../../support/storage-builders';

const NOW = new Date('2025-03-14T12:00:00.000Z');

const test = storageTestAt(NOW.toISOString());

const [wireItem, syndicatedCopy, otherItem] = fixtureItems() as [FeedItem, FeedItem, FeedItem];
const keysOf = (item: { id: string; link: string | null }) => [`id:${item.id}`, `link:${item.link}`];

describe('table', () => {
  test('ensureTable leaves an existing table alone and reports that it created nothing', async ({
    dynamo,
    tableName,
  }) => {
    expect(await ensureTable(dynamo.client, tableName)).toBe(false);
  });
});

describe('feed state', () => {
  test('round-trips a feed state and lists every stored feed', async ({ store }) => {
    await store.putFeedStates([feedState('alpha')]);
    await store.putFeedStates([feedState('beta', { etag: null, consecutiveFailures: 2 })]);
    expect(await store.getFeedState('alpha')).toEqual(feedState('alpha'));
    expect(await store.getFeedState('missing')).toBeNull();
    const listed = await store.listFeedStates();
    expect(listed.map((state) => state.feedId).sort()).toEqual(['alpha', 'beta']);
  });

  test('stores an unchanged feed poll with exactly one write', async ({ store, writes }) => {
    await store.putFeedStates([feedState('alpha', { nextPollAt: '2025-03-14T11:00:00.000Z' })]);
    expect(writes.snapshot().storedWrites).toBe(1);
  });
});

describe('recordItem', () => {
  test('reports a new item, then unfinished until analyzed, then a duplicate that costs no write', async ({
    store,
    writes,
  }) => {
    expect(await claimOne(store, wireItem, keysOf(wireItem))).toEqual({ status: 'new' });
    expect(await claimOne(store, wireItem, keysOf(wireItem))).toEqual({ status: 'unfinished' });
    await store.markItemsAnalyzed([wireItem.id]);
    writes.reset();
    expect(await claimOne(store, wireItem, keysOf(wireItem))).toEqual({
      status: 'duplicate',
      canonicalId: wireItem.id,
    });
    expect(writes.snapshot()).toMatchObject({ storedWrites: 0, rejectedConditionalWrites: 0 });
  });

  test('links a syndicated copy sharing the link to the first item, and a re-poll of the copy writes nothing', async ({
    store,
    dynamo,
    tableName,
    writes,
  }) => {
    await claimOne(store, wireItem, keysOf(wireItem));
    expect(await claimOne(store, syndicatedCopy, keysOf(syndicatedCopy))).toEqual({
      status: 'duplicate',
      canonicalId: wireItem.id,
    });
    const alias = await dynamo.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `ITEM#${syndicatedCopy.id}` }, sk: { S: 'ITEM' } } }),
    );
    expect(alias.Item?.canonicalId?.S).toBe(wireItem.id);
    expect(alias.Item?.source?.S).toBe(syndicatedCopy.source);
    writes.reset();
    expect(await claimOne(store, syndicatedCopy, keysOf(syndicatedCopy))).toEqual({
      status: 'duplicate',
      canonicalId: wireItem.id,
    });
    expect(writes.snapshot().storedWrites).toBe(0);
  });

  test('lists the syndicated copies of an item in gsi1 under SOURCES#<id>, and keeps the first copy out of the index', async ({
    store,
    dynamo,
    tableName,
  }) => {
    await claimOne(store, wireItem, keysOf(wireItem));
    await claimOne(store, syndicatedCopy, keysOf(syndicatedCopy));
    await store.markItemsAnalyzed([wireItem.id]);
    const sources = await dynamo.client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :item',
        ExpressionAttributeValues: { ':item': { S: `SOURCES#${wireItem.id}` } },
      }),
    );
    expect(sources.Items?.map((row) => row.itemId?.S)).toEqual([syndicatedCopy.id]);
    expect(sources.Items?.[0]?.source?.S).toBe(syndicatedCopy.source);
  });

  test('gives the claim to exactly one of two workers recording the same item at once', async ({ store }) => {
    const results = await Promise.all([
      claimOne(store, wireItem, keysOf(wireItem)),
      claimOne(store, wireItem, keysOf(wireItem)),
      claimOne(store, syndicatedCopy, keysOf(syndicatedCopy)),
    ]);
    const winners = results.filter((result) => result.status === 'new');
    expect(winners).toHaveLength(1);
    const canonicalIds = new Set(
      results.map((result) => (result.status === 'duplicate' ? result.canonicalId : 'winner')),
    );
    expect(canonicalIds.size).toBeLessThanOrEqual(2);
  });

  test('puts an expiry (epoch seconds) on dedup markers so TTL can remove them', async ({
    store,
    dynamo,
    tableName,
  }) => {
    await claimOne(store, otherItem, keysOf(otherItem));
    const marker = await dynamo.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `DEDUP#link:${otherItem.link}` }, sk: { S: 'DEDUP' } },
      }),
    );
    const expiresAt = Number(marker.Item?.expiresAt?.N);
    expect(marker.Item?.canonicalId?.S).toBe(otherItem.id);
    expect(expiresAt).toBeGreaterThan(NOW.getTime() / 1000 + 86_400);
    expect(expiresAt).toBeLessThan(NOW.getTime() / 1000 + 366 * 86_400);
  });
});

describe('follow-ups and articles', () => {
  test('keeps one row when the same summary is saved twice, and lists it by party', async ({ store }) => {
    const summary = fixtureFollowUp();
    await store.saveFollowUps([summary]);
    await store.saveFollowUps([summary]);
    expect(await store.listFollowUps(summary.storyId)).toEqual([summary]);
    const russia = await store.listArticlesByParty(summary.storyId, 'russia');
    expect(russia).toHaveLength(1);
    expect(russia[0]).toMatchObject({ itemId: summary.itemId, label: 'conditional', direct: true });
    expect(await store.listArticlesByParty(summary.storyId, 'ukraine')).toEqual([]);
  });

  test('keeps the first record time when a follow-up is saved again, and reads nothing to keep it', async ({
    store,
    commands,
  }) => {
    const first = { ...fixtureFollowUp(), recordedAt: '2025-03-14T09:00:00.000Z' };
    const again = { ...first, summary: 'Analysed again the next day.', recordedAt: '2025-03-15T07:00:00.000Z' };
    await store.saveFollowUps([first]);
    commands.reset();
    await store.saveFollowUps([again]);
    expect(commands.names().sort()).toEqual(['BatchWriteItemCommand', 'UpdateItemCommand']);
    expect(await store.listFollowUps(first.storyId)).toEqual([{ ...again, recordedAt: first.recordedAt }]);
  });

  test('keeps the record time of a row stored before it was an attribute of its own', async ({
    store,
    dynamo,
    tableName,
  }) => {
    const summary = { ...fixtureFollowUp(), recordedAt: '2025-03-14T09:00:00.000Z' };
    const key = keys.followUp(summary.storyId, summary.published, summary.itemId);
    // What earlier versions wrote: the record time only inside the JSON body.
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: key.pk },
          sk: { S: key.sk },
          itemId: { S: summary.itemId },
          data: { S: JSON.stringify(summary) },
        },
      }),
    );
    await store.saveFollowUps([{ ...summary, recordedAt: '2025-03-15T07:00:00.000Z' }]);
    expect(await store.listFollowUps(summary.storyId)).toEqual([summary]);
    const row = await dynamo.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
    );
    expect(row.Item?.recordedAt?.S).toBe(summary.recordedAt);
  });

  test('filters follow-ups and articles by publication time and returns the newest first', async ({ store }) => {
    const first = fixtureFollowUp();
    const later = { ...first, itemId: 'later-item', published: '2025-03-20T08:00:00.000Z' };
    await store.saveFollowUps([first]);
    await store.saveFollowUps([later]);
    expect((await store.listFollowUps(first.storyId)).map((summary) => summary.itemId)).toEqual([
      'later-item',
      first.itemId,
    ]);
    const since = await store.listFollowUps(first.storyId, { since: '2025-03-15T00:00:00.000Z' });
    expect(since.map((summary) => summary.itemId)).toEqual(['later-item']);
    expect(await store.listFollowUps(first.storyId, { limit: 1 })).toHaveLength(1);
    const articles = await store.listArticlesByParty(first.storyId, 'us', { since: '2025-03-15T00:00:00.000Z' });
    expect(articles.map((article) => article.itemId)).toEqual(['later-item']);
  });

  test('cuts long text so the item stays small, keeping the link to the full article', async ({ store }) => {
    const summary = { ...fixtureFollowUp(), summary: 'word '.repeat(50_000), title: 'T'.repeat(5_000) };
    await store.saveFollowUps([summary]);
    const [stored] = await store.listFollowUps(summary.storyId);
    expect(stored?.summary.length).toBe(TEXT_LIMITS.summary);
    expect(stored?.title.length).toBe(TEXT_LIMITS.title);
    expect(stored?.link).toBe(summary.link);
  });
});

describe('story profile', () => {
  test('saves with optimistic versions and refuses a stale version', async ({ store }) => {
    expect(await store.getStoryProfile('ceasefire-2025')).toBeNull();
    expect(await store.saveStoryProfile('ceasefire-2025', { terms: ['truce'] }, 0)).toBe('ok');
    expect(await store.saveStoryProfile('ceasefire-2025', { terms: ['other'] }, 0)).toBe('conflict');
    expect(await store.getStoryProfile('ceasefire-2025')).toEqual({ profile: { terms: ['truce'] }, version: 1 });
    expect(await store.saveStoryProfile('ceasefire-2025', { terms: ['truce', 'monitoring'] }, 1)).toBe('ok');
    expect((await store.getStoryProfile('ceasefire-2025'))?.version).toBe(2);
  });
});

describe('stance commits and the outbox', () => {
  test('stores state, history and pending alerts together', async ({ store }) => {
    const next = stanceState('russia', 1);
    const alert = alertFor(next, 'item-1');
    expect(await commitOne(store, { next, expectedVersion: 0, causeItemId: 'item-1', alerts: [alert] })).toBe('ok');
    expect(await store.getStanceStates('ceasefire-2025')).toEqual([next]);
    expect(await store.listPendingAlerts()).toEqual([alert]);
    const history = await store.getStanceHistory('ceasefire-2025', 'russia');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ version: 1, causeItemId: 'item-1', from: 'supports', to: 'conditional' });
    expect(history[0]?.alertIds).toEqual([alert.id]);
  });

  test('reports a conflict when the stored version moved on, and writes none of the change', async ({ store }) => {
    const first = stanceState('russia', 1);
    await commitOne(store, { next: first, expectedVersion: 0, causeItemId: 'item-1', alerts: [] });
    const rival = stanceState('russia', 1, { label: 'opposes' });
    const rivalAlert = alertFor(rival, 'item-2');
    expect(
      await commitOne(store, { next: rival, expectedVersion: 0, causeItemId: 'item-2', alerts: [rivalAlert] }),
    ).toBe('conflict');
    expect(await store.getStanceStates('ceasefire-2025')).toEqual([first]);
    expect(await store.listAlerts()).toEqual([]);
    expect(await store.getStanceHistory('ceasefire-2025', 'russia')).toEqual([]);
  });

  test('treats an exact replay of a commit as done and keeps one copy of its alerts', async ({ store }) => {
    await commitOne(store, {
      next: stanceState('ukraine', 1),
      expectedVersion: 0,
      causeItemId: 'x',
      alerts: [],
    });
    const next = stanceState('ukraine', 2, { label: 'supports' });
    const alert = alertFor(next, 'item-9');
    const change = { next, expectedVersion: 1, causeItemId: 'item-9', alerts: [alert] };
    expect(await commitOne(store, change)).toBe('ok');
    expect(await commitOne(store, change)).toBe('ok');
    expect((await store.listAlerts()).map((stored) => stored.id)).toEqual([alert.id]);
    expect(await store.getStanceHistory('ceasefire-2025', 'ukraine')).toHaveLength(1);
  });

  test('marks an alert sent once: it leaves the outbox, keeps its first sentAt and stays listed', async ({ store }) => {
    const next = stanceState('us', 1);
    const alert = alertFor(next, 'item-3');
    await commitOne(store, { next, expectedVersion: 0, causeItemId: 'item-3', alerts: [alert] });
    await store.markAlertSent(alert.id, '2025-03-14T12:01:00.000Z');
    await store.markAlertSent(alert.id, '2025-03-14T12:05:00.000Z');
    expect(await store.listPendingAlerts()).toEqual([]);
    expect(await store.listAlerts()).toEqual([{ ...alert, status: 'sent', sentAt: '2025-03-14T12:01:00.000Z' }]);
  });

  test('refuses to mark an alert that does not exist', async ({ store }) => {
    await expect(store.markAlertSent('no-such-alert', NOW.toISOString())).rejects.toThrow(/no alert no-such-alert/);
  });

  test('lists alerts newest first and the outbox oldest first, honouring the limit', async ({ store }) => {
    const next = stanceState('europe', 1);
    const older = alertFor(next, 'a', { id: 'older', createdAt: '2025-03-14T09:00:00.000Z' });
    const newer = alertFor(next, 'a', {
      id: 'newer',
      kind: 'conditions_change',
      severity: 'low',
      createdAt: '2025-03-14T10:00:00.000Z',
    });
    await commitOne(store, { next, expectedVersion: 0, causeItemId: 'a', alerts: [older, newer] });
    expect((await store.listAlerts()).map((alert) => alert.id)).toEqual(['newer', 'older']);
    expect((await store.listPendingAlerts()).map((alert) => alert.id)).toEqual(['older', 'newer']);
    expect((await store.listPendingAlerts(1)).map((alert) => alert.id)).toEqual(['older']);
    expect(await store.listAlerts({ limit: 1 })).toHaveLength(1);
  });
});

describe('write budget', () => {
  test('costs 1 write per unchanged feed, 0 per seen item, 1 + keys + 1 per new item, 1 + parties per follow-up, 3 per stance change', async ({
    store,
    writes,
  }) => {
    const measure = async (work: () => Promise<unknown>) => {
      writes.reset();
      await work();
      return writes.snapshot().storedWrites;
    };
    expect(await measure(() => store.putFeedStates([feedState('alpha')]))).toBe(1);
    const keys = keysOf(otherItem);
    expect(await measure(() => claimOne(store, otherItem, keys))).toBe(1 + keys.length);
    expect(await measure(() => store.markItemsAnalyzed([otherItem.id]))).toBe(1);
    expect(await measure(() => claimOne(store, otherItem, keys))).toBe(0);
    const summary = fixtureFollowUp();
    expect(await measure(() => store.saveFollowUps([summary]))).toBe(1 + summary.stances.length);
    const next = stanceState('russia', 1);
    const change = { next, expectedVersion: 0, causeItemId: 'c', alerts: [alertFor(next, 'c')] };
    expect(await measure(() => commitOne(store, change))).toBe(3);
  });
});

describe('atomic commits', () => {
  test('writes nothing of a commit when one of its alert rows already exists', async ({ store, writes }) => {
    const first = stanceState('russia', 1);
    const taken = alertFor(first, 'item-1');
    await commitOne(store, { next: first, expectedVersion: 0, causeItemId: 'item-1', alerts: [taken] });
    const second = stanceState('russia', 2, { label: 'opposes' });
    writes.reset();
    const outcome = await commitOne(store, {
      next: second,
      expectedVersion: 1,
      causeItemId: 'item-2',
      alerts: [alertFor(second, 'item-2'), taken],
    });
    expect(outcome).toBe('conflict');
    expect(writes.snapshot()).toMatchObject({ storedWrites: 0, rejectedConditionalWrites: 1 });
    expect(await store.getStanceStates('ceasefire-2025')).toEqual([first]);
    expect((await store.listAlerts()).map((alert) => alert.id)).toEqual([taken.id]);
    expect(await store.getStanceHistory('ceasefire-2025', 'russia')).toHaveLength(1);
  });

  test('does nothing when an item never claimed is marked analyzed', async ({ store, writes }) => {
    await expect(store.markItemsAnalyzed(['never-claimed'])).resolves.toBeUndefined();
    expect(writes.snapshot().storedWrites).toBe(0);
  });
});
