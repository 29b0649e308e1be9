/**
 * Loopback model endpoints speaking the real wire formats, so the readers are driven through the real Bedrock SDK
 * and real fetch: Bedrock Runtime's Converse (REST-JSON, POST /model/{modelId}/converse, errors named by the
 * x-amzn-errortype header) and OpenAI's Chat Completions (POST /v1/chat/completions). What the "model" answers is
 * a script the test gives; the servers only record requests and speak the protocol. The Bedrock Runtime client
 * talks HTTP/2 (its default handler), so that endpoint is an HTTP/2 server, cleartext with prior knowledge.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface AskedItem {
  ref: string;
  title: string;
  description: string;
  published: string | null;
  source: string;
}

/** One request as the endpoint understood it. */
export interface ModelCall {
  path: string;
  system: string;
  items: AskedItem[];
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** What the scripted model does with one call. */
export type ModelTurn =
  | { answer: unknown }
  | { fail: { status: number; code: string } }
  | { hang: true }
  | { raw: string; status?: number };

export type ModelScript = (call: ModelCall, index: number) => ModelTurn;

export interface LlmEndpoint {
  endpoint: string;
  calls: ModelCall[];
  close(): Promise<void>;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

function readBody(request: AnyRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseItems(text: string): AskedItem[] {
  const parsed = JSON.parse(text) as { items?: AskedItem[] };
  return parsed.items ?? [];
}

/** About four characters a token: enough for the usage figures the readers add up. */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function sendJson(response: AnyResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** How the endpoint behaves besides its script. */
export interface EndpointOptions {
  /** Wait this long before answering each request: a model's think time, for the bench. */
  delayMs?: number;
}

async function serve(
  handle: (request: AnyRequest, body: string, response: AnyResponse) => void,
  http2 = false,
  options: EndpointOptions = {},
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const delay = options.delayMs ?? 0;
  const onRequest = (request: AnyRequest, response: AnyResponse) => {
    readBody(request).then(
      (body) =>
        delay > 0 ? setTimeout(() => handle(request, body, response), delay) : handle(request, body, response),
      () => response.destroy(),
    );
  };
  const sessions = new Set<Http2Session>();
  const server = http2 ? createHttp2Server(onRequest) : createServer(onRequest);
  if (http2) {
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const session of sessions) session.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface ConverseBody {
  system?: { text?: string }[];
  messages?: { content?: { text?: string }[] }[];
  toolConfig?: { tools?: { toolSpec?: { name?: string } }[]; toolChoice?: { tool?: { name?: string } } };
}

/** The system prompt and the first user message of a Converse request. */
function converseTexts(body: ConverseBody): { system: string; user: string } {
  return {
    system: (body.system ?? []).map((block) => block.text ?? '').join(''),
    user: body.messages?.[0]?.content?.[0]?.text ?? '{}',
  };
}

/** A failure as Bedrock sends it: the error type in x-amzn-errortype, with its Coral namespace. */
function sendConverseFailure(response: AnyResponse, fail: { status: number; code: string }): void {
  sendJson(
    response,
    fail.status,
    { message: `injected ${fail.code}` },
    { 'x-amzn-errortype': `${fail.code}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  );
}

/** The Converse reply: the answer as the input of the forced tool, usage counted as Bedrock would (cache included). */
function converseReply(
  body: ConverseBody,
  answer: unknown,
  texts: { system: string; user: string },
  callCount: number,
): unknown {
  const toolName = body.toolConfig?.toolChoice?.tool?.name ?? 'unnamed';
  const inputTokens = tokens(texts.system + texts.user);
  return {
    output: {
      message: {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: `tooluse_${callCount}`, name: toolName, input: answer } }],
      },
    },
    stopReason: 'tool_use',
    usage: {
      inputTokens,
      outputTokens: tokens(JSON.stringify(answer)),
      totalTokens: inputTokens + tokens(JSON.stringify(answer)),
      cacheReadInputTokens: callCount > 1 ? tokens(texts.system) : 0,
      cacheWriteInputTokens: callCount === 1 ? tokens(texts.system) : 0,
    },
    metrics: { latencyMs: 1 },
  };
}

/** Bedrock Runtime Converse: the answer comes back as the input of the tool the request forced. */
export async function startBedrockEndpoint(script: ModelScript, options: EndpointOptions = {}): Promise<LlmEndpoint> {
  const calls: ModelCall[] = [];
  const served = await serve(
    (request, text, response) => {
      const match = /^\/model\/([^/]+)\/converse$/.exec(request.url ?? '');
      if (request.method !== 'POST' || !match) {
        return sendJson(
          response,
          404,
          { message: 'unknown operation' },
          { 'x-amzn-errortype': 'UnknownOperationException' },
        );
      }
      const body = JSON.parse(text) as ConverseBody & Record<string, unknown>;
      const texts = converseTexts(body);
      const call: ModelCall = {
        path: request.url ?? '',
        system: texts.system,
        items: parseItems(texts.user),
        body,
        headers: request.headers,
      };
      calls.push(call);
      const turn = script(call, calls.length - 1);
      if ('hang' in turn) return;
      if ('fail' in turn) return sendConverseFailure(response, turn.fail);
      if ('raw' in turn) {
        response.writeHead(turn.status ?? 200, { 'content-type': 'application/json' });
        return response.end(turn.raw);
      }
      sendJson(response, 200, converseReply(body, turn.answer, texts, calls.length));
    },
    true,
    options,
  );
  return { ...served, calls };
}

interface ChatBody {
  messages?: { role?: string; content?: string }[];
}

/** OpenAI Chat Completions: the answer comes back as the message content, a JSON string. */
export async function startOpenAiEndpoint(script: ModelScript, options: EndpointOptions = {}): Promise<LlmEndpoint> {
  const calls: ModelCall[] = [];
  const served = await serve(
    (request, text, response) => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        return sendJson(response, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
      }
      const body = JSON.parse(text) as ChatBody & Record<string, unknown>;
      const system = body.messages?.find((message) => message.role === 'system')?.content ?? '';
      const user = body.messages?.find((message) => message.role === 'user')?.content ?? '{}';
      const call: ModelCall = { path: request.url, system, items: parseItems(user), body, headers: request.headers };
      calls.push(call);
      const turn = script(call, calls.length - 1);
      if ('hang' in turn) return;
      if ('fail' in turn) {
        return sendJson(response, turn.fail.status, {
          error: { message: `injected ${turn.fail.code}`, type: turn.fail.code },
        });
      }
      const content = 'raw' in turn ? turn.raw : JSON.stringify(turn.answer);
      if ('raw' in turn && turn.status !== undefined && turn.status !== 200) {
        response.writeHead(turn.status, { 'content-type': 'application/json' });
        return response.end(turn.raw);
      }
      sendJson(response, 200, {
        id: `chatcmpl-${calls.length}`,
        object: 'chat.completion',
        created: 0,
        model: String(body.model ?? ''),
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: tokens(system + user),
          completion_tokens: tokens(content),
          total_tokens: tokens(system + user) + tokens(content),
        },
      });
    },
    false,
    options,
  );
  return { ...served, calls };
}

/** A model that reads each item with `readItem`: the usual honest script of a test. */
export function answering(readItem: (item: AskedItem) => unknown): ModelScript {
  return (call) => ({ answer: { items: call.items.map(readItem) } });
}
