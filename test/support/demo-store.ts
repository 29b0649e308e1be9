import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLocalNotifier } from '../../src/adapters/local/index';
import { type OpenedStore, openStoreFromOptions } from '../../src/cli/store-options';
import { runDemo } from '../../src/local/demo';

/**
 * Runs the bundled demo into `<scratch>/demo` and opens the store it leaves, so a test starts from the same
 * committed story (follow-ups, stances, alerts) that `storywatch demo` shows a user.
 */
export async function openDemoStore(scratch: string): Promise<OpenedStore> {
  const dataDir = join(scratch, 'demo');
  await runDemo({
    dataDir,
    reportPath: null,
    fresh: true,
    notifier: createLocalNotifier({ file: join(scratch, 'alerts.jsonl'), out: new PassThrough() }),
    out: new PassThrough(),
  });
  return openStoreFromOptions({ options: { 'data-dir': dataDir } });
}
