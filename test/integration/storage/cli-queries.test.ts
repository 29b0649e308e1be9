import { PassThrough } from 'node:stream';
import { describe, expect } from 'vitest';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import { main } from '../../../src/cli/main';
import type { StoryStore } from '../../../src/core/ports';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';
import { alertFor, fixtureFollowUp, stanceState } from '../../support/storage-builders';

type Cli = (...argv: string[]) => Promise<{ code: number; out: string; err: string }>;

async function runCli(argv: string[], storeArgs: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const code = await main([...argv, ...storeArgs], { stdout, stderr, stdin: new PassThrough() });
  return { code, out, err };
}

/** Two follow-ups, Russia's stance with a sent alert, and the US's with a pending one. */
async function seed(store: StoryStore): Promise<void> {
  await store.saveFollowUps([
    fixtureFollowUp(),
    {
      ...fixtureFollowUp(),
      itemId: 'later',
      title: 'Later report',
      published: '2025-03-20T08:00:00.000Z',
    },
  ]);
  const russia = stanceState('russia', 1, {
    evidence: [
      {
        itemId: 'item-1',
        quote: 'A pause would need monitoring.',
        source: 'https://wire.example.org/rss',
        link: 'https://wire.example.org/a',
        published: '2025-03-14T09:30:00.000Z',
      },
    ],
  });
  const changed = alertFor(russia, 'item-1');
  await commitOne(store, { next: russia, expectedVersion: 0, causeItemId: 'item-1', alerts: [changed] });
  await store.markAlertSent(changed.id, '2025-03-14T10:00:00.000Z');
  const us = stanceState('us', 1, { label: 'supports', conditions: [] });
  await commitOne(store, {
    next: us,
    expectedVersion: 0,
    causeItemId: 'item-2',
    alerts: [alertFor(us, 'item-2')],
  });
}

/** The CLI on one table seeded once for the file: every command here only reads. */
const it = storageTest.extend<{ cli: Cli }>({
  cli: [
    async ({ dynamo }, use) => {
      const tableName = await dynamo.freshTable();
      await seed(createDynamoStoryStore({ client: dynamo.client, tableName }));
      await use((...argv) => runCli(argv, ['--endpoint', dynamo.endpoint, '--table', tableName]));
    },
    { scope: 'file' },
  ],
});

describe('query commands against a table', () => {
  it('stances prints one row per party with label, conditions and latest evidence', async ({ cli }) => {
    const { code, out } = await cli('stances');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^PARTY\s+STANCE\s+CONF/);
    expect(lines[2]).toMatch(/^russia\s+conditional\s+0\.80\s+2025-03-14 09:30\s+monitoring\s+0\s+A pause would need/);
    expect(lines[3]).toMatch(/^us\s+supports/);
  });

  it('stances --json prints the stored states for scripts', async ({ cli }) => {
    const { out } = await cli('stances', '--json');
    const states = JSON.parse(out) as { party: string; version: number }[];
    expect(states.map((state) => [state.party, state.version])).toEqual([
      ['russia', 1],
      ['us', 1],
    ]);
  });

  it('history lists the changes of one party and requires the party', async ({ cli }) => {
    const { out } = await cli('history', 'russia');
    expect(out).toMatch(/1\s+2025-03-14 09:30\s+supports -> conditional\s+monitoring/);
    const missing = await cli('history');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('name the party');
  });

  it('articles lists follow-ups newest first and filters by party and date', async ({ cli }) => {
    const all = await cli('articles');
    const titles = all.out.split('\n').filter((line) => line.startsWith('2025-'));
    expect(titles[0]).toContain('Later report');
    expect(titles[1]).toContain('Kremlin says truce needs a monitoring mechanism first');
    const russia = await cli('articles', '--party', 'russia', '--since', '2025-03-15', '--json');
    expect((JSON.parse(russia.out) as { itemId: string }[]).map((article) => article.itemId)).toEqual(['later']);
    const bad = await cli('articles', '--since', 'last tuesday');
    expect(bad.code).toBe(2);
  });

  it('alerts shows delivery status and --pending only the outbox', async ({ cli }) => {
    const all = await cli('alerts');
    expect(all.out).toMatch(/russia\s+supports -> conditional\s+sent 2025-03-14 10:00/);
    expect(all.out).toMatch(/us\s+supports -> supports\s+pending/);
    const pending = await cli('alerts', '--pending', '--json');
    expect((JSON.parse(pending.out) as { party: string }[]).map((alert) => alert.party)).toEqual(['us']);
  });
});
