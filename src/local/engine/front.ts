import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { type EngineReply, errorType, KeyNameCache, runTransaction } from './transactions';

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Front server that passes every request to dynalite and implements TransactWriteItems on top of it:
 * all writes go through one queue, so a transaction is isolated from other writers; its operations are applied
 * in order with their conditions and, when one fails, the ones already applied are restored from snapshots.
 * Differences from DynamoDB, acceptable for local runs and tests: reads may see a transaction half applied,
 * a crash of this process mid-transaction is not rolled back, and outside the put-only fast path (see
 * runPutOnlyTransaction) only the first failed condition is reported.
 */
export function createTransactionFront(engineUrl: string, engineHandler?: RequestListener): DrainableServer {
  const gate = createCloseGate();
  let writeQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = writeQueue.then(work, work);
    writeQueue = run.catch(() => undefined);
    return run;
  };
  const front: Front = { engineUrl, engineHandler, serialized, keyNames: new KeyNameCache() };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (gate.closing) {
      refuseWhileClosing(response);
      return;
    }
    if (
      engineHandler &&
      operation !== 'TransactWriteItems' &&
      operation !== 'CreateTable' &&
      operation !== 'DeleteTable'
    ) {
      // Everything but transactions goes to the engine in-process: a second HTTP hop per request would cost more
      // than dynalite's own work for small reads and writes. Writes still wait their turn in the queue.
      if (WRITE_OPERATIONS.has(operation)) gate.track(serialized(() => handOver(engineHandler, request, response)));
      else gate.track(handOver(engineHandler, request, response));
      return;
    }
    const handled = replyThroughFront(front, operation, request)
      .then((reply) => {
        response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(reply.body);
      })
      .catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) }),
        );
      });
    gate.track(handled);
  });
  return Object.assign(server, { drain: gate.drain });
}

/** What the front passes requests on with: the engine, the one write queue and the tables' cached key names. */
interface Front {
  engineUrl: string;
  engineHandler: RequestListener | undefined;
  serialized<T>(work: () => Promise<T>): Promise<T>;
  keyNames: KeyNameCache;
}

/** The engine's reply to a request the front handles itself: transactions, writes in turn, table changes. */
async function replyThroughFront(front: Front, operation: string, request: IncomingMessage): Promise<EngineReply> {
  const { engineUrl, engineHandler, serialized, keyNames } = front;
  const body = await readBody(request);
  const headers = forwardedHeaders(request);
  const call = (target: string, payload: unknown) =>
    engineHandler
      ? callInProcess(engineHandler, headers, target, JSON.stringify(payload))
      : sendToEngine(engineUrl, headers, target, JSON.stringify(payload));
  if (operation === 'TransactWriteItems') {
    const reply = await serialized(() => runTransaction(call, keyNames, JSON.parse(body)));
    // A missing table, or a key that no longer fits it: the table changed since its key names were cached.
    if (['ResourceNotFoundException', 'ValidationException'].includes(errorType(reply))) keyNames.forgetAll();
    return reply;
  }
  if (WRITE_OPERATIONS.has(operation)) return serialized(() => sendToEngine(engineUrl, headers, operation, body));
  // A table created or deleted under a known name may come back with another key. Forgotten again once the
  // engine answered, in case a transaction cached the old key while the change was under way.
  const changesTables = operation === 'CreateTable' || operation === 'DeleteTable';
  if (changesTables) keyNames.forgetAll();
  const reply = await sendToEngine(engineUrl, headers, operation, body);
  if (changesTables) keyNames.forgetAll();
  return reply;
}

/** The front, with a way to stop taking requests and wait for those the engine is still working on. */
export type DrainableServer = Server & {
  /**
   * From now on every request is answered with an error; resolves once the engine has answered every request it
   * had (or after `timeoutMs`), so the engine can close without a write still in flight.
   */
  drain(timeoutMs?: number): Promise<void>;
};

/**
 * dynalite throws from its callbacks when its database closes under a request it is still working on ("Database
 * is closed"), which no caller can catch: it crashes the process and hides whatever error made it stop. So the
 * store closes only once the engine has answered every request, and refuses new ones from the moment it begins.
 */
function createCloseGate() {
  const inFlight = new Set<Promise<unknown>>();
  const gate = {
    closing: false,
    track(work: Promise<unknown>): void {
      const done = () => inFlight.delete(work);
      inFlight.add(work);
      work.then(done, done);
    },
    async drain(timeoutMs = 10_000): Promise<void> {
      gate.closing = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    },
  };
  return gate;
}

/** The answer to a request that arrives while the store closes: an error the SDK hands to its caller. */
function refuseWhileClosing(response: ServerResponse): void {
  response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(
    JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: 'the embedded store is closing',
    }),
  );
}

/** dynalite's own request handler, so the front can serve requests with it without a second HTTP hop. */
export function engineRequestHandler(engine: Server): RequestListener | undefined {
  return engine.listeners('request')[0] as RequestListener | undefined;
}

/**
 * Lets the engine answer the request; settles once the engine has answered (called `end`), so the write queue
 * moves on only then. Not on the socket's close: a client that went away leaves the engine still working.
 */
function handOver(handler: RequestListener, request: IncomingMessage, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      resolve();
      return end(...args);
    }) as ServerResponse['end'];
    handler(request, response);
  });
}

/**
 * One request to dynalite's handler without a socket: a transaction makes several, and each HTTP round trip
 * would cost more than the engine's own work. The stand-ins carry only what dynalite's handler reads of a
 * request (method, url, headers, body events) and writes to a response (status, headers, end).
 */
function callInProcess(
  handler: RequestListener,
  headers: Record<string, string>,
  operation: string,
  body: string,
): Promise<EngineReply> {
  return new Promise((resolve) => {
    const request = Object.assign(Readable.from([Buffer.from(body, 'utf8')], { objectMode: false }), {
      method: 'POST',
      url: '/',
      headers: {
        ...headers,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
    });
    const response = {
      statusCode: 200,
      shouldKeepAlive: true,
      setHeader: () => response,
      end: (chunk?: string | Buffer) => resolve({ status: response.statusCode, body: chunk ? String(chunk) : '' }),
    };
    handler(request as unknown as IncomingMessage, response as unknown as ServerResponse);
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function forwardedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'x-amz-date', 'x-amz-security-token']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

async function sendToEngine(
  engineUrl: string,
  headers: Record<string, string>,
  operation: string,
  body: string,
): Promise<EngineReply> {
  const reply = await fetch(engineUrl, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
    },
    body,
  });
  return { status: reply.status, body: await reply.text() };
}
