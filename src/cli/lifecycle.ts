import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why a command was asked to stop before it was done. */
export type StopReason = 'interrupted' | 'output_closed';

/** What every command gets besides its arguments: a stop signal and temp dirs that never outlive it. */
export interface CommandLifecycle {
  /** Aborted on the first Ctrl-C (SIGINT/SIGTERM) or when stdout closes (`| head`); commands stop at a safe point. */
  signal: AbortSignal;
  stopReason(): StopReason | null;
  /** A fresh directory under the system temp dir, removed when the command ends, however it ends. */
  tempDir(prefix: string): string;
  /** Removes the temp dirs and the signal handlers. */
  dispose(): void;
}

interface LifecycleOptions {
  commandName: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Only the real process listens for signals; in-process test runs must not steal the test runner's Ctrl-C. */
  handleSignals: boolean;
}

export function createLifecycle(options: LifecycleOptions): CommandLifecycle {
  const stop = new AbortController();
  let reason: StopReason | null = null;
  const dirs: string[] = [];
  const removeDirs = () => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  const stopWith = (why: StopReason) => {
    if (reason === null) reason = why;
    if (!stop.signal.aborted) stop.abort(new Error(why === 'interrupted' ? 'interrupted' : 'stdout was closed'));
  };

  // A reader that goes away (`storywatch demo | head -3`) is not an error of ours: stop quietly. The listener stays
  // for good, because writes already queued still report the closed pipe after the command returns.
  const onOutputError = () => stopWith('output_closed');
  options.stdout.on('error', onOutputError);
  options.stderr.on('error', () => {});

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) {
      removeDirs();
      options.stderr.write(`storywatch ${options.commandName}: interrupted again, exiting now\n`);
      process.exit(130);
    }
    options.stderr.write(
      `storywatch ${options.commandName}: interrupted, finishing the current step (Ctrl-C again to exit now)\n`,
    );
    stopWith('interrupted');
  };
  if (options.handleSignals) {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    process.on('exit', removeDirs);
  }

  return {
    signal: stop.signal,
    stopReason: () => reason,
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), `storywatch-${prefix}-`));
      dirs.push(dir);
      return dir;
    },
    dispose() {
      removeDirs();
      if (options.handleSignals) {
        process.off('SIGINT', onInterrupt);
        process.off('SIGTERM', onInterrupt);
        process.off('exit', removeDirs);
      }
    },
  };
}
