import { type ChildProcess, spawn } from 'node:child_process';
import { S3Client } from '@aws-sdk/client-s3';

/** moto's standalone server: an S3 implementation of its own, not ours; the node machines ship it (pip `moto`). */
const MOTO_SERVER = process.env.STORYWATCH_MOTO_SERVER ?? 'moto_server';
const STARTUP_MS = 30_000;

export interface MotoS3 {
  endpoint: string;
  /** A real SDK client for it, path-style as S3-compatible servers need. */
  client(): S3Client;
  close(): Promise<void>;
}

/**
 * Starts moto_server on a free loopback port and waits until it says where it listens. Fails (never skips) when
 * it is not installed: the point of the test using it is a server that is not ours.
 */
export async function startMotoS3(): Promise<MotoS3> {
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await listeningAt(child);
  const clients: S3Client[] = [];
  return {
    endpoint,
    client() {
      const client = new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

function listeningAt(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (message: string) =>
      settle(() => {
        child.kill('SIGKILL');
        reject(new Error(message));
      });
    const timer = setTimeout(() => fail(`${MOTO_SERVER} did not start within ${STARTUP_MS} ms: ${output}`), STARTUP_MS);
    // Read both pipes for the server's whole life: it logs every request, and a full pipe would stall it.
    const read = (chunk: Buffer) => {
      if (settled) return;
      output += chunk.toString('utf8');
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) settle(() => resolve(match[1] as string));
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', (error) =>
      fail(`cannot start ${MOTO_SERVER} (pip package moto; STORYWATCH_MOTO_SERVER names another): ${error.message}`),
    );
    child.once('exit', (code) => fail(`${MOTO_SERVER} exited with ${code} before listening: ${output}`));
  });
}
