import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli';

const SEED = join(import.meta.dirname, '..', '..', 'fixtures', 'detection', 'seeds', 'tariff-talks-2031.txt');
const made: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'story-command-'));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const labeled = (id: string, published: string, title: string, followUp: boolean, stances = {}) =>
  JSON.stringify({
    id,
    source: 's',
    link: null,
    published,
    title,
    description: '',
    followUp,
    borderline: false,
    stances,
  });

describe('storywatch story init', () => {
  it('writes a draft that loads, says what to check, and refuses to overwrite it without --force', async () => {
    const out = join(tempDir(), 'tariffs.json');
    const first = await runCli(['story', 'init', '--from', SEED, '--name', 'Tariff talks', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ok: tariffs\.json is story "tariff-talks": 2 parties/);
    expect(first.stdout).toMatch(/What to check:\n {2}- Drafted by storywatch story init/);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.parties).toEqual([
      { id: 'china', include: 'actors/china' },
      { id: 'us', include: 'actors/us' },
    ]);
    const again = await runCli(['story', 'init', '--from', SEED, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
  });

  it('asks for a seed article', async () => {
    const run = await runCli(['story', 'init']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs at least one --from/);
  });
});

describe('storywatch story check', () => {
  it('names the file and the field of a broken story and exits 1', async () => {
    const path = join(tempDir(), 'broken.json');
    writeFileSync(
      path,
      JSON.stringify({ id: 'broken', title: 'B', description: 'B', seedText: 'B', startDate: 'soon' }),
    );
    const run = await runCli(['story', 'check', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not ok: .*broken\.json: startDate must be a date like/);
  });

  it('shows which terms fire on the labeled items and the figures per month', async () => {
    const dir = tempDir();
    const story = join(dir, 'tariffs.json');
    await runCli(['story', 'init', '--from', SEED, '--out', story]);
    const against = join(dir, 'labeled.jsonl');
    writeFileSync(
      against,
      [
        labeled('a', '2031-02-03T00:00:00Z', 'China says it is ready for tariff talks with Washington', true, {
          china: 'supports',
        }),
        labeled('b', '2031-03-04T00:00:00Z', 'US and China agree to a tariff truce', true),
        labeled('c', '2031-03-09T00:00:00Z', 'Floods close roads in the north', false),
      ].join('\n'),
    );
    const run = await runCli(['story', 'check', story, '--against', against]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/on 3 items of .*labeled\.jsonl/);
    expect(run.stdout).toMatch(/party china\s+China 2/);
    expect(run.stdout).toMatch(/== per month/);
    expect(run.stdout).toMatch(/2031-02\s+1\s+1\.000 \(1\/0\/0\)/);
    expect(run.stdout).toMatch(/2031-03\s+2\s/);
    expect(existsSync(story)).toBe(true);
  });

  it('shows the terms that fire on a sample of unlabeled items, and no figures', async () => {
    const dir = tempDir();
    const story = join(dir, 'tariffs.json');
    await runCli(['story', 'init', '--from', SEED, '--out', story]);
    const sample = join(dir, 'items.jsonl');
    writeFileSync(
      sample,
      [
        JSON.stringify({ id: 'a', title: 'Beijing weighs tariff cuts', description: '', published: null }),
        JSON.stringify({ id: 'b', title: 'Rain in the north', description: '', published: null }),
      ].join('\n'),
    );
    const run = await runCli(['story', 'check', story, '--sample', sample]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/on 2 items of .*items\.jsonl/);
    expect(run.stdout).toMatch(/party china\s+Beijing 1/);
    expect(run.stdout).not.toMatch(/== per month/);
  });
});
