import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../workers/feed-farm-server.ts', import.meta.url));

export interface FarmProcess {
  feedUrl(index: number): string;
  close(): Promise<void>;
}

/** Starts bench/workers/feed-farm-server.ts and waits for its URL. */
export function startFarmProcess(feedCount: number, itemsPerFeed: number): Promise<FarmProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, String(feedCount), String(itemsPerFeed)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      child.stdout.off('data', onData);
      const baseUrl = stdout.slice(0, newline).trim();
      resolve({
        feedUrl: (index) => `${baseUrl}/feed/${index}.xml`,
        close: async () => {
          child.stdin.end();
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) => reject(new Error(`feed farm process exited ${code}: ${stderr.trim()}`)));
  });
}
