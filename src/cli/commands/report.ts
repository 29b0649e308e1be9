import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { shownPath } from '../../local/format';
import { collectReportData } from '../../report/collect';
import { renderReport } from '../../report/render-report';
import { type Command, stringOption } from '../command';
import { explainEmptyResult } from '../empty-result';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { ONE_STORY_OPTIONS, selectOneStory } from '../stories';

/** Inside the store's own directory by default: never in the repository, where lint and git would pick it up. */
const DEFAULT_REPORT_TEXT = '<data-dir>/report.html, or .storywatch/report.html for a table';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Write one self-contained HTML page with the stance timeline, follow-ups and alerts',
  usage: 'storywatch report [--out <file.html>] [store options]',
  options: {
    out: { type: 'string', description: 'Where to write the HTML file', defaultText: DEFAULT_REPORT_TEXT },
    ...STORE_OPTIONS,
    ...ONE_STORY_OPTIONS,
  },
  async run(context) {
    const selection = selectOneStory(context);
    const { story } = selection;
    const opened = await openStoreFromOptions(context);
    try {
      const outPath = resolve(stringOption(context, 'out') ?? join(opened.dataDir ?? '.storywatch', 'report.html'));
      const data = await collectReportData(opened.store, story, { until: new Date() });
      mkdirSync(dirname(outPath), { recursive: true });
      writeFileSync(outPath, renderReport(data));
      context.io.stdout.write(
        `report: ${shownPath(outPath)} (${data.followUps.length} follow-ups, ${data.alerts.length} alerts, from ${opened.describe})\n`,
      );
      if (data.followUps.length === 0 && data.alerts.length === 0) {
        // An empty page is a correct report of an empty store; say so, and where the data may be instead.
        explainEmptyResult(context, { what: 'follow-ups or alerts to report', opened, selection, retry: 'report' });
      }
      return 0;
    } finally {
      await opened.close();
    }
  },
};
