import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answering, startOpenAiEndpoint } from '../../support/llm-endpoints';
import { startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { runCli } from '../../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-run-budget-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An RSS feed of on-story items the rules send past the gate, published an hour ago. */
function rssOf(ids: string[]): string {
  const published = new Date(Date.now() - 3_600_000).toUTCString();
  const items = ids.map(
    (id) => `<item><guid>${id}</guid><link>https://news.example.test/${id}</link>
      <title>Kremlin rejects the 30-day ceasefire proposal, report ${id}</title>
      <description>Peskov said Moscow would not pause the fighting.</description>
      <pubDate>${published}</pubDate></item>`,
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>World</title>
    <link>https://news.example.test/</link><description>World news</description>${items.join('')}</channel></rss>`;
}

const kremlinOpposes = answering((item) => ({
  ref: item.ref,
  followUp: true,
  stances: [{ party: 'russia', label: 'opposes', quote: item.title, conditions: [] }],
  summary: item.title,
}));

describe('storywatch run --reader-items-per-day', () => {
  it('counts the day’s budget in the store, so a second run the same day gets only what is left', async () => {
    const model = await startOpenAiEndpoint(kremlinOpposes);
    const feeds = await startLoopbackFeedServer({});
    try {
      const registry = join(scratch, 'registry.json');
      writeFileSync(
        registry,
        JSON.stringify([
          { id: 'world', url: feeds.url('/world.xml'), name: 'World', publisher: 'Example', language: 'en', note: 'x' },
        ]),
      );
      const dataDir = join(scratch, 'store');
      const run = () =>
        runCli([
          'run',
          '--once',
          '--feeds',
          registry,
          '--allow-private-network',
          '--data-dir',
          dataDir,
          '--alerts-file',
          join(dataDir, 'alerts.jsonl'),
          '--reader',
          'openai',
          '--llm-endpoint',
          `${model.endpoint}/v1`,
          '--llm-model',
          'local',
          '--reader-items-per-day',
          '4',
        ]);
      const asked = () => model.calls.flatMap((call) => call.items.map((item) => item.ref));
      const rss = (ids: string[]) => ({ headers: { 'content-type': 'application/rss+xml' }, body: rssOf(ids) });

      feeds.route('/world.xml', rss(['a1', 'a2', 'a3']));
      const first = await run();
      expect(first.code, first.stderr).toBe(0);
      expect(asked()).toHaveLength(3);

      // A new process opens the same store later that day: one item of the allowance is left, not four.
      feeds.route('/world.xml', rss(['b1', 'b2', 'b3']));
      const second = await run();
      expect(second.code, second.stderr).toBe(0);
      expect(asked()).toHaveLength(4);
      expect(second.stdout).toContain('note: 2 fell back to the rules (budget 2)');
      expect(second.stderr).toContain('"reason":"budget"');
    } finally {
      await model.close();
      await feeds.close();
    }
  }, 90_000);
});
