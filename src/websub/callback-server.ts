/**
 * The WebSub callback on a local port, for `storywatch run --websub-port` and the tests: plain node:http around
 * the framework-free handler. Bodies are read up to the cap and the request is answered 413 beyond it, before the
 * handler (and the parser) sees a byte more.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackRequest, CallbackResponse } from './callback';

export interface CallbackServer {
  /** http://<host>:<port>/websub, the base of every subscription's callback URL. */
  callbackBase: string;
  port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function serve(
  handle: (request: CallbackRequest) => Promise<CallbackResponse>,
  maxBytes: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://callback.invalid');
  let answer: CallbackResponse;
  try {
    const body = await readBody(request, maxBytes);
    answer = await handle({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: headersOf(request),
      body,
    });
  } catch (error) {
    answer =
      error instanceof BodyTooLarge
        ? { status: 413, body: `body over ${maxBytes} bytes` }
        : { status: 500, body: 'callback failed' };
  }
  response.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  response.end(answer.body);
}

export async function startCallbackServer(options: {
  handle: (request: CallbackRequest) => Promise<CallbackResponse>;
  maxBytes: number;
  port?: number;
  host?: string;
}): Promise<CallbackServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    serve(options.handle, options.maxBytes, request, response).catch(() => response.destroy());
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    callbackBase: `http://${host}:${port}/websub`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
