/**
 * Any OpenAI-compatible Chat Completions endpoint (OpenAI, Ollama, vLLM, llama.cpp server, hosted providers),
 * the answer forced through `response_format: {type: "json_schema"}`. The key, when the endpoint needs one, is
 * read from an environment variable so it never lands in a command line or a log.
 */
import { type ModelRequest, type ModelResponse, type ModelTransport, TransportError } from './transport';

export const DEFAULT_LLM_API_KEY_ENV = 'STORYWATCH_LLM_API_KEY';
/** Error bodies are only for the log line. */
const ERROR_BODY_LIMIT = 300;

export interface OpenAiTransportOptions {
  /** Base URL up to and including the version segment, e.g. `http://127.0.0.1:11434/v1`. */
  endpoint: string;
  model: string;
  apiKey?: string;
}

export function openAiBody(model: string, request: ModelRequest): Record<string, unknown> {
  return {
    model,
    temperature: 0,
    max_tokens: request.maxOutputTokens,
    messages: [
      { role: 'system', content: request.system },
      { role: 'user', content: request.user },
    ],
    response_format: {
      type: 'json_schema',
      json_schema: { name: request.toolName, strict: true, schema: request.schema },
    },
  };
}

function completionsUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--llm-endpoint must be an http(s) URL (got "${endpoint}")`);
  }
  return `${endpoint.replace(/\/+$/, '')}/chat/completions`;
}

function failureFor(status: number, body: string): TransportError {
  const detail = `HTTP ${status}: ${body.slice(0, ERROR_BODY_LIMIT)}`;
  if (status === 429) return new TransportError('throttled', detail);
  if (status === 408) return new TransportError('timeout', detail);
  if (status >= 500) return new TransportError('server', detail);
  return new TransportError('client', detail);
}

interface Completion {
  choices?: { message?: { content?: unknown; refusal?: unknown } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };
}

export function createOpenAiTransport(options: OpenAiTransportOptions): ModelTransport {
  const url = completionsUrl(options.endpoint);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  return {
    id: `openai:${options.model}`,
    // Providers that cache do it by themselves for a repeated prefix; nothing to mark.
    promptCaching: false,
    describe: (request) => ({ url, body: openAiBody(options.model, request) }),
    async send(request, signal): Promise<ModelResponse> {
      const init = { method: 'POST', headers, signal };
      const response = await postCompletion(url, init, openAiBody(options.model, request));
      const text = await response.text().catch(() => '');
      if (!response.ok) throw failureFor(response.status, text);
      return modelResponseOf(parseCompletion(text));
    },
  };
}

/** POSTs the request body as JSON; a failure to get any answer is a timeout (aborted) or a network error. */
async function postCompletion(url: string, init: RequestInit, body: unknown): Promise<Response> {
  try {
    return await fetch(url, { ...init, body: JSON.stringify(body) });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new TransportError('timeout', 'request timed out');
    throw new TransportError('network', (error as Error).message);
  }
}

function parseCompletion(text: string): Completion {
  try {
    return JSON.parse(text) as Completion;
  } catch {
    throw new TransportError('refused_answer', 'the response is not JSON');
  }
}

/** The first choice's text and the token counts; an answer without text is refused. */
function modelResponseOf(completion: Completion): ModelResponse {
  const message = completion.choices?.[0]?.message;
  if (typeof message?.content !== 'string') {
    throw new TransportError('refused_answer', `no content in the answer${message?.refusal ? ' (refused)' : ''}`);
  }
  const cached = completion.usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    answer: message.content,
    usage: {
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
      cacheReadTokens: cached,
      cacheWriteTokens: 0,
    },
  };
}
