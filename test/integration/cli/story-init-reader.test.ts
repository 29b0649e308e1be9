import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type LlmEndpoint,
  type ModelScript,
  startBedrockEndpoint,
  startOpenAiEndpoint,
} from '../../support/llm-endpoints';
import { runCli } from '../../support/run-cli';

const SEED = join(import.meta.dirname, '..', '..', 'fixtures', 'detection', 'seeds', 'tariff-talks-2031.txt');
const made: string[] = [];
let endpoint: LlmEndpoint | undefined;

afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
  vi.unstubAllEnvs();
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function outPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'story-init-reader-'));
  made.push(dir);
  return join(dir, 'tariffs.json');
}

/** What a model reading the tariff seed might answer; "semiconductors" is a word the seed never writes. */
const tariffDraft = {
  title: 'US–China tariff truce',
  description: 'The United States and China negotiate a truce on tariffs and export curbs.',
  parties: [
    { id: 'us', include: 'actors/us', name: null, aliases: [] },
    { id: 'china', include: 'actors/china', name: null, aliases: [] },
  ],
  sharedTopics: [],
  topicPhrases: ['tariff truce', 'export controls'],
  topicWords: ['tariffs', 'soybeans', 'semiconductors'],
  conditions: [{ id: 'export_subsidies', terms: ['export subsidies'] }],
  conflictTerms: ['Geneva'],
  otherStories: null,
};

const answers =
  (answer: unknown): ModelScript =>
  () => ({ answer });

function init(out: string, ...reader: string[]) {
  return runCli(['story', 'init', '--from', SEED, '--start', '2031-02-01', '--out', out, ...reader]);
}

describe('storywatch story init --reader', () => {
  it('openai: the model drafts the story through Chat Completions with the draft schema, and it loads', async () => {
    endpoint = await startOpenAiEndpoint(answers(tariffDraft));
    const out = outPath();
    const run = await init(out, '--reader', 'openai', '--llm-endpoint', `${endpoint.endpoint}/v1`, '--llm-model', 'm');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok: tariffs\.json is story "us-china-tariff-truce": 2 parties/);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.topic).toEqual([
      { weight: 1.2, terms: ['tariff truce', 'export controls'] },
      { weight: 0.8, terms: ['tariffs', 'soybeans'] },
    ]);
    expect(written.notes.join('\n')).toMatch(/Drafted by openai:m from the seeds[\s\S]*Left out.*semiconductors/);
    expect(endpoint.calls).toHaveLength(1);
    const body = endpoint.calls[0]?.body ?? {};
    const format = body.response_format as { json_schema: { name: string; strict: boolean } };
    expect(format.json_schema).toMatchObject({ name: 'draft_story', strict: true });
    const user = (body.messages as { role: string; content: string }[])[1]?.content ?? '';
    expect(JSON.parse(user).seeds[0]).toMatch(/^US and China open talks on a tariff truce/);
  });

  it('bedrock: the model drafts the story through Converse as the forced tool’s input', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOOPBACK');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'loopback-secret');
    endpoint = await startBedrockEndpoint(answers(tariffDraft));
    const out = outPath();
    const run = await init(out, '--reader', 'bedrock', '--bedrock-endpoint', endpoint.endpoint);
    expect(run.code).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.conflictTerms).toEqual(['Geneva']);
    expect(written.notes[1]).toMatch(/^Drafted by bedrock:/);
    const tools = endpoint.calls[0]?.body.toolConfig as { toolChoice: { tool: { name: string } } };
    expect(tools.toolChoice.tool.name).toBe('draft_story');
  });

  it('falls back to the rules draft when the answer is unusable, naming the field at fault', async () => {
    const bad = { ...tariffDraft, parties: [{ id: 'atl', include: 'actors/atlantis', name: null, aliases: [] }] };
    endpoint = await startOpenAiEndpoint(answers(bad));
    const out = outPath();
    const run = await init(out, '--reader', 'openai', '--llm-endpoint', `${endpoint.endpoint}/v1`, '--llm-model', 'm');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/rules drafted the story instead: .*parties\[0\]\.include "actors\/atlantis"/);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.parties).toEqual([
      { id: 'china', include: 'actors/china' },
      { id: 'us', include: 'actors/us' },
    ]);
    expect(written.notes[1]).toMatch(/^Not the model's draft: .*parties\[0\]\.include/);
  });

  it('falls back to the rules draft when the endpoint refuses the request', async () => {
    endpoint = await startOpenAiEndpoint(() => ({ fail: { status: 400, code: 'invalid_request_error' } }));
    const out = outPath();
    const run = await init(out, '--reader', 'openai', '--llm-endpoint', `${endpoint.endpoint}/v1`, '--llm-model', 'm');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/openai:m gave no answer \(client: HTTP 400/);
    expect(endpoint.calls).toHaveLength(1);
  });

  it('refuses an LLM reader without its endpoint before writing anything', async () => {
    const run = await init(outPath(), '--reader', 'openai');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--reader openai needs --llm-endpoint/);
  });
});
