import { shownPath } from '../local/format';
import type { CommandContext } from './command';
import type { OpenedStore } from './store-options';
import { describeKnownStories, otherKeptStores, type StorySelection } from './stories';

/**
 * An empty answer says which store was read, which stories and parties exist, and which other local stores could
 * hold what was looked for (the demo's, a replay's), with the command to read them.
 */
export function explainEmptyResult(
  context: Pick<CommandContext, 'io'>,
  options: { what: string; opened: OpenedStore; selection: StorySelection; retry: string },
): void {
  const { what, opened, selection } = options;
  const stories = selection.stories.map((story) => story.id).join(', ');
  const lines = [`no ${what} for ${stories} in ${opened.describe}\n`, describeKnownStories(selection)];
  const others = otherKeptStores(opened.dataDir);
  if (others.length > 0) {
    lines.push('  other stores kept here:\n');
    for (const dir of others) lines.push(`    npx storywatch ${options.retry} --data-dir ${shownPath(dir)}\n`);
  }
  context.io.stdout.write(lines.join(''));
}
