import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedDynamo } from '../../../src/local/engine/index';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-lock-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function dirWithLock(name: string, content: string): { dataDir: string; pidFile: string } {
  const dataDir = join(scratch, name);
  mkdirSync(dataDir, { recursive: true });
  const pidFile = join(dataDir, 'storywatch.pid');
  writeFileSync(pidFile, content);
  return { dataDir, pidFile };
}

describe('the embedded engine’s data-dir lock', () => {
  it.each([
    ['empty', ''],
    ['not a pid', 'starting…'],
    ['pid 0', '0'],
  ])('takes a lock file that is %s as held, leaves it in place and says what to do', async (name, content) => {
    const { dataDir, pidFile } = dirWithLock(name.replaceAll(' ', '-'), content);
    await expect(startEmbeddedDynamo({ dataDir })).rejects.toThrow(/empty or unreadable lock file.*delete the file/);
    expect(readFileSync(pidFile, 'utf8')).toBe(content);
  });

  it('takes over the lock of a process that died, exclusively, and removes it on close', async () => {
    const { dataDir, pidFile } = dirWithLock('stale', '999999999');
    const engine = await startEmbeddedDynamo({ dataDir });
    try {
      expect(readFileSync(pidFile, 'utf8')).toBe(String(process.pid));
      await expect(startEmbeddedDynamo({ dataDir })).rejects.toThrow(/is in use by process/);
    } finally {
      await engine.close();
    }
    expect(existsSync(pidFile)).toBe(false);
    expect(existsSync(`${pidFile}.stale-${process.pid}`)).toBe(false);
  });
});
