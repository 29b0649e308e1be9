import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AskedItem, answering, type LlmEndpoint, startOpenAiEndpoint } from '../../support/llm-endpoints';
import { runCli } from '../../support/run-cli';

const repoStories = join(import.meta.dirname, '../../../stories');
const scratch = mkdtempSync(join(tmpdir(), 'storywatch-replay-readings-'));
const storiesDir = join(scratch, 'stories');
const storyFile = join(storiesDir, 'ceasefire-2025.json');
const archive = join(scratch, 'archive.jsonl');

/** Two items the rules send past the gate, one they never would; a replay asks about one item at a time. */
const ITEMS = [
  {
    id: 'kremlin-plan',
    title: 'Kremlin rejects the 30-day ceasefire proposal',
    description: 'Peskov said Moscow would not pause the fighting.',
    link: 'https://news.example.test/kremlin-plan',
    published: '2026-02-10T09:00:00Z',
    source: 'https://news.example.test/world.xml',
  },
  {
    id: 'kyiv-talks',
    title: 'Zelensky says Ukraine rejects the ceasefire plan without security guarantees',
    description: 'Kyiv wants guarantees before any truce.',
    link: 'https://news.example.test/kyiv-talks',
    published: '2026-02-11T09:00:00Z',
    source: 'https://other.example.test/news.xml',
  },
  {
    id: 'bakery',
    title: 'Local bakery wins award for sourdough',
    description: 'The jury praised the crust.',
    link: 'https://news.example.test/bakery',
    published: '2026-02-12T10:00:00Z',
    source: 'https://news.example.test/world.xml',
  },
];

const writeArchive = (items: typeof ITEMS) =>
  writeFileSync(archive, `${items.map((item) => JSON.stringify(item)).join('\n')}\n`);

/** The model reads Russia as supporting (the rules read it the other way), quoting the title verbatim. */
function russiaSupports(item: AskedItem) {
  return {
    ref: item.ref,
    followUp: true,
    stances: [{ party: 'russia', label: 'supports', quote: item.title, conditions: [] }],
    summary: `Russia on the plan: ${item.title}`,
  };
}

let endpoint: LlmEndpoint;
const startedIn = process.cwd();

beforeEach(async () => {
  rmSync(join(scratch, '.storywatch'), { recursive: true, force: true });
  cpSync(repoStories, storiesDir, { recursive: true });
  writeArchive(ITEMS);
  endpoint = await startOpenAiEndpoint(answering(russiaSupports));
  // The replay's own store is named after the archive under ./.storywatch: run where nothing else lives.
  process.chdir(scratch);
});

afterEach(async () => {
  process.chdir(startedIn);
  await endpoint.close();
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const replay = (...extra: string[]) =>
  runCli([
    'replay',
    archive,
    '--stories-dir',
    storiesDir,
    '--reader',
    'openai',
    '--llm-endpoint',
    `${endpoint.endpoint}/v1`,
    '--llm-model',
    'qwen-local',
    '--confirm-sources',
    '1',
    ...extra,
  ]);

/** Everything a replay shows but the lines that say where readings came from. */
const results = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => !line.startsWith('replaying ') && !line.startsWith('reader '))
    .join('\n');

const askedRefs = () => endpoint.calls.flatMap((call) => call.items.map((item) => item.ref));
const alertsFile = () => readFileSync(join(scratch, '.storywatch/replay-archive/alerts.jsonl'), 'utf8');

describe('storywatch replay keeps model readings across its rebuilds', () => {
  it('asks the model nothing the second time and shows the same results', async () => {
    const first = await replay();
    expect(first.code, first.stderr).toBe(0);
    expect(askedRefs().sort()).toEqual(['kremlin-plan', 'kyiv-talks']);
    expect(first.stdout).toMatch(/russia: \S+ → supports {2}"Kremlin rejects/);
    const firstAlerts = alertsFile();

    const second = await replay();
    expect(second.code, second.stderr).toBe(0);
    expect(endpoint.calls).toHaveLength(2);
    expect(results(second.stdout)).toBe(results(first.stdout));
    expect(alertsFile()).toBe(firstAlerts);
    expect(second.stdout).toContain(', keeping 2 stored model reading(s) from before\n');
    expect(second.stdout).toContain(
      'reader openai:qwen-local: 0 item(s) past the gate in 0 request(s), 0 read by the model, 2 taken from stored readings\n',
    );
    // Nothing else was kept: the items are new to the rebuilt store and the stance changes again.
    expect(second.stdout).toContain('3 items, 0 duplicates');
  }, 90_000);

  it('asks again after the story file changes (a new prompt version) and for an edited item', async () => {
    expect((await replay()).code).toBe(0);
    expect(endpoint.calls).toHaveLength(2);

    const story = JSON.parse(readFileSync(storyFile, 'utf8')) as { description: string };
    writeFileSync(storyFile, JSON.stringify({ ...story, description: `${story.description} Also the talks after.` }));
    const edited = await replay();
    expect(edited.code, edited.stderr).toBe(0);
    expect(endpoint.calls).toHaveLength(4);
    expect(endpoint.calls[2]?.system).not.toBe(endpoint.calls[0]?.system);
    expect(askedRefs().slice(2).sort()).toEqual(['kremlin-plan', 'kyiv-talks']);

    // Same story again, one item's text changed at the source: only that item is asked about.
    writeArchive(ITEMS.map((item) => (item.id === 'kyiv-talks' ? { ...item, description: 'Updated.' } : item)));
    const changedItem = await replay();
    expect(changedItem.code, changedItem.stderr).toBe(0);
    expect(endpoint.calls).toHaveLength(5);
    expect(endpoint.calls[4]?.items.map((item) => item.ref)).toEqual(['kyiv-talks']);
    expect(changedItem.stdout).toContain('1 taken from stored readings');
  }, 120_000);

  it('keeps them through --fresh on a store named by --data-dir too', async () => {
    const dataDir = join(scratch, 'named-store');
    rmSync(dataDir, { recursive: true, force: true });
    expect((await replay('--data-dir', dataDir)).code).toBe(0);
    const again = await replay('--data-dir', dataDir, '--fresh');
    expect(again.code, again.stderr).toBe(0);
    expect(endpoint.calls).toHaveLength(2);
    expect(again.stdout).toContain('3 items, 0 duplicates');
    expect(again.stdout).toMatch(/russia: \S+ → supports {2}"Kremlin rejects/);
  }, 90_000);
});
