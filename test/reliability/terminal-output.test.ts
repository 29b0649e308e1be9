/**
 * Archived text is hostile here: terminal escapes (ESC, BEL), C1 controls and bidi overrides in every title and
 * description. Replayed into a data dir, nothing of them may reach the terminal through `replay`, `history` or
 * `articles`, nor the store: the archive's entrance cleans the text before anything keeps it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { DEFAULT_TABLE_NAME } from '../../src/adapters/dynamodb/schema';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { renderTable } from '../../src/adapters/local/text-table';
import { DEMO_TIMELINE, demoItemGuid, demoItemLink } from '../../src/demo/timeline';
import { startEmbeddedDynamo } from '../../src/local/engine/index';
import { runCli } from '../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-terminal-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every character a terminal or a bidi renderer acts on, but the line break. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the test's point.
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const ESCAPES = '\u001b]0;owned\u0007\u001b[2J';

function writeHostileArchive(path: string): void {
  const lines = DEMO_TIMELINE.items.map((item) =>
    JSON.stringify({
      id: `${demoItemGuid(item)}\u001b[1m`,
      source: `https://${item.outlet}.example.org/feed.xml`,
      link: `${demoItemLink(item)}\u0007`,
      published: item.published,
      title: `${item.title}\u202e ${ESCAPES}`,
      description: `\u0085${item.description} \u2066${ESCAPES}\u2069`,
    }),
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/**
 * The follow-ups and alerts the replay stored, read from its engine directly, past every printing step. An engine of
 * its own, not storageTest's: the CLI keeps its store in a data directory, and only an engine opened on that
 * directory reads it back.
 */
async function storedRows(dataDir: string): Promise<unknown[]> {
  const embedded = await startEmbeddedDynamo({ dataDir });
  const client = createDynamoClient({ endpoint: embedded.endpoint, region: 'us-east-1' });
  try {
    const store = createDynamoStoryStore({ client, tableName: DEFAULT_TABLE_NAME });
    return [await store.listFollowUps(DEMO_TIMELINE.storyId), await store.listAlerts()];
  } finally {
    client.destroy();
    await embedded.close();
  }
}

/** Every string in a value, however deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(stringsIn);
}

describe('terminal output of text that came from an archive', () => {
  it('replay, history and articles print no control or bidi characters', async () => {
    const archive = join(scratch, 'hostile.jsonl');
    const dataDir = join(scratch, 'data');
    writeHostileArchive(archive);
    const replay = await runCli(['replay', archive, '--data-dir', dataDir]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/Stance changes:\n {2}\d{4}-/);
    expect(replay.stdout).not.toMatch(UNPRINTABLE);

    const parties = [...new Set(DEMO_TIMELINE.plannedChanges.map((change) => change.party))];
    for (const party of parties) {
      const history = await runCli(['history', party, '--data-dir', dataDir]);
      expect(history.code).toBe(0);
      expect(history.stdout).toContain('->');
      expect(history.stdout).not.toMatch(UNPRINTABLE);
    }
    const articles = await runCli(['articles', '--data-dir', dataDir]);
    expect(articles.code).toBe(0);
    expect(articles.stdout.split('\n').length).toBeGreaterThan(3);
    expect(articles.stdout).not.toMatch(UNPRINTABLE);

    const historyJson = await runCli(['history', parties[0] ?? '', '--json', '--data-dir', dataDir]);
    expect(historyJson.code).toBe(0);
    expect(JSON.parse(historyJson.stdout).length).toBeGreaterThan(0);
    expect(historyJson.stdout).not.toMatch(UNPRINTABLE);
    expect(historyJson.stdout).not.toContain('\\u001b');
    const articlesJson = await runCli(['articles', '--json', '--data-dir', dataDir]);
    expect(articlesJson.code).toBe(0);
    expect(JSON.parse(articlesJson.stdout).length).toBeGreaterThan(0);
    expect(articlesJson.stdout).not.toMatch(UNPRINTABLE);
    expect(articlesJson.stdout).not.toContain('\\u001b');

    // Not only hidden at the terminal: the archive's entrance cleaned the text before it was stored.
    const stored = stringsIn(await storedRows(dataDir));
    expect(stored.length).toBeGreaterThan(100);
    expect(stored.filter((text) => UNPRINTABLE.test(text))).toEqual([]);
  }, 120_000);

  it('renderTable strips control and bidi characters from every cell', () => {
    const table = renderTable(['A', 'B'], [[`x${ESCAPES}y`, 'left\u202eright\tnext\u0085']]);
    expect(table).not.toMatch(UNPRINTABLE);
    expect(table).toContain('x]0;owned[2Jy');
    expect(table).toContain('leftright next');
  });
});
