import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ChannelReceiver {
  /** Base URL on 127.0.0.1; append a path such as the Slack-style secret path. */
  url: string;
  received: ReceivedRequest[];
  /** Answers the next `count` requests with `status` (an outage), then goes back to the normal answer. */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

/**
 * A loopback receiver answering like the real services: Slack's incoming webhooks say 200 "ok", Teams
 * Workflows 202 with an empty body, a generic receiver 204.
 */
export async function startChannelReceiver(kind: 'slack' | 'teams' | 'webhook'): Promise<ChannelReceiver> {
  const received: ReceivedRequest[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (failures.count > 0) {
        failures = { ...failures, count: failures.count - 1 };
        response.writeHead(failures.status, { 'content-type': 'text/plain' }).end('service_unavailable');
        return;
      }
      if (kind === 'slack') response.writeHead(200, { 'content-type': 'text/html' }).end('ok');
      else if (kind === 'teams') response.writeHead(202).end();
      else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(count, status = 503) {
      failures = { count, status };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
