// The soak's helper processes: the in-memory store and the feed farm each run in a child process of their own, so
// the heap the soak measures is the pipeline's alone. The parent drives the farm over IPC.
import { type ChildProcess, fork } from 'node:child_process';
import { FeedFarm } from '../../bench/lib/feed-farm';
import { startEmbeddedDynamo } from '../../src/local/engine/index';

export type ChildRole = 'store' | 'farm';
export type ToFarm = { advance: { newItems: number; feeds: number[] } } | { stats: true };
export type FromChild = { ready: string } | { advanced: true } | { stats: { requests: number; notModified: number } };

/** Child side: one helper server per process, driven over IPC. */
export async function serveChild(role: ChildRole): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  if (role === 'store') {
    const dynamo = await startEmbeddedDynamo({ dataDir: null });
    send({ ready: dynamo.endpoint });
    process.on('disconnect', () => void dynamo.close().finally(() => process.exit(0)));
    return;
  }
  const feeds = Number(process.env.SOAK_FEEDS);
  const items = Number(process.env.SOAK_ITEMS);
  const farm = await FeedFarm.start(feeds, items);
  process.on('message', (message: ToFarm) => {
    if ('advance' in message) {
      farm.advance(message.advance.newItems, message.advance.feeds);
      send({ advanced: true });
    } else {
      send({ stats: { requests: farm.requests, notModified: farm.notModified } });
    }
  });
  send({ ready: farm.baseUrl });
  process.on('disconnect', () => void farm.close().finally(() => process.exit(0)));
}

/** Forks `script` (this soak's own file) in the given role and waits until its server is ready. */
export function startChild(
  script: string,
  role: ChildRole,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(script, [`--role=${role}`], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
    child.once('message', (message: FromChild) => {
      if ('ready' in message) resolve({ child, url: message.ready });
    });
  });
}

export function ask(child: ChildProcess, message: ToFarm): Promise<FromChild> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}
