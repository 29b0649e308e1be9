import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLocalNotifier } from '../../adapters/local/index';
import { runDemo } from '../../local/demo';
import { booleanOption, type Command, stringOption } from '../command';

const DEFAULT_REPORT_PATH = '.storywatch/demo-report.html';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Replay an invented season of ceasefire news through the real pipeline, offline, in seconds',
  usage: 'storywatch demo [--data-dir <dir>] [--report <file>] [--fresh]',
  options: {
    'data-dir': {
      type: 'string',
      description: 'Keep the demo store on disk here (inspect it later with stances, history, report)',
      defaultText: 'in memory',
    },
    report: { type: 'string', description: 'Write the HTML report here', defaultText: DEFAULT_REPORT_PATH },
    fresh: { type: 'boolean', description: 'Delete what the store in --data-dir holds before starting' },
  },
  async run(context) {
    const dataDir = stringOption(context, 'data-dir') ?? null;
    const reportPath = resolve(stringOption(context, 'report') ?? DEFAULT_REPORT_PATH);
    // Alerts go to a JSON Lines file next to the data, or to a scratch dir that disappears with an in-memory run.
    const scratch = dataDir === null ? mkdtempSync(join(tmpdir(), 'storywatch-demo-')) : null;
    const alertsFile = join(dataDir ?? scratch ?? '.', 'demo-alerts.jsonl');
    try {
      const started = performance.now();
      const result = await runDemo({
        dataDir,
        reportPath,
        fresh: dataDir === null || booleanOption(context, 'fresh'),
        // The demo prints its own one-line summary of each alert; the notifier's full block would drown the steps.
        notifier: createLocalNotifier({ file: alertsFile, out: discard() }),
        out: context.io.stdout,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      context.io.stdout.write(`${dataDir ? `alerts: ${alertsFile}\n` : ''}done in ${seconds} s\n`);
      return result.alertsFailed > 0 ? 1 : 0;
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  },
};

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
