import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type DemoFeedServer, startDemoFeedServer } from '../../../src/demo/feed-server';
import { SimulatedClock } from '../../../src/demo/simulated-clock';
import { DEMO_TIMELINE } from '../../../src/demo/timeline';
import { runCli } from '../../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-commands-test-'));
const bin = fileURLToPath(new URL('../../../bin/storywatch.mjs', import.meta.url));
let feedServer: DemoFeedServer | null = null;

afterEach(async () => {
  await feedServer?.close();
  feedServer = null;
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A registry file pointing at the loopback demo feeds, the way a user would write one for local testing. */
async function loopbackRegistry(name: string): Promise<string> {
  feedServer = await startDemoFeedServer(DEMO_TIMELINE, { clock: new SimulatedClock('2025-12-31T00:00:00Z') });
  const path = join(scratch, `${name}-registry.json`);
  const entries = feedServer.feeds.map((feed) => ({
    ...feed,
    note: 'Invented outlet served by the demo feed server.',
  }));
  writeFileSync(path, JSON.stringify(entries, null, 2));
  return path;
}

describe('storywatch demo and report on a data dir', () => {
  it('keeps the demo in --data-dir, shows it again instead of replaying into it, and `report` draws it from there', async () => {
    const dataDir = join(scratch, 'demo-data');
    const demo = await runCli(['demo', '--data-dir', dataDir]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('4 stance changes');
    // Its report lands inside its own store, so two demos in two directories never overwrite each other.
    expect(demo.stdout).toContain(`report: ${join(dataDir, 'report.html')}`);
    expect(readFileSync(join(dataDir, 'report.html'), 'utf8')).toContain('class="change-point"');
    expect(demo.stdout).toContain(`npx storywatch stances --data-dir ${dataDir}`);

    const again = await runCli(['demo', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`The store in ${dataDir} already holds the demo`);
    expect(again.stdout).toContain('npx storywatch demo --fresh');
    expect(again.stdout).not.toContain('stance changes');

    const out = join(scratch, 'report.html');
    const report = await runCli(['report', '--data-dir', dataDir, '--out', out]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`report: ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html.match(/<div class="lane" /g)).toHaveLength(4);
    expect(html.match(/class="change-point"/g)).toHaveLength(DEMO_TIMELINE.plannedChanges.length);

    const fresh = await runCli(['demo', '--data-dir', dataDir, '--fresh', '--report', join(scratch, 'fresh.html')]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('4 stance changes');
    const alerts = readFileSync(join(dataDir, 'alerts.jsonl'), 'utf8').trim().split('\n');
    expect(alerts).toHaveLength(4);
  }, 120_000);

  it('writes the report of a store into that store by default, never into the working directory', async () => {
    const dataDir = join(scratch, 'empty-store');
    const report = await runCli(['report', '--data-dir', dataDir]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`report: ${join(dataDir, 'report.html')}`);
    expect(readFileSync(join(dataDir, 'report.html'), 'utf8')).toContain('<!doctype html>');
    expect(report.stdout).toContain(
      `no follow-ups or alerts to report for ceasefire-2025 in embedded store in ${dataDir}`,
    );
  }, 60_000);
});

describe('storywatch run', () => {
  it('polls a loopback registry once with --once and prints one progress line for the cycle', async () => {
    const registry = await loopbackRegistry('once');
    const dataDir = join(scratch, 'run-once');
    const result = await runCli([
      'run',
      '--once',
      '--feeds',
      registry,
      '--allow-private-network',
      '--data-dir',
      dataDir,
      '--alerts-file',
      join(dataDir, 'alerts.jsonl'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /cycle 1: feeds 4 polled \/ 0 unchanged \/ 0 failed · \d+ new items · \d+ follow-ups/,
    );
  }, 60_000);

  it('tracks only the story --story names, and says so', async () => {
    const registry = await loopbackRegistry('one-story');
    const dataDir = join(scratch, 'run-one-story');
    // Two stories: without the filter, the ceasefire story's follow-ups would be counted too.
    const stories = join(scratch, 'two-stories');
    mkdirSync(stories);
    const root = join(import.meta.dirname, '..', '..', '..');
    copyFileSync(join(root, 'stories', 'ceasefire-2025.json'), join(stories, 'ceasefire-2025.json'));
    const strike = join(root, 'test', 'fixtures', 'detection', 'stories', 'port-strike-2031.json');
    copyFileSync(strike, join(stories, 'port-strike-2031.json'));
    const result = await runCli([
      'run',
      '--once',
      '--feeds',
      registry,
      '--allow-private-network',
      '--stories-dir',
      stories,
      '--story',
      'port-strike-2031',
      '--data-dir',
      dataDir,
      '--alerts-file',
      join(dataDir, 'alerts.jsonl'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^polling 4 feeds for port-strike-2031 into /);
    // Nothing of the ceasefire timeline is a follow-up of the port strike.
    expect(result.stdout).toMatch(/cycle 1: .* · 0 follow-ups/);
  }, 60_000);

  it('refuses loopback feeds unless --allow-private-network is given, naming each feed and the reason', async () => {
    const registry = await loopbackRegistry('guarded');
    const result = await runCli(['run', '--once', '--feeds', registry, '--data-dir', join(scratch, 'run-guarded')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('4 failed');
    for (const outlet of DEMO_TIMELINE.outlets)
      expect(result.stdout).toMatch(new RegExp(`✗ ${outlet.id} .*blocked_address`));
  }, 60_000);

  it('on Ctrl-C finishes the current step, closes the store and exits 0', async () => {
    const registry = await loopbackRegistry('sigint');
    const dataDir = join(scratch, 'run-sigint');
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        '--feeds',
        registry,
        '--allow-private-network',
        '--data-dir',
        dataDir,
        '--alerts-file',
        join(dataDir, 'a.jsonl'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        // Interrupt while the loop waits for the feeds' next poll time.
        if (stdout.includes('next check in')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(0);
    expect(stderr).toContain('finishing the current step');
    expect(stdout).toContain('stopped after 1 cycle(s)');

    // The store was closed cleanly: it opens again and holds the stances the cycle computed.
    const stances = await runCli(['report', '--data-dir', dataDir, '--out', join(scratch, 'after-sigint.html')]);
    expect(stances.code).toBe(0);
    expect(readFileSync(join(scratch, 'after-sigint.html'), 'utf8')).toContain('class="change-point"');
  }, 60_000);
});
