import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CycleJob, CycleResult } from '../workers/pipeline-cycle';

const WORKER = fileURLToPath(new URL('../workers/pipeline-cycle.ts', import.meta.url));

/** Runs one pipeline cycle in a fresh Node process (as a Lambda would) and returns its timing and peak memory. */
export function runCycleInChild(job: CycleJob): Promise<CycleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`pipeline cycle worker exited ${code}: ${stderr.trim()}`));
      else resolve(JSON.parse(stdout) as CycleResult);
    });
    child.stdin.end(JSON.stringify(job));
  });
}
