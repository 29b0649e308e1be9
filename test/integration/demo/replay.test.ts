import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TIMELINE, demoItemGuid, demoItemLink } from '../../../src/demo/timeline';
import { runCli } from '../../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-replay-test-'));
const archive = join(scratch, 'archive.jsonl');
let stores = 0;
/** Each replay gets its own store under the scratch dir, never the repository's `.storywatch/`. */
const ownStore = () => ['--data-dir', join(scratch, `store-${++stores}`)];

/** The demo timeline in the archive format (one JSON object per line), newest first so the replay must sort it. */
function writeArchive(path: string, extraLines: string[] = []): void {
  const lines = [...DEMO_TIMELINE.items]
    .sort((a, b) => Date.parse(b.published) - Date.parse(a.published))
    .map((item) =>
      JSON.stringify({
        id: demoItemGuid(item),
        source: `https://${item.outlet}.example.org/feed.xml`,
        link: demoItemLink(item),
        published: item.published.replace('Z', '+00:00'),
        title: item.title,
        description: item.description,
        followUp: item.role === 'follow-up',
      }),
    );
  writeFileSync(path, `${[...lines, ...extraLines].join('\n')}\n`);
}

beforeAll(() => {
  writeArchive(archive);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('storywatch replay', () => {
  it('backtests the archive in published order and lists the stance changes with their dates', async () => {
    const alertsFile = join(scratch, 'alerts.jsonl');
    const { code, stdout } = await runCli(['replay', archive, '--alerts-file', alertsFile, ...ownStore()]);
    expect(code).toBe(0);
    const changes = [...stdout.matchAll(/^ {2}(\d{4}-\d{2}-\d{2}) {2}(\w+): (\w+) → (\w+)/gm)].map((match) =>
      match.slice(1).join(' '),
    );
    const planned = DEMO_TIMELINE.plannedChanges.map((change) => {
      const cause = DEMO_TIMELINE.items.find((item) => item.slug === change.causeSlug);
      return `${cause?.published.slice(0, 10)} ${change.party} ${change.from ?? 'none'} ${change.to}`;
    });
    expect(changes).toEqual(planned);
    expect(stdout).toContain(`${DEMO_TIMELINE.items.length} items, 0 duplicates`);
    const firedIds = readFileSync(alertsFile, 'utf8').split('\n').filter(Boolean);
    expect(stdout).toContain(`Alerts that would have fired: ${firedIds.length}`);
  });

  it('prints plain progress lines instead of a redrawn bar when stdout is not a terminal', async () => {
    const { stdout } = await runCli(['replay', archive, ...ownStore()]);
    expect(stdout).not.toContain('\r');
    const progress = stdout.split('\n').filter((line) => /^\d+% \d+\/\d+ /.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)).toMatch(new RegExp(`^100% ${DEMO_TIMELINE.items.length}/${DEMO_TIMELINE.items.length} `));
  });

  it('redraws one progress bar in place when stdout is a terminal', async () => {
    const { stdout } = await runCli(['replay', archive, ...ownStore()], { terminal: true });
    const redraws = stdout.split('\r').filter((frame) => frame.startsWith('['));
    expect(redraws).toHaveLength(DEMO_TIMELINE.items.length);
    const total = DEMO_TIMELINE.items.length;
    expect(redraws.at(-1)).toMatch(new RegExp(`^\\[#{24}\\] ${total}/${total} `));
    expect(stdout).not.toMatch(/^\d+% /m);
  });

  it('lets --min-confidence override the story threshold, so no observation is strong enough to change a stance', async () => {
    const { code, stdout } = await runCli(['replay', archive, '--min-confidence', '0.99', ...ownStore()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Stance changes:\n {2}none/);
  });

  it('rejects an out-of-range threshold as a usage error before replaying anything', async () => {
    const { code, stderr, stdout } = await runCli(['replay', archive, '--confirm-sources', '0', ...ownStore()]);
    expect(code).toBe(2);
    expect(stderr).toContain('confirmations');
    expect(stdout).not.toContain('replaying');
  });

  it('skips malformed lines with their line number and exits 1, still replaying the rest', async () => {
    const damaged = join(scratch, 'damaged.jsonl');
    writeArchive(damaged, ['{"id": "no-title"}', 'not json at all']);
    const { code, stdout, stderr } = await runCli(['replay', damaged, ...ownStore()]);
    expect(code).toBe(1);
    const total = DEMO_TIMELINE.items.length;
    expect(stderr).toContain(`damaged.jsonl:${total + 1}: skipped, needs a "title"`);
    expect(stderr).toMatch(new RegExp(`damaged.jsonl:${total + 2}: skipped, .*JSON`));
    expect(stdout).toContain(`${total} items, 0 duplicates`);
  });
});
