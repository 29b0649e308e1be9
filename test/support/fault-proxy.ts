/**
 * A loopback HTTP proxy that sits between a real AWS SDK client and a loopback service (the embedded DynamoDB
 * engine, the SNS endpoint) and misbehaves on a schedule, the way the real services do under load or outage:
 *
 *   const proxy = await startFaultProxy({ target: dynamo.endpoint, service: 'dynamodb' });
 *   const client = createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 3 });
 *   proxy.inject({ operations: ['TransactWriteItems'], fault: { kind: 'throttle' }, next: 2 });
 *   proxy.inject({ fault: { kind: 'drop' }, every: 5 });
 *   proxy.inject({ fault: { kind: 'status', status: 500 }, forMs: 200 });
 *
 * Faults answer in each service's own wire format, so the SDK classifies and retries them exactly as it would in
 * AWS. The operation is read from X-Amz-Target (DynamoDB JSON protocol) or the form's Action (SNS Query API).
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ProxiedService = 'dynamodb' | 'sns';

export type Fault =
  /** The service's throttling error: DynamoDB ProvisionedThroughputExceededException (or `code`), SNS Throttling. */
  | { kind: 'throttle'; code?: string; message?: string }
  /** An error status with the service's error body (500 → InternalServerError / InternalError). */
  | { kind: 'status'; status: number; code?: string; message?: string }
  /** The connection is destroyed before anything reaches the service. */
  | { kind: 'drop' }
  /** The request reaches the service and takes effect, but its answer is lost: the caller cannot tell. */
  | { kind: 'lose-response' }
  /** The request is forwarded after a pause. */
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  fault: Fault;
  /** Operations the rule applies to (e.g. 'PutItem', 'Publish'); all when omitted. */
  operations?: string[];
  /** Finer selection on the raw request, e.g. a table name or an alert id in the body. */
  where?: (request: ProxiedRequest) => boolean;
  /** Applies to the next `next` matching requests. */
  next?: number;
  /** Applies to every `every`-th matching request (the k-th, 2k-th...). */
  every?: number;
  /** Applies to every matching request during the next `forMs` milliseconds. */
  forMs?: number;
}

export interface ProxiedRequest {
  operation: string;
  body: string;
}

export interface ProxyEvent {
  operation: string;
  outcome: 'forwarded' | Fault['kind'];
}

export interface FaultProxy {
  endpoint: string;
  /** Adds a rule; the first rule whose schedule fires for a request decides its fault. Returns a remover. */
  inject(rule: FaultRule): () => void;
  /** Removes every rule and forgets the events: from now on every request passes straight through. */
  clear(): void;
  /** Every request seen, in arrival order, with what was done to it. */
  readonly events: readonly ProxyEvent[];
  /** Requests of an operation (all operations when omitted) that met the given outcome. */
  count(outcome: ProxyEvent['outcome'], operation?: string): number;
  close(): Promise<void>;
}

interface ActiveRule {
  rule: FaultRule;
  matched: number;
  fired: number;
  until: number | null;
}

export async function startFaultProxy(options: { target: string; service: ProxiedService }): Promise<FaultProxy> {
  const target = new URL(options.target);
  let rules: ActiveRule[] = [];
  const events: ProxyEvent[] = [];
  const sockets = new Set<Socket>();

  /**
   * Every matching rule counts the request towards its schedule (`every: k` means every k-th matching request), but
   * only the first rule that fires applies its fault; the others keep their firing for a later request, so `next: n`
   * always means n faults actually injected.
   */
  function faultFor(request: ProxiedRequest): Fault | null {
    let chosen: Fault | null = null;
    for (const active of rules) {
      const { rule } = active;
      if (rule.operations && !rule.operations.includes(request.operation)) continue;
      if (rule.where && !rule.where(request)) continue;
      active.matched += 1;
      if (chosen !== null || !fires(active)) continue;
      active.fired += 1;
      chosen = rule.fault;
    }
    rules = rules.filter((active) => !isSpent(active));
    return chosen;
  }

  const server = createServer((incoming, response) => {
    readBody(incoming)
      .then(async (body) => {
        const operation = operationOf(options.service, incoming, body);
        const fault = faultFor({ operation, body });
        events.push({ operation, outcome: fault?.kind ?? 'forwarded' });
        if (fault?.kind === 'drop') {
          incoming.socket.destroy();
          return;
        }
        if (fault?.kind === 'throttle' || fault?.kind === 'status') {
          sendError(options.service, response, fault);
          return;
        }
        if (fault?.kind === 'delay') await sleep(fault.ms);
        const answer = await forward(target, incoming, body);
        if (fault?.kind === 'lose-response') {
          incoming.socket.destroy();
          return;
        }
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      })
      .catch(() => incoming.socket.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject(rule) {
      const active: ActiveRule = {
        rule,
        matched: 0,
        fired: 0,
        until: rule.forMs === undefined ? null : Date.now() + rule.forMs,
      };
      rules.push(active);
      return () => {
        rules = rules.filter((entry) => entry !== active);
      };
    },
    clear() {
      rules = [];
      events.length = 0;
    },
    events,
    count(outcome, operation) {
      return events.filter(
        (event) => event.outcome === outcome && (operation === undefined || event.operation === operation),
      ).length;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function fires(active: ActiveRule): boolean {
  const { rule } = active;
  if (active.until !== null && Date.now() > active.until) return false;
  if (rule.next !== undefined && active.fired >= rule.next) return false;
  if (rule.every !== undefined) return active.matched % rule.every === 0;
  return true;
}

function isSpent(active: ActiveRule): boolean {
  if (active.until !== null && Date.now() > active.until) return true;
  return active.rule.next !== undefined && active.fired >= active.rule.next;
}

function operationOf(service: ProxiedService, incoming: IncomingMessage, body: string): string {
  if (service === 'dynamodb') {
    const targetHeader = String(incoming.headers['x-amz-target'] ?? '');
    return targetHeader.split('.')[1] ?? targetHeader;
  }
  return new URLSearchParams(body).get('Action') ?? '';
}

const DYNAMODB_ERROR_PREFIX: Record<string, string> = {
  // DynamoDB reports request-rate throttling under the Coral namespace, capacity errors under its own.
  ThrottlingException: 'com.amazon.coral.availability#',
};

/** The error code the service itself would send for the fault, when the rule names none. */
function defaultErrorCode(service: ProxiedService, kind: 'throttle' | 'status', status: number): string {
  const dynamodb = service === 'dynamodb';
  if (kind === 'throttle') return dynamodb ? 'ProvisionedThroughputExceededException' : 'Throttling';
  if (status >= 500) return dynamodb ? 'InternalServerError' : 'InternalError';
  return dynamodb ? 'ValidationException' : 'InvalidParameter';
}

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  requestId: string;
}

/** DynamoDB's JSON 1.0 error: the code under its namespace in __type. */
function sendDynamoDbError(response: ServerResponse, error: ErrorAnswer): void {
  const prefix = DYNAMODB_ERROR_PREFIX[error.code] ?? 'com.amazonaws.dynamodb.v20120810#';
  response.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': error.requestId,
  });
  response.end(JSON.stringify({ __type: `${prefix}${error.code}`, message: error.message }));
}

/** The query protocol's XML error, Sender or Receiver by status. */
function sendQueryError(response: ServerResponse, error: ErrorAnswer): void {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  response.writeHead(error.status, { 'content-type': 'text/xml' });
  response.end(
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${error.code}</Code>` +
      `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${error.requestId}</RequestId></ErrorResponse>`,
  );
}

function sendError(service: ProxiedService, response: ServerResponse, fault: Fault & { kind: 'throttle' | 'status' }) {
  const status = fault.kind === 'throttle' ? 400 : fault.status;
  const error: ErrorAnswer = {
    status,
    code: fault.code ?? defaultErrorCode(service, fault.kind, status),
    message: fault.message ?? INJECTED,
    requestId: randomUUID(),
  };
  if (service === 'dynamodb') sendDynamoDbError(response, error);
  else sendQueryError(response, error);
}

const INJECTED = 'injected by the fault proxy';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface ServiceAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The answer's headers minus the framing ones, which the proxy sets again for the buffered body. */
function relayedHeaders(answer: IncomingMessage): Record<string, string> {
  const framing = new Set(['content-length', 'transfer-encoding', 'connection']);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || framing.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Passes the request on unchanged (headers included, so signatures still verify) and buffers the answer. */
function forward(target: URL, incoming: IncomingMessage, body: string): Promise<ServiceAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          resolve({ status: answer.statusCode ?? 502, headers: relayedHeaders(answer), body: Buffer.concat(chunks) });
        });
        answer.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
