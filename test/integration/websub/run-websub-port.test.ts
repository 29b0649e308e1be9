import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { type LoopbackHub, startLoopbackHub } from '../../support/websub-hub';

const RSS = 'application/rss+xml; charset=utf-8';
let scratch: string | undefined;
let feeds: LoopbackFeedServer | undefined;
let hub: LoopbackHub | undefined;

afterEach(async () => {
  await feeds?.close();
  await hub?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const document = (hubUrl: string, titles: string[]) =>
  `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Wire</title><language>en</language><atom:link rel="hub" href="${hubUrl}"/>${titles
    .map((title, index) => `<item><guid>https://wire.example/${index}</guid><title>${title}</title></item>`)
    .join('')}</channel></rss>`;

async function until(read: () => string, pattern: RegExp): Promise<void> {
  for (let attempt = 0; attempt < 600 && !pattern.test(read()); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(read()).toMatch(pattern);
}

describe('storywatch run --websub-port', () => {
  it('subscribes to the hub a feed names and stores what the hub pushes, between polls', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'storywatch-websub-'));
    hub = await startLoopbackHub();
    const hubUrl = hub.url;
    feeds = await startLoopbackFeedServer({});
    feeds.route('/wire.xml', {
      headers: { 'content-type': RSS },
      body: document(hubUrl, ['Harbour strike enters day two']),
    });
    const feedUrl = feeds.url('/wire.xml');
    const registry = join(scratch, 'registry.json');
    const entry = { id: 'wire', url: feedUrl, name: 'Wire', publisher: 'Wire', language: 'en', note: 'loopback' };
    await writeFile(registry, JSON.stringify([entry]));

    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    const args = ['run', '--feeds', registry, '--allow-private-network', '--websub-port', '0'];
    const running = main([...args, '--data-dir', join(scratch, 'data'), '--alerts-file', join(scratch, 'a.jsonl')], {
      stdout,
      stderr: new PassThrough(),
      stdin: new PassThrough(),
    });
    await hub.verified(feedUrl);
    await until(() => printed, /next check in/);

    const pushed = document(hubUrl, ['Harbour strike enters day two', 'Port authority and union agree to talks']);
    expect(await hub.publish(feedUrl, pushed, RSS)).toEqual([202]);
    await until(() => printed, /push from wire: 1 new items, 1 already stored/);

    // An in-process run listens to no process signals (they belong to the test runner), so it is stopped the
    // other way a command stops at a safe point: its reader goes away.
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await running).toBe(0);
    expect(printed).toContain('websub: wire → ');
  }, 60_000);
});
