import { describe, expect, it } from 'vitest';
import {
  createReader,
  isLlmReader,
  READER_ENV,
  ReaderConfigError,
  readerConfigFromEnv,
} from '../../../src/reader/config';

describe('reader configuration', () => {
  it('defaults to the rules when nothing is set', () => {
    expect(readerConfigFromEnv({})).toEqual({ reader: 'rules', budget: {} });
    expect(createReader({ reader: 'rules' }).id).toBe('rules');
  });

  it('reads the Bedrock model and the daily budget from the environment', () => {
    const config = readerConfigFromEnv({
      [READER_ENV.reader]: 'bedrock',
      [READER_ENV.bedrockModelId]: 'us.amazon.nova-lite-v1:0',
      [READER_ENV.itemsPerDay]: '2000',
    });
    expect(config).toEqual({
      reader: 'bedrock',
      bedrockModelId: 'us.amazon.nova-lite-v1:0',
      budget: { itemsPerDay: 2000 },
    });
    const reader = createReader({ ...config, bedrockRegion: 'us-east-1' });
    expect(reader.id).toBe('bedrock:us.amazon.nova-lite-v1:0');
    expect(isLlmReader(reader)).toBe(true);
  });

  it('fails loudly on an unknown reader, a missing model id or a bad budget', () => {
    expect(() => readerConfigFromEnv({ [READER_ENV.reader]: 'oracle' })).toThrow(ReaderConfigError);
    expect(() => readerConfigFromEnv({ [READER_ENV.reader]: 'bedrock' })).toThrow(/STORYWATCH_BEDROCK_MODEL_ID/);
    expect(() =>
      readerConfigFromEnv({
        [READER_ENV.reader]: 'bedrock',
        [READER_ENV.bedrockModelId]: 'm',
        [READER_ENV.itemsPerDay]: '-1',
      }),
    ).toThrow(/positive whole number/);
  });

  it('needs an endpoint and a model for an OpenAI-compatible reader, and takes the key from the named variable', () => {
    expect(() => createReader({ reader: 'openai', llmModel: 'm' })).toThrow(/--llm-endpoint/);
    expect(() => createReader({ reader: 'openai', llmEndpoint: 'http://127.0.0.1:1/v1' })).toThrow(/--llm-model/);
    const reader = createReader(
      { reader: 'openai', llmEndpoint: 'http://127.0.0.1:1/v1', llmModel: 'qwen3:8b', llmApiKeyEnv: 'MY_KEY' },
      { env: { MY_KEY: 'secret' } },
    );
    expect(reader.id).toBe('openai:qwen3:8b');
    expect(isLlmReader(reader)).toBe(true);
  });
});
