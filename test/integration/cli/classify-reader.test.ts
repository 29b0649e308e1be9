import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AskedItem,
  answering,
  type LlmEndpoint,
  startBedrockEndpoint,
  startOpenAiEndpoint,
} from '../../support/llm-endpoints';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'storywatch.mjs');

const items = [
  {
    id: 'kremlin-no',
    title: 'Kremlin rejects the 30-day ceasefire proposal',
    description: 'Peskov said Moscow would not pause the fighting.',
    published: '2026-02-10T09:00:00Z',
    source: 'https://feeds.example.test/world.xml',
  },
  { id: 'bakery', title: 'Local bakery wins award for sourdough', description: 'The jury praised the crust.' },
];

function russiaOpposes(item: AskedItem) {
  return {
    ref: item.ref,
    followUp: true,
    stances: [
      { party: 'russia', label: 'opposes', quote: 'Kremlin rejects the 30-day ceasefire proposal', conditions: [] },
    ],
    summary: 'The Kremlin turned the ceasefire down.',
  };
}

async function classify(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'classify', ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(`${items.map((item) => JSON.stringify(item)).join('\n')}\n`);
  const [code] = (await once(child, 'close')) as [number | null];
  return {
    code,
    lines: stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line)),
    stderr,
  };
}

describe('storywatch classify --reader', () => {
  let endpoint: LlmEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  it('reads through an OpenAI-compatible loopback endpoint, with no --allow-private-network', async () => {
    endpoint = await startOpenAiEndpoint(answering(russiaOpposes));
    const run = await classify(
      ['--reader', 'openai', '--llm-endpoint', `${endpoint.endpoint}/v1`, '--llm-model', 'qwen-local'],
      { STORYWATCH_LLM_API_KEY: 'sk-from-env' },
    );
    expect(run.code).toBe(0);
    expect(run.lines.map((line) => [line.id, line.reader])).toEqual([
      ['kremlin-no', 'openai:qwen-local'],
      ['bakery', 'rules'],
    ]);
    expect(run.lines[0]).toMatchObject({ followUp: true, stances: { russia: 'opposes' } });
    expect(endpoint.calls).toHaveLength(1);
    expect(endpoint.calls[0]?.headers.authorization).toBe('Bearer sk-from-env');
  });

  it('reads through a Bedrock Converse loopback endpoint', async () => {
    endpoint = await startBedrockEndpoint(answering(russiaOpposes));
    const run = await classify(['--reader', 'bedrock', '--bedrock-endpoint', endpoint.endpoint], {
      AWS_ACCESS_KEY_ID: 'AKIDLOOPBACK',
      AWS_SECRET_ACCESS_KEY: 'loopback-secret',
    });
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatchObject({
      id: 'kremlin-no',
      reader: 'bedrock:amazon.nova-lite-v1:0',
      stances: { russia: 'opposes' },
    });
    expect(endpoint.calls[0]?.path).toBe('/model/amazon.nova-lite-v1%3A0/converse');
  });

  it('--dry-run prints the exact request and a token and cost estimate, and sends nothing', async () => {
    endpoint = await startBedrockEndpoint(answering(russiaOpposes));
    const run = await classify(['--reader', 'bedrock', '--bedrock-endpoint', endpoint.endpoint, '--dry-run']);
    expect(run.code).toBe(0);
    expect(endpoint.calls).toHaveLength(0);
    const [request, summary] = run.lines;
    expect(request).toMatchObject({
      itemIds: ['kremlin-no'],
      request: { url: `${endpoint.endpoint}/model/amazon.nova-lite-v1%3A0/converse` },
    });
    expect(request.request.body.toolConfig.toolChoice).toEqual({ tool: { name: 'record_readings' } });
    expect(JSON.parse(request.request.body.messages[0].content[0].text).items[0].ref).toBe('kremlin-no');
    expect(summary).toMatchObject({ dryRun: true, itemsRead: 2, gatePassed: 1, estimate: { requests: 1 } });
    expect(summary.estimate.inputTokens).toBeGreaterThan(500);
    // The forced tool's schema goes with every request and is billed as input: part of the estimate.
    const schema = request.request.body.toolConfig.tools[0].toolSpec.inputSchema.json;
    expect(summary.estimate.schemaTokens).toBe(Math.ceil(JSON.stringify(schema).length / 4));
    expect(summary.estimate.inputTokens).toBeGreaterThan(summary.estimate.systemTokens + summary.estimate.schemaTokens);
    expect(summary.estimate.usd).toBeGreaterThan(0);
  });

  it('keeps the rules when the model endpoint is down, saying so per item', async () => {
    const run = await classify(['--reader', 'openai', '--llm-endpoint', 'http://127.0.0.1:9/v1', '--llm-model', 'm']);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatchObject({ id: 'kremlin-no', reader: 'rules', fallback: 'transport' });
    expect(run.stderr).toContain('"reason":"transport"');
  });

  it('refuses endpoint options that do not fit the reader', async () => {
    const run = await classify(['--llm-endpoint', 'http://127.0.0.1:9/v1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--llm-endpoint needs --reader openai');
  });
});
