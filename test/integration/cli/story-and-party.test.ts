import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'storywatch-story-option-test-'));
const demoStore = join(scratch, 'demo');
/** The ceasefire story, the made-up port strike story, and one file with a typo in its tracking block. */
const multiDir = join(scratch, 'stories');

beforeAll(async () => {
  mkdirSync(multiDir);
  copyFileSync(join(ROOT, 'stories', 'ceasefire-2025.json'), join(multiDir, 'ceasefire-2025.json'));
  copyFileSync(
    join(ROOT, 'test', 'fixtures', 'detection', 'stories', 'port-strike-2031.json'),
    join(multiDir, 'port-strike-2031.json'),
  );
  const broken = {
    id: 'broken-story',
    title: 'Broken',
    description: 'A story whose tracking block has a typo.',
    seedText: 'Alpha said it backs the plan.',
    startDate: '2030-01-01',
    parties: [{ id: 'alpha', name: 'Alpha', aliases: ['Alpha'] }],
    topic: [{ term: 'plan', weight: 1 }],
    tracking: { confirmation: 2 },
  };
  writeFileSync(join(multiDir, 'broken.json'), JSON.stringify(broken));
  const demo = await runCli(['demo', '--data-dir', demoStore]);
  if (demo.code !== 0) throw new Error(`demo failed: ${demo.stderr}`);
}, 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const inDemo = (...args: string[]) => runCli([...args, '--data-dir', demoStore]);

describe('--story means the same on every command', () => {
  it.each([['stances'], ['articles'], ['alerts'], ['history', 'russia'], ['report'], ['run', '--once']])(
    '%s refuses an unknown story with the list of stories, before touching any store',
    async (...command) => {
      const result = await runCli([...command, '--story', 'nope', '--data-dir', join(scratch, 'never-opened')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/unknown story "nope"; stories in .*: ceasefire-2025/);
    },
  );

  it('shows a story column once more than one story is listed, and filters alerts by story', async () => {
    const stances = await inDemo('stances', '--stories-dir', multiDir);
    expect(stances.code).toBe(0);
    expect(stances.stdout).toMatch(/^STORY\s+PARTY\s+STANCE/);
    expect(stances.stdout).toMatch(/^ceasefire-2025\s+russia\s+opposes/m);

    const all = await inDemo('alerts', '--stories-dir', multiDir);
    expect(all.stdout).toMatch(/^STORY\s+CREATED/);
    expect(all.stdout.match(/^ceasefire-2025 /gm)).toHaveLength(4);

    const other = await inDemo('alerts', '--stories-dir', multiDir, '--story', 'port-strike-2031');
    expect(other.code).toBe(0);
    expect(other.stdout).toContain(`no alerts for port-strike-2031 in embedded store in ${demoStore}`);

    const one = await inDemo('alerts', '--stories-dir', multiDir, '--story', 'ceasefire-2025');
    expect(one.stdout).toMatch(/^CREATED \(UTC\)/);
    expect(one.stdout.trim().split('\n')).toHaveLength(2 + 4);
  });

  it('reports a broken story file and goes on without it, but refuses it when that story is asked for', async () => {
    const stances = await inDemo('stances', '--stories-dir', multiDir);
    expect(stances.stderr).toMatch(/skipped a story file that does not load: .*broken\.json: unknown tracking setting/);
    expect(stances.code).toBe(0);

    // Refused before any work, naming the file and the field, by every command that would use it.
    for (const command of [['stances'], ['classify'], ['replay', join(scratch, 'none.jsonl')], ['run', '--once']]) {
      const asked = await runCli([...command, '--stories-dir', multiDir, '--story', 'broken-story']);
      expect(asked.code, command.join(' ')).toBe(1);
      expect(asked.stderr).toMatch(
        /story "broken-story" cannot be loaded: .*broken\.json: unknown tracking setting "confirmation"/,
      );
    }
  });
});

describe('parties by id or name', () => {
  it('accepts a party id or name in any case', async () => {
    for (const party of ['RUSSIA', 'Russia', 'russia']) {
      const history = await inDemo('history', party);
      expect(history.code).toBe(0);
      expect(history.stdout).toMatch(/conditional -> opposes/);
    }
    const us = await inDemo('history', 'united states');
    expect(us.stdout).toMatch(/supports -> conditional/);
    const europe = await inDemo('articles', '--party', 'Europe');
    expect(europe.stdout).toMatch(/^PUBLISHED \(UTC\)\s+STANCE/);
  });

  it('refuses a party that is neither an id nor a name, listing ids with names', async () => {
    for (const command of [
      ['history', 'putin'],
      ['articles', '--party', 'putin'],
    ]) {
      const result = await inDemo(...command);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'unknown party "putin" (parties by id or name — ceasefire-2025: russia (Russia), ukraine (Ukraine), us (United States), europe (Europe))',
      );
    }
  });
});

describe('an empty result says why', () => {
  it('names the store it read and the stories and parties that exist', async () => {
    const empty = join(scratch, 'empty');
    const result = await runCli(['stances', '--data-dir', empty]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `no stances recorded yet for ceasefire-2025 in embedded store in ${empty} (new: nothing was stored there before)`,
    );
    expect(result.stdout).toContain(
      'story ceasefire-2025 — parties: russia (Russia), ukraine (Ukraine), us (United States), europe (Europe)',
    );
  });
});
