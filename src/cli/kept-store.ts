import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo and replay keep their store on disk so the query commands can read it afterwards. A marker file written
 * when a run finishes tells a finished store (kept, shown again) from one an interrupted run left half full.
 */
export interface FinishedRun {
  finishedAt: string;
  /** What ran: the demo, or the archive a replay read. */
  source: string;
  reportPath?: string;
  /** Who read the items (`rules` when absent: markers written before readers were chosen). */
  reader?: string;
}

const MARKER = 'finished-run.json';

export function readFinishedRun(dataDir: string): FinishedRun | null {
  const path = join(dataDir, MARKER);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FinishedRun;
  } catch {
    return null;
  }
}

export function markRunFinished(dataDir: string, run: Omit<FinishedRun, 'finishedAt'>): void {
  mkdirSync(dataDir, { recursive: true });
  const record: FinishedRun = { finishedAt: new Date().toISOString(), ...run };
  writeFileSync(join(dataDir, MARKER), `${JSON.stringify(record, null, 2)}\n`);
}

/** Called before a run starts over, so a run interrupted this time is not taken for the finished one before it. */
export function clearFinishedRun(dataDir: string): void {
  rmSync(join(dataDir, MARKER), { force: true });
}

/** A directory name from an archive's file name: `eval/dev-2026.jsonl` → `replay-dev-2026`. */
export function replayStoreName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const stem = base.replace(/\.jsonl?$/i, '').toLowerCase();
  const safe = stem.replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `replay-${safe || 'archive'}`;
}
