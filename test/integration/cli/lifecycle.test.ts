import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli';
import { spawnCli } from '../../support/spawn-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-lifecycle-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

let runs = 0;
/** A working directory and a TMPDIR of its own for each run, so each can be checked for leftovers. */
function place(): { cwd: string; tmpDir: string } {
  runs += 1;
  const cwd = join(scratch, `run-${runs}`);
  const tmpDir = join(cwd, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  return { cwd, tmpDir };
}

/** What a command left in the temp dir; tsx's own compile cache is not ours and stays. */
function leftovers(tmpDir: string): string[] {
  return readdirSync(tmpDir).filter((name) => name.startsWith('storywatch-'));
}

describe('storywatch --version', () => {
  it('prints the version of package.json', async () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`storywatch ${manifest.version}\n`);
    }
  });
});

describe('a closed stdout and Ctrl-C', () => {
  it('demo | head -3: stops quietly with exit 0, leaves no temp files, and the next demo starts over', async () => {
    const where = place();
    const demo = spawnCli(['demo'], where);
    await demo.waitFor(/^(.*\n){3}/);
    // What `head -3` does after its third line: close the pipe.
    demo.child.stdout.destroy();
    const { code } = await demo.exited;
    expect(code).toBe(0);
    expect(demo.stderr()).not.toMatch(/EPIPE|Error|at /);
    expect(leftovers(where.tmpDir)).toEqual([]);

    const again = spawnCli(['demo'], where);
    expect((await again.exited).code, again.stderr()).toBe(0);
    expect(again.stdout()).toContain('holds an unfinished demo run; starting over');
    expect(again.stdout()).toContain('4 stance changes');
  }, 120_000);

  it('Ctrl-C during the demo finishes the step, closes the store, exits 130, and the next demo starts over', async () => {
    const where = place();
    const demo = spawnCli(['demo'], where);
    await demo.waitFor(/^2025-04-0/m);
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    expect(code).toBe(130);
    expect(demo.stderr()).toContain('storywatch demo: interrupted, finishing the current step');
    expect(demo.stderr()).not.toMatch(/at .*\.ts:\d+/);
    expect(leftovers(where.tmpDir)).toEqual([]);

    const again = spawnCli(['demo'], where);
    expect((await again.exited).code, again.stderr()).toBe(0);
    expect(again.stdout()).toContain('starting over');
    expect(again.stdout()).toContain('npx storywatch stances --data-dir .storywatch/demo');
  }, 120_000);

  it('classify | head -1 on a long input stops reading and exits 0 without a stack trace', async () => {
    const where = place();
    const classify = spawnCli(['classify'], where);
    const line = `${JSON.stringify({ id: 'x', title: 'Kyiv accepts 30-day ceasefire proposed by Washington' })}\n`;
    classify.child.stdin.on('error', () => {});
    classify.child.stdin.write(line.repeat(20_000));
    await classify.waitFor(/\n/);
    classify.child.stdout.destroy();
    classify.child.stdin.end();
    const { code } = await classify.exited;
    expect(code).toBe(0);
    expect(classify.stderr()).toBe('');
  }, 60_000);

  it('replay without --data-dir keeps its store in .storywatch/replay-<name> and prints how to query it', async () => {
    const where = place();
    const archive = join(where.cwd, 'my-archive.jsonl');
    const item = {
      id: 'a1',
      title: 'Kyiv accepts 30-day ceasefire proposed by Washington',
      published: '2025-03-12T09:00:00Z',
    };
    writeFileSync(archive, `${JSON.stringify(item)}\n`);
    for (let round = 1; round <= 2; round++) {
      const replay = spawnCli(['replay', 'my-archive.jsonl'], where);
      expect((await replay.exited).code, replay.stderr()).toBe(0);
      // The replay's own store starts over each time: the second round finds no duplicates.
      expect(replay.stdout()).toContain('1 items, 0 duplicates');
      expect(replay.stdout()).toContain('npx storywatch stances --data-dir .storywatch/replay-my-archive');
    }
    expect(readdirSync(join(where.cwd, '.storywatch', 'replay-my-archive'))).toContain('finished-run.json');
    expect(leftovers(where.tmpDir)).toEqual([]);
  }, 120_000);
});
