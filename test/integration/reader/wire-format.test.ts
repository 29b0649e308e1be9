import { afterEach, describe, expect, it } from 'vitest';
import { loadStory } from '../../../src/detection/index';
import { createBedrockTransport } from '../../../src/reader/bedrock';
import { createLlmReader } from '../../../src/reader/llm-reader';
import { ANSWER_TOOL_NAME, storyPrompt } from '../../../src/reader/prompt';
import { answerSchema } from '../../../src/reader/wire';
import { FIXTURE_STORIES } from '../../support/detection-helpers';
import { answering, type LlmEndpoint } from '../../support/llm-endpoints';
import { BEDROCK, kremlinOpposes, noSleep, OPENAI, onStoryItem } from '../../support/reader-rig';

const story = loadStory('ceasefire-2025');
const silent = () => {};

describe('what goes over the wire', () => {
  let endpoint: LlmEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  it('Bedrock: one forced tool with the answer schema, temperature 0, a cache point after the system text', async () => {
    const served = await BEDROCK.start(answering(kremlinOpposes));
    endpoint = served;
    const reader = createLlmReader({ transport: BEDROCK.transport(served.endpoint), log: silent, sleep: noSleep });
    await reader.read([onStoryItem('Kremlin rejects the ceasefire plan')], story);
    const [call] = served.calls;
    expect(call?.path).toBe(`/model/${encodeURIComponent('amazon.nova-lite-v1:0')}/converse`);
    expect(call?.body).toMatchObject({
      system: [{ text: storyPrompt(story).system }, { cachePoint: { type: 'default' } }],
      inferenceConfig: { temperature: 0 },
      toolConfig: {
        tools: [{ toolSpec: { name: ANSWER_TOOL_NAME, inputSchema: { json: answerSchema(storyPrompt(story)) } } }],
        toolChoice: { tool: { name: ANSWER_TOOL_NAME } },
      },
    });
    // Signed like any AWS request.
    expect(String(call?.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACK\//);
  });

  it('Bedrock: no cache point for a model family that does not cache prompts', async () => {
    const served = await BEDROCK.start(answering(kremlinOpposes));
    endpoint = served;
    const transport = createBedrockTransport({
      modelId: 'meta.llama3-1-8b-instruct-v1:0',
      region: 'us-east-1',
      endpoint: served.endpoint,
      credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
    });
    await createLlmReader({ transport, log: silent }).read([onStoryItem('Kremlin rejects the ceasefire plan')], story);
    expect(served.calls[0]?.body.system).toEqual([{ text: storyPrompt(story).system }]);
  });

  it('OpenAI: a json_schema response format with the answer schema, temperature 0, the key as a bearer token', async () => {
    const served = await OPENAI.start(answering(kremlinOpposes));
    endpoint = served;
    const reader = createLlmReader({ transport: OPENAI.transport(served.endpoint), log: silent });
    await reader.read([onStoryItem('Kremlin rejects the ceasefire plan')], story);
    const [call] = served.calls;
    expect(call?.body).toMatchObject({
      model: 'local-model',
      temperature: 0,
      response_format: {
        type: 'json_schema',
        json_schema: { name: ANSWER_TOOL_NAME, strict: true, schema: answerSchema(storyPrompt(story)) },
      },
    });
    expect(call?.headers.authorization).toBe('Bearer sk-loopback');
  });
});

describe('a second, invented story', () => {
  it('gets a working prompt and grounded readings with no code of its own', async () => {
    const portStrike = loadStory('port-strike-2031', FIXTURE_STORIES);
    const served = await OPENAI.start(
      answering((item) => ({
        ref: item.ref,
        followUp: true,
        stances: [{ party: 'employers', label: 'opposes', quote: 'Employers reject union proposal', conditions: [] }],
        summary: 'The employers turned the proposal down.',
      })),
    );
    try {
      const reader = createLlmReader({ transport: OPENAI.transport(served.endpoint), log: silent });
      const item = {
        ...onStoryItem('Employers reject union proposal as port strike enters third week'),
        published: '2031-02-20T09:00:00Z',
      };
      const [reading] = await reader.read([item], portStrike);
      expect(served.calls[0]?.system).toContain('Harbor City');
      expect(served.calls[0]?.system).toContain('"automation_limits"');
      expect(reading).toMatchObject({
        storyId: 'port-strike-2031',
        reader: 'openai:local-model',
        promptVersion: storyPrompt(portStrike).version,
        stances: [{ party: 'employers', label: 'opposes' }],
      });
    } finally {
      await served.close();
    }
  });
});
