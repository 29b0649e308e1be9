import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The temp dir the suite was started with; a failing browser test keeps its screenshots there. */
export const OUTER_TMPDIR_VARIABLE = 'STORYWATCH_OUTER_TMPDIR';

/**
 * Vitest global setup: every test file, and every process a test spawns, gets a temp dir of this run only, which
 * is removed when the run ends. Whatever a test forgets to remove is named here, so it can be fixed, and is still
 * gone afterwards.
 */
export default function setup(): () => void {
  const outer = tmpdir();
  const runDir = mkdtempSync(join(outer, 'storywatch-test-run-'));
  process.env[OUTER_TMPDIR_VARIABLE] = outer;
  process.env.TMPDIR = runDir;
  return () => {
    // tsx keeps its compile cache in the temp dir of the processes the CLI tests start; that one is expected.
    const left = readdirSync(runDir).filter((name) => !name.startsWith('tsx-'));
    if (left.length > 0) {
      console.warn(`tests left ${left.length} entries in their temp dir (removed now): ${left.sort().join(', ')}`);
    }
    rmSync(runDir, { recursive: true, force: true });
  };
}
