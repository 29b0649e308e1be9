import type { FeedItem } from '../../src/core/feed';
import { createBedrockTransport } from '../../src/reader/bedrock';
import { createOpenAiTransport } from '../../src/reader/openai';
import type { ModelTransport } from '../../src/reader/transport';
import {
  type AskedItem,
  type EndpointOptions,
  type LlmEndpoint,
  type ModelScript,
  startBedrockEndpoint,
  startOpenAiEndpoint,
} from './llm-endpoints';

export interface Protocol {
  name: string;
  start(script: ModelScript, options?: EndpointOptions): Promise<LlmEndpoint>;
  transport(endpoint: string): ModelTransport;
}

export const BEDROCK: Protocol = {
  name: 'bedrock',
  start: startBedrockEndpoint,
  transport: (endpoint) =>
    createBedrockTransport({
      modelId: 'amazon.nova-lite-v1:0',
      region: 'eu-west-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
    }),
};

export const OPENAI: Protocol = {
  name: 'openai',
  start: startOpenAiEndpoint,
  transport: (endpoint) =>
    createOpenAiTransport({ endpoint: `${endpoint}/v1`, model: 'local-model', apiKey: 'sk-loopback' }),
};

export const PROTOCOLS: Protocol[] = [BEDROCK, OPENAI];

let counter = 0;

/** Ceasefire items the rules score well above the gate, so they go to the model. */
export function onStoryItem(title: string, description = ''): FeedItem {
  counter += 1;
  return {
    id: `item-${counter}`,
    title,
    description,
    link: `https://news.example.test/${counter}`,
    published: '2026-02-10T09:00:00Z',
    source: 'https://news.example.test/world.xml',
    language: 'en',
  };
}

export const OFF_STORY: FeedItem = {
  id: 'off-story',
  title: 'Local bakery wins award for sourdough',
  description: 'The jury praised the crust.',
  link: 'https://news.example.test/bakery',
  published: '2026-02-10T09:00:00Z',
  source: 'https://news.example.test/world.xml',
  language: 'en',
};

/** The answer a careful model gives to "Kremlin rejects …" style items: Russia opposes, quoting the title. */
export function kremlinOpposes(item: AskedItem): Record<string, unknown> {
  return {
    ref: item.ref,
    followUp: true,
    stances: [{ party: 'russia', label: 'opposes', quote: item.title, conditions: [] }],
    summary: `Russia turned the plan down. ${item.title}`,
  };
}

export const noSleep = async () => {};
