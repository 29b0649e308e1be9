import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const STORYWATCH_BIN = fileURLToPath(new URL('../../bin/storywatch.mjs', import.meta.url));

export interface SpawnedCli {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout holds text matching the pattern. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `storywatch <args>` as its own process, the way a person does, in `cwd` and with TMPDIR pointed where the
 * test can check that nothing is left behind.
 */
export function spawnCli(args: string[], options: { cwd: string; tmpDir: string }): SpawnedCli {
  const child = spawn(process.execPath, [STORYWATCH_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, TMPDIR: options.tmpDir },
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(out)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern) =>
      pattern.test(out) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pattern, resolve })),
    exited,
  };
}
