import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import dynalite from 'dynalite';

export const DEFAULT_DATA_DIR = '.storywatch/data';

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 with a random port. `dataDir` persists the tables (LevelDB) across runs;
 * null keeps everything in memory (tests). dynalite lacks TransactWriteItems, which the store needs for its
 * atomic stance commits, so a small front server adds it (see createTransactionFront).
 */
export async function startEmbeddedDynamo(options: { dataDir?: string | null } = {}): Promise<EmbeddedDynamo> {
  const dataDir = options.dataDir === undefined ? DEFAULT_DATA_DIR : options.dataDir;
  const releaseDir = dataDir ? claimDataDir(dataDir) : () => {};
  const engine = dynalite({
    ...(dataDir ? { path: dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  let enginePort: number;
  let front: Server;
  let frontPort: number;
  try {
    enginePort = await listenOnLoopback(engine);
    front = createTransactionFront(`http://127.0.0.1:${enginePort}`, engineRequestHandler(engine));
    frontPort = await listenOnLoopback(front);
  } catch (error) {
    releaseDir();
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${frontPort}`,
    close: async () => {
      await closeServer(front);
      await closeServer(engine);
      releaseDir();
    },
  };
}

/**
 * LevelDB allows one process per directory, and dynalite reports a second one only later, as a crash on its first
 * request. A pid file, made by exclusive create, turns that into a clear error up front. A file naming a process
 * that died is taken over; an empty or unreadable one is taken as held, since it may belong to a process that
 * created it an instant ago and has not written its pid yet.
 */
function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const pidFile = join(dataDir, 'storywatch.pid');
  if (createLockFile(pidFile)) return () => rmSync(pidFile, { force: true });
  const owner = readLockOwner(pidFile);
  if (owner === null) {
    throw new Error(
      `the data directory ${dataDir} has an empty or unreadable lock file (${pidFile}): another storywatch may be ` +
        'starting there; if none is running, delete the file',
    );
  }
  if (isAlive(owner)) {
    throw new Error(`the data directory ${dataDir} is in use by process ${owner}; stop it or use another --data-dir`);
  }
  takeOverStaleLock(pidFile, owner, dataDir);
  return () => rmSync(pidFile, { force: true });
}

/** Whether this process created the lock file; false when it exists already. */
function createLockFile(pidFile: string): boolean {
  try {
    writeFileSync(pidFile, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/** The pid a lock file names, or null when it is empty, unreadable or not a pid. */
function readLockOwner(pidFile: string): number | null {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8').trim();
  } catch {
    return null;
  }
  if (!/^\d+$/.test(text)) return null;
  const pid = Number(text);
  return pid > 0 ? pid : null;
}

/**
 * Moves the dead owner's file aside (rename is atomic), checks that what moved is that file and not a fresh lock
 * another process made meanwhile, then creates this process's lock exclusively: of two processes taking over at
 * once, one wins and the other is told the directory is in use.
 */
function takeOverStaleLock(pidFile: string, staleOwner: number, dataDir: string): void {
  const aside = `${pidFile}.stale-${process.pid}`;
  const inUse = new Error(`the data directory ${dataDir} was just claimed by another process; use another --data-dir`);
  try {
    renameSync(pidFile, aside);
  } catch {
    throw inUse;
  }
  if (readLockOwner(aside) !== staleOwner) {
    renameSync(aside, pidFile);
    throw inUse;
  }
  rmSync(aside, { force: true });
  if (!createLockFile(pidFile)) throw inUse;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections?.();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

type AttributeMap = Record<string, unknown>;
interface EngineReply {
  status: number;
  body: string;
}

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Front server that passes every request to dynalite and implements TransactWriteItems on top of it:
 * all writes go through one queue, so a transaction is isolated from other writers; its operations are applied
 * in order with their conditions and, when one fails, the ones already applied are restored from snapshots.
 * Differences from DynamoDB, acceptable for local runs and tests: reads may see a transaction half applied,
 * a crash of this process mid-transaction is not rolled back, and outside the put-only fast path (see
 * runPutOnlyTransaction) only the first failed condition is reported.
 */
export function createTransactionFront(engineUrl: string, engineHandler?: RequestListener): Server {
  let writeQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = writeQueue.then(work, work);
    writeQueue = run.catch(() => undefined);
    return run;
  };
  const keyNames = new KeyNameCache();

  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (
      engineHandler &&
      operation !== 'TransactWriteItems' &&
      operation !== 'CreateTable' &&
      operation !== 'DeleteTable'
    ) {
      // Everything but transactions goes to the engine in-process: a second HTTP hop per request would cost more
      // than dynalite's own work for small reads and writes. Writes still wait their turn in the queue.
      if (WRITE_OPERATIONS.has(operation)) void serialized(() => handOver(engineHandler, request, response));
      else engineHandler(request, response);
      return;
    }
    void (async () => {
      const body = await readBody(request);
      const headers = forwardedHeaders(request);
      const call = (target: string, payload: unknown) =>
        engineHandler
          ? callInProcess(engineHandler, headers, target, JSON.stringify(payload))
          : sendToEngine(engineUrl, headers, target, JSON.stringify(payload));
      let reply: EngineReply;
      if (operation === 'TransactWriteItems') {
        reply = await serialized(() => runTransaction(call, keyNames, JSON.parse(body)));
        // A missing table, or a key that no longer fits it: the table changed since its key names were cached.
        if (['ResourceNotFoundException', 'ValidationException'].includes(errorType(reply))) keyNames.forgetAll();
      } else if (WRITE_OPERATIONS.has(operation)) {
        reply = await serialized(() => sendToEngine(engineUrl, headers, operation, body));
      } else {
        // A table created or deleted under a known name may come back with another key. Forgotten again once the
        // engine answered, in case a transaction cached the old key while the change was under way.
        const changesTables = operation === 'CreateTable' || operation === 'DeleteTable';
        if (changesTables) keyNames.forgetAll();
        reply = await sendToEngine(engineUrl, headers, operation, body);
        if (changesTables) keyNames.forgetAll();
      }
      response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(reply.body);
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) }),
      );
    });
  });
}

/** dynalite's own request handler, so the front can serve requests with it without a second HTTP hop. */
function engineRequestHandler(engine: Server): RequestListener | undefined {
  return engine.listeners('request')[0] as RequestListener | undefined;
}

/** Lets the engine answer the request; settles once the answer is out, so the write queue moves on only then. */
function handOver(handler: RequestListener, request: IncomingMessage, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    response.once('finish', resolve);
    response.once('close', resolve);
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

type EngineCall = (operation: string, payload: unknown) => Promise<EngineReply>;

interface TransactOperation {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  tableName: string;
  key: AttributeMap;
  request: AttributeMap;
}

/**
 * Key attribute names per table, asked once and kept: the front forgets them when a CreateTable or DeleteTable
 * passes through it or a transaction meets a missing table, since a table may be recreated with another key.
 */
class KeyNameCache {
  private readonly known = new Map<string, Promise<string[]>>();

  lookup(call: EngineCall, tableName: string): Promise<string[]> {
    let names = this.known.get(tableName);
    if (!names) {
      names = call('DescribeTable', { TableName: tableName }).then((reply) => {
        if (reply.status !== 200) throw new EngineError(reply);
        const schema = JSON.parse(reply.body).Table.KeySchema as { AttributeName: string }[];
        return schema.map((entry) => entry.AttributeName);
      });
      // A failed lookup must not stick: the table may exist on the next try.
      names.catch(() => this.known.delete(tableName));
      this.known.set(tableName, names);
    }
    return names;
  }

  forgetAll(): void {
    this.known.clear();
  }
}

class EngineError extends Error {
  constructor(readonly reply: EngineReply) {
    super(reply.body);
  }
}

function errorReply(type: string, message: string, extra: AttributeMap = {}): EngineReply {
  return {
    status: 400,
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra }),
  };
}

function errorType(reply: EngineReply): string {
  try {
    return String(JSON.parse(reply.body).__type ?? '').split('#')[1] ?? '';
  } catch {
    return '';
  }
}

async function parseOperations(
  call: EngineCall,
  keyNames: KeyNameCache,
  transactItems: AttributeMap[],
): Promise<TransactOperation[]> {
  const operations: TransactOperation[] = [];
  for (const entry of transactItems) {
    const kind = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((name) => name in entry);
    if (!kind) throw new Error('each transact item needs Put, Update, Delete or ConditionCheck');
    const request = entry[kind] as AttributeMap;
    const tableName = String(request.TableName);
    let key = request.Key as AttributeMap | undefined;
    if (kind === 'Put') {
      const item = request.Item as AttributeMap;
      const names = await keyNames.lookup(call, tableName);
      key = Object.fromEntries(names.map((name) => [name, item[name]]));
    }
    operations.push({ kind, tableName, key: key ?? {}, request });
  }
  return operations;
}

async function runTransaction(
  call: EngineCall,
  keyNames: KeyNameCache,
  input: { TransactItems?: AttributeMap[] },
): Promise<EngineReply> {
  const transactItems = input.TransactItems ?? [];
  if (transactItems.length === 0 || transactItems.length > 100) {
    return errorReply('ValidationException', 'TransactItems must hold between 1 and 100 operations');
  }
  let operations: TransactOperation[];
  try {
    operations = await parseOperations(call, keyNames, transactItems);
  } catch (error) {
    if (error instanceof EngineError) return error.reply;
    return errorReply('ValidationException', (error as Error).message);
  }
  const identities = operations.map((operation) => itemIdentity(operation.tableName, operation.key));
  if (new Set(identities).size !== identities.length) {
    return errorReply('ValidationException', 'Transaction request cannot include multiple operations on one item');
  }

  const snapshots = await readSnapshots(call, keyNames, operations);
  if (!Array.isArray(snapshots)) return snapshots;

  const absenceChecks = operations.map(absenceCheckedAttribute);
  if (absenceChecks.every((attribute) => attribute !== null)) {
    return runPutOnlyTransaction(call, operations, snapshots, absenceChecks);
  }

  const applied: number[] = [];
  for (const [index, operation] of operations.entries()) {
    const reply = await applyOperation(call, operation, snapshots[index]);
    if (reply.status === 200) {
      applied.push(index);
      continue;
    }
    await rollback(call, operations, snapshots, applied);
    if (errorType(reply) !== 'ConditionalCheckFailedException') return reply;
    return cancellation(operations, snapshots, (position) => position === index);
  }
  return { status: 200, body: '{}' };
}

/** Table and key, whatever order the key's attributes were written in. */
function itemIdentity(tableName: string, key: AttributeMap): string {
  const ordered = Object.keys(key)
    .sort()
    .map((name) => [name, key[name]]);
  return `${tableName}|${JSON.stringify(ordered)}`;
}

/**
 * The items as they were before the transaction, for rollback and ConditionCheck: one BatchGetItem for all of them
 * (keys are unique, checked above, and a transaction holds at most 100, BatchGetItem's limit).
 */
async function readSnapshots(
  call: EngineCall,
  keyNames: KeyNameCache,
  operations: TransactOperation[],
): Promise<(AttributeMap | undefined)[] | EngineReply> {
  const keysByTable = new Map<string, AttributeMap[]>();
  for (const operation of operations) {
    keysByTable.set(operation.tableName, [...(keysByTable.get(operation.tableName) ?? []), operation.key]);
  }
  const requestItems = Object.fromEntries(
    [...keysByTable].map(([tableName, keys]) => [tableName, { Keys: keys, ConsistentRead: true }]),
  );
  const reply = await call('BatchGetItem', { RequestItems: requestItems });
  if (reply.status !== 200) return reply;
  const found = JSON.parse(reply.body) as {
    Responses?: Record<string, AttributeMap[]>;
    UnprocessedKeys?: Record<string, unknown>;
  };
  if (Object.keys(found.UnprocessedKeys ?? {}).length > 0) {
    return errorReply('InternalServerError', 'the engine left transaction snapshot keys unprocessed');
  }
  const byIdentity = new Map<string, AttributeMap>();
  for (const [tableName, items] of Object.entries(found.Responses ?? {})) {
    const names = await keyNames.lookup(call, tableName);
    for (const item of items) {
      const key = Object.fromEntries(names.map((name) => [name, item[name]]));
      byIdentity.set(itemIdentity(tableName, key), item);
    }
  }
  return operations.map((operation) => byIdentity.get(itemIdentity(operation.tableName, operation.key)));
}

const ABSENCE_CONDITION = /^\s*attribute_not_exists\s*\(\s*(#?[A-Za-z0-9_]+)\s*\)\s*$/;

/**
 * For a Put that is unconditional ('') or conditioned only on one attribute being absent, that attribute; null for
 * anything else. Such conditions can be judged from the snapshot alone, without asking the engine per item.
 */
function absenceCheckedAttribute(operation: TransactOperation): string | '' | null {
  if (operation.kind !== 'Put') return null;
  const {
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  } = operation.request;
  if (condition === undefined) return names === undefined && values === undefined ? '' : null;
  if (typeof condition !== 'string' || values !== undefined) return null;
  const attribute = ABSENCE_CONDITION.exec(condition)?.[1];
  if (attribute === undefined) return null;
  if (!attribute.startsWith('#')) return names === undefined ? attribute : null;
  // DynamoDB rejects names the expression does not use, so anything but exactly this one goes the general way.
  const mapping = (names ?? {}) as Record<string, unknown>;
  const resolved = mapping[attribute];
  return typeof resolved === 'string' && Object.keys(mapping).length === 1 ? resolved : null;
}

/**
 * Fast path for transactions of Puts with absence conditions (the store's claims): the conditions are judged on
 * the snapshots in-process, every failing one is reported as DynamoDB does, and the Puts go to the engine as
 * BatchWriteItem calls of 25. Still run inside the write queue, so nothing changes between snapshot and write.
 */
async function runPutOnlyTransaction(
  call: EngineCall,
  operations: TransactOperation[],
  snapshots: (AttributeMap | undefined)[],
  absenceChecks: (string | null)[],
): Promise<EngineReply> {
  const failed = operations.map((_, index) => {
    const attribute = absenceChecks[index];
    const snapshot = snapshots[index];
    return typeof attribute === 'string' && attribute !== '' && snapshot?.[attribute] !== undefined;
  });
  if (failed.some(Boolean)) {
    return cancellation(operations, snapshots, (index) => failed[index] === true);
  }
  const written: number[] = [];
  for (let start = 0; start < operations.length; start += 25) {
    const indexes = operations.slice(start, start + 25).map((_, offset) => start + offset);
    const reply = await writeBatch(call, operations, indexes);
    if (reply.status !== 200) {
      await rollback(call, operations, snapshots, written);
      return reply;
    }
    written.push(...indexes);
  }
  return { status: 200, body: '{}' };
}

async function writeBatch(call: EngineCall, operations: TransactOperation[], indexes: number[]): Promise<EngineReply> {
  let pending: { tableName: string; item: unknown }[] = indexes.map((index) => {
    const operation = operations[index] as TransactOperation;
    return { tableName: operation.tableName, item: operation.request.Item };
  });
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > 8) return errorReply('InternalServerError', 'the engine kept transaction writes unprocessed');
    const requestItems: Record<string, { PutRequest: { Item: unknown } }[]> = {};
    for (const { tableName, item } of pending) {
      requestItems[tableName] = [...(requestItems[tableName] ?? []), { PutRequest: { Item: item } }];
    }
    const reply = await call('BatchWriteItem', { RequestItems: requestItems });
    if (reply.status !== 200) return reply;
    const unprocessed = (JSON.parse(reply.body) as { UnprocessedItems?: Record<string, AttributeMap[]> })
      .UnprocessedItems;
    pending = Object.entries(unprocessed ?? {}).flatMap(([tableName, requests]) =>
      requests.map((request) => ({ tableName, item: (request.PutRequest as AttributeMap).Item })),
    );
  }
  return { status: 200, body: '{}' };
}

function cancellation(
  operations: TransactOperation[],
  snapshots: (AttributeMap | undefined)[],
  isFailed: (index: number) => boolean,
): EngineReply {
  const reasons = operations.map((candidate, position) => {
    if (!isFailed(position)) return { Code: 'None' };
    const returnOld = candidate.request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    const old = snapshots[position];
    return {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(returnOld && old ? { Item: old } : {}),
    };
  });
  return errorReply(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
    { CancellationReasons: reasons },
  );
}

function conditionFields(request: AttributeMap): AttributeMap {
  return {
    ConditionExpression: request.ConditionExpression,
    ExpressionAttributeNames: request.ExpressionAttributeNames,
    ExpressionAttributeValues: request.ExpressionAttributeValues,
  };
}

async function applyOperation(
  call: EngineCall,
  operation: TransactOperation,
  snapshot: AttributeMap | undefined,
): Promise<EngineReply> {
  const { request, tableName, key } = operation;
  switch (operation.kind) {
    case 'Put':
      return call('PutItem', { TableName: tableName, Item: request.Item, ...conditionFields(request) });
    case 'Update':
      return call('UpdateItem', {
        TableName: tableName,
        Key: key,
        UpdateExpression: request.UpdateExpression,
        ...conditionFields(request),
      });
    case 'Delete':
      return call('DeleteItem', { TableName: tableName, Key: key, ...conditionFields(request) });
    case 'ConditionCheck': {
      // Rewriting the item as it is evaluates the condition without changing anything.
      const check = await call('PutItem', { TableName: tableName, Item: snapshot ?? key, ...conditionFields(request) });
      if (check.status === 200 && !snapshot) await call('DeleteItem', { TableName: tableName, Key: key });
      return check;
    }
  }
}

async function rollback(
  call: EngineCall,
  operations: TransactOperation[],
  snapshots: (AttributeMap | undefined)[],
  applied: number[],
): Promise<void> {
  for (const index of [...applied].reverse()) {
    const operation = operations[index] as TransactOperation;
    const snapshot = snapshots[index];
    if (snapshot) await call('PutItem', { TableName: operation.tableName, Item: snapshot });
    else await call('DeleteItem', { TableName: operation.tableName, Key: operation.key });
  }
}
