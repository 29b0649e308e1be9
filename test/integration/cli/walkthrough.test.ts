import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TIMELINE } from '../../../src/demo/timeline';
import { loadStory } from '../../../src/detection/index';
import { spawnCli } from '../../support/spawn-cli';

const README = join(import.meta.dirname, '..', '..', '..', 'README.md');

/**
 * Every `npx storywatch …` line of the README's shell blocks, in order, as argument lists: the commands a new user
 * types. Lines with placeholders (`<TableName>`) need a deployment and are left out.
 */
function readmeCommands(markdown: string): string[][] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, ''))
    .filter((line) => line.includes('npx storywatch ') && !line.includes('<'))
    .map((line) => shellWords(line.slice(line.indexOf('npx storywatch ') + 'npx storywatch '.length)));
}

/** Splits a command line as a shell would for these simple commands: spaces, single and double quotes. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

const story = loadStory(DEMO_TIMELINE.storyId);
const partyName = (id: string) => story.parties.find((party) => party.id === id)?.name ?? id;
/** Where the demo leaves each party that moved: its last planned change. */
const finalChange = new Map(DEMO_TIMELINE.plannedChanges.map((change) => [change.party, change]));

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-walkthrough-'));
const cwd = join(scratch, 'fresh-clone');
const tmpDir = join(scratch, 'tmp');
const outputs: { args: string[]; code: number | null; stdout: string; stderr: string }[] = [];

beforeAll(async () => {
  mkdirSync(cwd);
  mkdirSync(tmpDir);
  for (const args of readmeCommands(readFileSync(README, 'utf8'))) {
    const run = spawnCli(args, { cwd, tmpDir });
    const { code } = await run.exited;
    outputs.push({ args, code, stdout: run.stdout(), stderr: run.stderr() });
  }
}, 300_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Checks of each command the README shows; a README command without one fails the walkthrough. */
const checks: Record<string, (stdout: string, args: string[]) => void> = {
  demo(stdout) {
    expect(stdout).toContain(`${DEMO_TIMELINE.plannedChanges.length} stance changes`);
    for (const change of DEMO_TIMELINE.plannedChanges) {
      expect(stdout).toContain(`! ${change.party}: ${change.from ?? 'none'} → ${change.to}`);
    }
    expect(stdout).toContain('report: .storywatch/demo/report.html');
    expect(stdout).toContain('npx storywatch stances --data-dir .storywatch/demo');
  },
  stances(stdout) {
    for (const [party, change] of finalChange) expect(stdout).toMatch(new RegExp(`^${party}\\s+${change.to}\\s`, 'm'));
  },
  history(stdout, args) {
    const party = story.parties.find((candidate) => [candidate.id, candidate.name].includes(args[1] ?? ''))?.id;
    const change = finalChange.get(party ?? '');
    expect(change, `the README's history example names a party the demo moves (${args[1]})`).toBeDefined();
    expect(stdout).toContain(`${change?.from ?? 'none'} -> ${change?.to}`);
  },
  alerts(stdout) {
    const rows = stdout.trim().split('\n').slice(2);
    expect(rows).toHaveLength(DEMO_TIMELINE.plannedChanges.length);
    for (const change of DEMO_TIMELINE.plannedChanges) {
      expect(stdout).toMatch(new RegExp(`${change.party}\\s+${change.from ?? 'none'} -> ${change.to}\\s+sent`));
    }
  },
  articles(stdout, args) {
    expect(stdout).toMatch(/^PUBLISHED \(UTC\)\s+/);
    const party = args[args.indexOf('--party') + 1];
    if (party) expect(stdout).toMatch(/(supports|conditional|opposes)/);
    expect(stdout.trim().split('\n').length).toBeGreaterThan(2);
  },
  report(stdout) {
    expect(stdout).toMatch(/^report: \.storywatch\/demo\/report\.html \(30 follow-ups, 4 alerts/);
    const html = readFileSync(join(cwd, '.storywatch', 'demo', 'report.html'), 'utf8');
    expect(html.match(/class="change-point"/g)).toHaveLength(DEMO_TIMELINE.plannedChanges.length);
    for (const party of finalChange.keys()) expect(html).toContain(partyName(party));
  },
};

describe("the README's commands on a fresh clone, in order", () => {
  it('are found in the README: the demo first, then a query of each kind', () => {
    const names = outputs.map((output) => output.args[0]);
    expect(names[0]).toBe('demo');
    for (const name of ['stances', 'history', 'alerts', 'report']) expect(names).toContain(name);
  });

  it('each exits 0 and shows the demo story', () => {
    for (const output of outputs) {
      const name = output.args[0] ?? '';
      const check = checks[name];
      expect(check, `the walkthrough has no check for "storywatch ${output.args.join(' ')}"`).toBeDefined();
      expect(output.code, `storywatch ${output.args.join(' ')}: ${output.stderr}`).toBe(0);
      check?.(output.stdout, output.args);
    }
  });

  it('leave nothing in the temp dir, and everything they write under .storywatch/', () => {
    expect(readdirSync(tmpDir).filter((name) => name.startsWith('storywatch-'))).toEqual([]);
    expect(readdirSync(cwd)).toEqual(['.storywatch']);
  });
});
