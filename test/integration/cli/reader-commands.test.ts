import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readFinishedRun } from '../../../src/cli/kept-store';
import { type DemoFeedServer, startDemoFeedServer } from '../../../src/demo/feed-server';
import { SimulatedClock } from '../../../src/demo/simulated-clock';
import { DEMO_TIMELINE } from '../../../src/demo/timeline';
import {
  type AskedItem,
  answering,
  type LlmEndpoint,
  startBedrockEndpoint,
  startOpenAiEndpoint,
} from '../../support/llm-endpoints';
import { runCli } from '../../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-reader-commands-'));
let stores = 0;
const ownStore = () => join(scratch, `store-${++stores}`);

/** A small archive: one item the rules send past the gate (they read Russia as opposing), one they never would. */
const archive = join(scratch, 'archive.jsonl');
writeFileSync(
  archive,
  `${[
    {
      id: 'kremlin-plan',
      title: 'Kremlin rejects the 30-day ceasefire proposal',
      description: 'Peskov said Moscow would not pause the fighting.',
      link: 'https://news.example.test/kremlin-plan',
      published: '2026-02-10T09:00:00Z',
      source: 'https://news.example.test/world.xml',
    },
    {
      id: 'bakery',
      title: 'Local bakery wins award for sourdough',
      description: 'The jury praised the crust.',
      link: 'https://news.example.test/bakery',
      published: '2026-02-10T10:00:00Z',
      source: 'https://news.example.test/world.xml',
    },
  ]
    .map((item) => JSON.stringify(item))
    .join('\n')}\n`,
);

/**
 * A model that reads the same title the other way from the rules (Russia supports), quoting it verbatim: a replay
 * that shows "supports" can only have taken the model's reading.
 */
function russiaSupports(item: AskedItem) {
  return {
    ref: item.ref,
    followUp: true,
    stances: [{ party: 'russia', label: 'supports', quote: item.title, conditions: [] }],
    summary: `Russia on the plan: ${item.title}`,
  };
}

/** Follow-ups with no stance: the model's reading of every demo item it is asked about. */
const followUpOnly = answering((item) => ({ ref: item.ref, followUp: true, stances: [], summary: item.title }));

let endpoint: LlmEndpoint | undefined;
let feedServer: DemoFeedServer | undefined;

beforeEach(() => {
  // The Bedrock client signs its requests; the loopback endpoint only needs them to be signed with something.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOOPBACK');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'loopback-secret');
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await endpoint?.close();
  await feedServer?.close();
  endpoint = undefined;
  feedServer = undefined;
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('storywatch replay --reader', () => {
  it('asks the OpenAI-compatible endpoint about the items past the gate and tracks the stance it read', async () => {
    endpoint = await startOpenAiEndpoint(answering(russiaSupports));
    const run = await runCli([
      'replay',
      archive,
      '--reader',
      'openai',
      '--llm-endpoint',
      `${endpoint.endpoint}/v1`,
      '--llm-model',
      'qwen-local',
      '--confirm-sources',
      '1',
      '--data-dir',
      ownStore(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(endpoint.calls.map((call) => call.items.map((item) => item.ref))).toEqual([['kremlin-plan']]);
    expect(run.stdout).toMatch(/russia: \S+ → supports {2}"Kremlin rejects/);
    expect(run.stdout).toContain(
      'reader openai:qwen-local: 1 item(s) past the gate in 1 request(s), 1 read by the model\n',
    );
  }, 60_000);

  it('falls back to the rules when the Bedrock endpoint keeps failing, and says so', async () => {
    endpoint = await startBedrockEndpoint(() => ({ fail: { status: 503, code: 'ServiceUnavailableException' } }));
    const run = await runCli([
      'replay',
      archive,
      '--reader',
      'bedrock',
      '--bedrock-endpoint',
      endpoint.endpoint,
      '--confirm-sources',
      '1',
      '--data-dir',
      ownStore(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    // Every attempt reached the endpoint; the item was still analysed, by the rules (Russia opposes).
    expect(endpoint.calls.length).toBeGreaterThanOrEqual(2);
    expect(run.stdout).toMatch(/russia: \S+ → opposes {2}"Kremlin rejects/);
    expect(run.stdout).toContain('note: 1 fell back to the rules (transport 1)');
    expect(run.stderr).toContain('"reason":"transport"');
  }, 60_000);

  it('spends each archived day’s budget on that day’s items, and hands the rest to the rules', async () => {
    const kremlin = (id: string, published: string) => ({
      id,
      title: `Kremlin rejects the ceasefire proposal (${id})`,
      description: 'Peskov said Moscow would not pause the fighting.',
      link: `https://news.example.test/${id}`,
      published,
      source: 'https://news.example.test/world.xml',
    });
    const days = join(scratch, 'two-days.jsonl');
    const items = [
      kremlin('monday-1', '2026-02-09T09:00:00Z'),
      kremlin('monday-2', '2026-02-09T11:00:00Z'),
      kremlin('tuesday-1', '2026-02-10T09:00:00Z'),
    ];
    writeFileSync(days, `${items.map((item) => JSON.stringify(item)).join('\n')}\n`);
    endpoint = await startOpenAiEndpoint(answering(russiaSupports));
    const run = await runCli([
      'replay',
      days,
      ...['--reader', 'openai', '--llm-endpoint', `${endpoint.endpoint}/v1`, '--llm-model', 'qwen-local'],
      ...['--reader-items-per-day', '1', '--data-dir', ownStore()],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(endpoint.calls.map((call) => call.items.map((item) => item.ref))).toEqual([['monday-1'], ['tuesday-1']]);
    expect(run.stdout).toContain('note: 1 fell back to the rules (budget 1)');
    expect(run.stderr).toContain('"reason":"budget","itemIds":["monday-2"]');
  }, 60_000);

  it('refuses a reading budget for the rules', async () => {
    const run = await runCli(['replay', archive, '--reader-items-per-day', '5', '--data-dir', ownStore()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('a reading budget needs an LLM --reader');
  });

  it('refuses a model option without the reader it belongs to, before reading anything', async () => {
    const run = await runCli(['replay', archive, '--llm-model', 'qwen-local', '--data-dir', ownStore()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--llm-model needs an LLM --reader');
  });
});

describe('storywatch demo --reader', () => {
  it('reads the demo through the model, records who read it, and runs again when another reader is asked', async () => {
    endpoint = await startOpenAiEndpoint(followUpOnly);
    const dataDir = ownStore();
    const args = ['--reader', 'openai', '--llm-endpoint', `${endpoint.endpoint}/v1`, '--llm-model', 'local'];
    const demo = await runCli(['demo', '--data-dir', dataDir, ...args]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(endpoint.calls.length).toBeGreaterThan(0);
    expect(demo.stdout).toMatch(/^reader openai:local: \d+ item\(s\) past the gate in \d+ request\(s\)/m);
    expect(readFinishedRun(dataDir)?.reader).toBe('openai:local');

    const rules = await runCli(['demo', '--data-dir', dataDir]);
    expect(rules.code, rules.stderr).toBe(0);
    expect(rules.stdout).toContain('holds the demo as read by openai:local; starting over with rules');
    expect(rules.stdout).toContain('4 stance changes');
    expect(readFinishedRun(dataDir)?.reader).toBe('rules');
  }, 90_000);
});

describe('storywatch run --reader', () => {
  it('polls once with the model reading the new items, saying which reader in the status line', async () => {
    endpoint = await startOpenAiEndpoint(followUpOnly);
    feedServer = await startDemoFeedServer(DEMO_TIMELINE, { clock: new SimulatedClock('2025-12-31T00:00:00Z') });
    const registry = join(scratch, 'registry.json');
    const entries = feedServer.feeds.map((feed) => ({
      ...feed,
      note: 'Invented outlet served by the demo feed server.',
    }));
    writeFileSync(registry, JSON.stringify(entries));
    const dataDir = ownStore();
    const run = await runCli([
      'run',
      '--once',
      '--feeds',
      registry,
      // For the loopback feeds only: the model endpoint is the user's own configuration and needs no flag.
      '--allow-private-network',
      '--data-dir',
      dataDir,
      '--alerts-file',
      join(dataDir, 'alerts.jsonl'),
      '--reader',
      'openai',
      '--llm-endpoint',
      `${endpoint.endpoint}/v1`,
      '--llm-model',
      'local',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^polling 4 feeds for .*, read by openai:local \(once\)$/m);
    expect(endpoint.calls.length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/^reader openai:local: \d+ item\(s\) past the gate in \d+ request\(s\)/m);
  }, 60_000);
});
