import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadStory } from '../../detection/index';
import { collectReportData } from '../../report/collect';
import { renderReport } from '../../report/render-report';
import { type Command, stringOption } from '../command';
import { openStoreFromOptions, STORE_OPTIONS, storyIdFromOptions } from '../store-options';

const DEFAULT_REPORT_PATH = 'storywatch-report.html';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Write one self-contained HTML page with the stance timeline, follow-ups and alerts',
  usage: 'storywatch report [--out <file.html>] [store options]',
  options: {
    out: { type: 'string', description: 'Where to write the HTML file', defaultText: DEFAULT_REPORT_PATH },
    ...STORE_OPTIONS,
  },
  async run(context) {
    const outPath = resolve(stringOption(context, 'out') ?? DEFAULT_REPORT_PATH);
    const story = loadStory(storyIdFromOptions(context));
    const opened = await openStoreFromOptions(context);
    try {
      const data = await collectReportData(opened.store, story, { until: new Date() });
      mkdirSync(dirname(outPath), { recursive: true });
      writeFileSync(outPath, renderReport(data));
      context.io.stdout.write(
        `report: ${outPath} (${data.followUps.length} follow-ups, ${data.alerts.length} alerts, from ${opened.describe})\n`,
      );
      return 0;
    } finally {
      await opened.close();
    }
  },
};
