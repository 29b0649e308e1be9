import { afterEach, beforeEach } from 'vitest';

/**
 * Collects the errors thrown outside any caller's reach (from a callback) during each test of the file that calls
 * this: each one would crash a CLI. The returned list is emptied before every test.
 */
export function collectStrayErrors(): unknown[] {
  const stray: unknown[] = [];
  const note = (error: unknown) => stray.push(error);
  beforeEach(() => {
    stray.length = 0;
    process.on('uncaughtException', note);
    process.on('unhandledRejection', note);
  });
  afterEach(() => {
    process.off('uncaughtException', note);
    process.off('unhandledRejection', note);
  });
  return stray;
}
