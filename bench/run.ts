/**
 * `npm run bench`: storywatch's figures next to the obvious implementation, on loopback only.
 * Prints a table and writes bench/results.json. Each figure is the median of several runs with min and max;
 * compare ratios rather than absolute numbers, because this machine is shared and absolute times drift.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSection } from './lib/report';
import { formatTable } from './lib/report';
import { detectionSection } from './sections/detection';
import { dispatchSection } from './sections/dispatch';
import { lambdaSection } from './sections/lambda';
import { latencySection } from './sections/latency';
import { parseSection } from './sections/parse';
import { pollCycleSection } from './sections/poll-cycle';
import { qualitySection } from './sections/quality';
import { readerSection } from './sections/reader';
import { storeSection } from './sections/store';

const SECTIONS: Record<string, BenchSection> = {
  parse: parseSection,
  detect: detectionSection,
  poll: pollCycleSection,
  store: storeSection,
  lambda: lambdaSection,
  quality: qualitySection,
  latency: latencySection,
  dispatch: dispatchSection,
  reader: readerSection,
};

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const rows: BenchRow[] = [];
  const started = performance.now();
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}...\n`);
    const sectionRows = await section({ runs });
    rows.push(...sectionRows);
    process.stdout.write(`${formatTable(sectionRows)}\n`);
  }
  const results = {
    generatedAt: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    runsPerFigure: runs,
    wallSeconds: (performance.now() - started) / 1000,
    rows,
  };
  const out = fileURLToPath(new URL('./results.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `\n${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}; wrote ${out}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
