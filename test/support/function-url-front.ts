/**
 * The front of a Lambda function URL on 127.0.0.1: each HTTP request becomes the payload format 2.0 event Lambda
 * hands a function URL's handler (lower-case headers, repeated ones joined with commas, the raw query string, a
 * non-text body base64-encoded), and the handler's result becomes the HTTP response. Tests put the real handler
 * behind it, so a hub reaches it over HTTP exactly as it would reach the deployed URL.
 *
 *   const front = await startFunctionUrlFront(handler);
 *   ...subscribe with `${front.url}websub` as the callback base...
 *   await front.close();
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionUrlEvent, FunctionUrlResult } from '../../functions/lib/function-url';

export interface FunctionUrlFront {
  /** Ends with a slash, as a function URL does. */
  url: string;
  /** Every event the handler was given, in order. */
  readonly events: FunctionUrlEvent[];
  close(): Promise<void>;
}

/** Bodies Lambda passes as text; anything else arrives base64-encoded with isBase64Encoded set. */
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded)\b)/i;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function eventOf(request: IncomingMessage, body: Buffer, port: number): FunctionUrlEvent {
  const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const text = TEXT_TYPES.test(headers['content-type'] ?? '');
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
    },
    isBase64Encoded: body.byteLength > 0 && !text,
    ...(body.byteLength > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
  };
  return event;
}

export async function startFunctionUrlFront(
  handler: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>,
): Promise<FunctionUrlFront> {
  const events: FunctionUrlEvent[] = [];
  let port = 0;
  const server = createServer((request, response) => {
    readBody(request)
      .then(async (body) => {
        const event = eventOf(request, body, port);
        events.push(event);
        const result = await handler(event);
        response.writeHead(result.statusCode, result.headers);
        response.end(result.body);
      })
      // A handler that throws is a 502 from the function URL, never a success.
      .catch(() => response.writeHead(502).end('Internal Server Error'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    events,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
