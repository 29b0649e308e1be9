import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { createTransactionFront, type DrainableServer, engineRequestHandler } from './front';

export const DEFAULT_DATA_DIR = '.storywatch/data';

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 with a random port. `dataDir` persists the tables (LevelDB) across runs;
 * null keeps everything in memory (tests). dynalite lacks TransactWriteItems, which the store needs for its
 * atomic stance commits, so a small front server adds it (see front.ts).
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
  let front: DrainableServer;
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
    // The engine's database closes only once every request it took is answered (see createCloseGate in front.ts).
    close: async () => {
      await front.drain();
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
