import { describe, expect, it } from 'vitest';
import { DEFAULT_STORIES_DIR } from '../../../src/detection/index';
import { SEED_PROMPT_LIMIT, storyDraftRequest } from '../../../src/stories/draft-prompt';

const seedsSent = (seeds: string[]) =>
  (JSON.parse(storyDraftRequest({ seeds, storiesDir: DEFAULT_STORIES_DIR }).user) as { seeds: string[] }).seeds;

describe('the seeds a model draft is asked from', () => {
  it('are cut at the limit in characters, an emoji at the cut kept whole', () => {
    const seed = `${'a'.repeat(SEED_PROMPT_LIMIT - 1)}😀${'b'.repeat(500)}`;
    expect(seedsSent([seed])).toEqual([`${'a'.repeat(SEED_PROMPT_LIMIT - 1)}😀`]);
  });

  it('are sent whole when within the limit, however many code units their pairs take', () => {
    const seed = '😀'.repeat(SEED_PROMPT_LIMIT);
    expect(seedsSent([seed, 'short'])).toEqual([seed, 'short']);
  });
});
