import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { runCli } from '../../support/run-cli';

describe('storywatch fetch', () => {
  let server: LoopbackFeedServer;

  beforeAll(async () => {
    server = await startLoopbackFeedServer({
      '/feed.xml': {
        headers: { 'content-type': 'application/rss+xml' },
        body: readFileSync(new URL('../../fixtures/feeds/rss2-news.xml', import.meta.url)),
      },
      '/large.xml': { headers: { 'content-type': 'application/rss+xml' }, body: 'x'.repeat(4096) },
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('prints the feed and its normalized items as JSON and exits 0', async () => {
    const result = await runCli(['fetch', server.url('/feed.xml'), '--allow-private-network']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.feed).toEqual({ title: 'Example World Desk', language: 'en', url: server.url('/feed.xml') });
    expect(printed.items).toHaveLength(2);
    expect(printed.items[0]).toMatchObject({
      id: `${new URL(server.url('/feed.xml')).host}/story-42`,
      published: '2025-03-12T09:30:00.000Z',
      description: 'Negotiators returned to the table on Wednesday.',
    });
    expect(printed.items[1].link).toBe(server.url('/world/markets-steady'));
  });

  it('prints a classified error and exits 1 when the address is refused by default', async () => {
    const result = await runCli(['fetch', server.url('/feed.xml')]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'blocked_address', message: expect.any(String) } });
  });

  it('applies --max-bytes to the body', async () => {
    const result = await runCli(['fetch', server.url('/large.xml'), '--allow-private-network', '--max-bytes', '1024']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.kind).toBe('too_large');
  });

  it('rejects a missing URL and a non-numeric timeout as usage errors', async () => {
    expect((await runCli(['fetch'])).code).toBe(2);
    const badTimeout = await runCli(['fetch', server.url('/feed.xml'), '--timeout-ms', 'soon']);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toMatch(/--timeout-ms must be a number/);
  });
});
