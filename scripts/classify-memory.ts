/**
 * `storywatch classify` on a large generated input, in its own process: prints its peak resident memory, time and
 * output, to show memory stays flat however long the lines (issue 18; not a test, the figures depend on the machine).
 *
 *   npm run measure:classify-memory -- [--gigabytes 1] [--line-megabytes 100]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { gigabytes: { type: 'string', default: '1' }, 'line-megabytes': { type: 'string', default: '100' } },
});
const totalBytes = Number(values.gigabytes) * 1024 ** 3;
const lineBytes = Number(values['line-megabytes']) * 1024 ** 2;
const NORMAL_LINES_PER_BLOCK = 20;

const item = (id: string) =>
  `${JSON.stringify({ id, title: 'Kyiv accepts 30-day ceasefire proposed by Washington', description: 'Talks go on.' })}\n`;
const filler = Buffer.alloc(1024 * 1024, 'x');

/** Peak resident set of a running process, in MiB (Linux). */
function peakMiB(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const root = join(import.meta.dirname, '..');
const started = process.hrtime.bigint();
const child = spawn(process.execPath, [join(root, 'bin', 'storywatch.mjs'), 'classify'], {
  cwd: root,
  stdio: ['pipe', 'pipe', 'inherit'],
});
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, peakMiB(child.pid ?? -1) ?? 0);
}, 50);
let outputLines = 0;
let errorLines = 0;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  for (const line of chunk.split('\n')) {
    if (line === '') continue;
    outputLines += 1;
    if (line.includes('"error"')) errorLines += 1;
  }
});

async function write(data: Buffer | string): Promise<void> {
  if (!child.stdin.write(data)) await new Promise((resolve) => child.stdin.once('drain', resolve));
}

let written = 0;
let block = 0;
while (written < totalBytes) {
  for (let index = 0; index < NORMAL_LINES_PER_BLOCK; index++) await write(item(`block-${block}-${index}`));
  // One huge line per block: a JSON record whose description never ends before the limit.
  await write(`{"id":"huge-${block}","title":"huge","description":"`);
  for (let sent = 0; sent < lineBytes; sent += filler.length) await write(filler);
  await write('"}\n');
  written += lineBytes;
  block += 1;
}
child.stdin.end();
const code: number = await new Promise((resolve) => child.on('close', (exitCode) => resolve(exitCode ?? -1)));
clearInterval(sampler);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `classify: ${(written / 1024 ** 3).toFixed(2)} GiB in ${block} lines of ${lineBytes / 1024 ** 2} MiB plus ` +
    `${block * NORMAL_LINES_PER_BLOCK} normal lines; ${outputLines} output lines (${errorLines} errors), ` +
    `exit ${code}, ${seconds.toFixed(1)} s, peak resident ${peak.toFixed(0)} MiB`,
);
