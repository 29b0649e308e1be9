/**
 * Two processes taking over the same dead owner's data-dir lock at the same instant: only one may get it. The race
 * is too narrow to hit with real processes on demand, so the competitor acts inside this process's own steps: the
 * moment this process has read the dead owner's pid, the competitor moves that file aside and creates its own lock,
 * as a second storywatch starting a microsecond earlier would. Only that interleaving is staged (through the fs
 * module the engine imports); the lock code and the files are real.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startEmbeddedDynamo } from '../../src/local/engine/index';

/** Armed with a lock file path: the next read of it lets the competitor take the lock right after. */
const race = vi.hoisted(() => ({ pidFile: null as string | null, competitorPid: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((path: Parameters<typeof fs.readFileSync>[0], options?: unknown) => {
    const text = fs.readFileSync(path, options as never);
    if (race.pidFile !== null && path === race.pidFile) {
      race.pidFile = null;
      fs.renameSync(path, `${path}.competitor-aside`);
      fs.rmSync(`${path}.competitor-aside`);
      fs.writeFileSync(path, String(race.competitorPid), { flag: 'wx' });
    }
    return text;
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-lock-race-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('two processes taking over a dead owner’s data-dir lock at once', () => {
  it('leaves the lock to the one that took it first and tells the other the directory is in use', async () => {
    const dataDir = join(scratch, 'data');
    mkdirSync(dataDir);
    const pidFile = join(dataDir, 'storywatch.pid');
    writeFileSync(pidFile, '999999999'); // a process that died
    // The competitor: a live process other than this one.
    Object.assign(race, { pidFile, competitorPid: process.ppid });

    // An engine of its own, not storageTest's: the lock of a data directory is what is tested, and the shared
    // in-memory engine has none.
    await expect(startEmbeddedDynamo({ dataDir })).rejects.toThrow(/was just claimed by another process/);

    expect(race.pidFile, 'the competitor took the lock').toBeNull();
    expect(readFileSync(pidFile, 'utf8')).toBe(String(process.ppid));
    expect(readdirSync(dataDir)).toEqual(['storywatch.pid']);
    expect(existsSync(`${pidFile}.stale-${process.pid}`)).toBe(false);
  });
});
