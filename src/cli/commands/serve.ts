import { startStorySite } from '../../site/story-site';
import { type Command, stringOption, UsageError } from '../command';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { ONE_STORY_OPTIONS, selectOneStory } from '../stories';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the story page and its Atom feeds on 127.0.0.1, rendered from the store on every request',
  usage: 'storywatch serve [--port <n>] [--story <id>] [store options]',
  options: {
    port: { type: 'string', description: 'Port on 127.0.0.1 (0: any free port)', defaultText: '8787' },
    ...STORE_OPTIONS,
    ...ONE_STORY_OPTIONS,
  },
  async run(context) {
    const port = stringOption(context, 'port') ?? '8787';
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError('--port must be a port number');
    const { story } = selectOneStory(context);
    const opened = await openStoreFromOptions(context);
    try {
      const site = await startStorySite({ store: opened.store, story, port: Number(port) });
      context.io.stdout.write(`serving ${story.id} from ${opened.describe} at ${site.url} (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        if (context.signal.aborted) resolve();
        context.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await site.close();
      return 0;
    } finally {
      await opened.close();
    }
  },
};
