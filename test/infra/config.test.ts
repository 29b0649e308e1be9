import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../infra/config';
import { FIXTURE_CONTEXT, loadFixtureConfig, runAppProcess } from '../support/infra-build';

function problemsOf(context: Record<string, unknown>): string[] {
  try {
    loadFixtureConfig(context);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the context to be rejected');
}

describe('loadConfig', () => {
  it('applies the documented defaults when the context sets nothing', () => {
    const config = loadFixtureConfig({ opsEmail: undefined, allowSilentAlarms: true });
    expect(config).toMatchObject({
      alertEmails: [],
      alertPhoneNumbers: [],
      opsEmail: null,
      existingTableName: null,
      existingKeyArn: null,
      pollRateMinutes: 1,
      heartbeatPeriodMinutes: 15,
      publisherSweepMinutes: 15,
      logRetentionDays: 30,
    });
  });

  it('reads adaptive schedule thresholds over the defaults and names bad or unknown ones', () => {
    expect(loadFixtureConfig({}).adaptiveSchedule.hotIntervalSec).toBe(240);
    expect(loadFixtureConfig({ adaptiveSchedule: '{"minIntervalSec":60}' }).adaptiveSchedule).toMatchObject({
      minIntervalSec: 60,
      maxIntervalSec: 3600,
    });
    expect(problemsOf({ adaptiveSchedule: { minIntervalSec: 600 } })).toEqual([
      'adaptive schedule: minIntervalSec must not exceed hotIntervalSec',
    ]);
    expect(problemsOf({ adaptiveSchedule: { fastest: 1 } })).toEqual([
      'adaptiveSchedule has unknown thresholds: fastest',
    ]);
    expect(problemsOf({ adaptiveSchedule: '[1]' })[0]).toMatch(/^adaptiveSchedule must be an object/);
  });

  it('accepts -c style strings: comma-separated addresses, JSON lists and numeric strings', () => {
    const config = loadFixtureConfig({
      alertEmails: 'a@example.org, b@example.org',
      alertPhoneNumbers: '["+447700900123"]',
      pollRateMinutes: '10',
      alertFilter: '{"parties":["russia","us"]}',
    });
    expect(config.alertEmails.map((s) => s.address)).toEqual(['a@example.org', 'b@example.org']);
    expect(config.alertPhoneNumbers).toEqual([
      { address: '+447700900123', filter: { parties: ['russia', 'us'] }, digest: 'immediate' },
    ]);
    expect(config.pollRateMinutes).toBe(10);
  });

  it('names a malformed email address and its position', () => {
    expect(problemsOf({ alertEmails: ['ok@example.org', 'not-an-email'] })).toEqual([
      'alertEmails[1] is not a valid email address: "not-an-email"',
    ]);
  });

  it('rejects phone numbers that are not E.164', () => {
    const problems = problemsOf({ alertPhoneNumbers: ['0044 7700 900123', '+1415555', '+14155550100'] });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/alertPhoneNumbers\[0\] must be an E\.164 phone number/);
    expect(problems[1]).toMatch(/alertPhoneNumbers\[1\] must be an E\.164 phone number/);
    expect(problemsOf({ alertPhoneNumbers: ['+1-415-555-0100'] })[0]).toMatch(/E\.164/);
  });

  it('rejects a poll rate that is not a whole number of minutes from 1 to 1440', () => {
    for (const rate of [0, 2.5, 'fast', 1441]) {
      expect(problemsOf({ pollRateMinutes: rate })[0]).toMatch(
        /^pollRateMinutes must be a whole number from 1 to 1440/,
      );
    }
  });

  it('follows a slow poll rate with the heartbeat period and refuses a period shorter than the rate', () => {
    expect(loadFixtureConfig({ pollRateMinutes: 30 }).heartbeatPeriodMinutes).toBe(30);
    expect(problemsOf({ pollRateMinutes: 10, heartbeatPeriodMinutes: 5 })).toEqual([
      'heartbeatPeriodMinutes (5) must not be shorter than pollRateMinutes (10)',
    ]);
  });

  it('rejects a log retention CloudWatch does not offer', () => {
    expect(problemsOf({ logRetentionDays: 10 })[0]).toMatch(/logRetentionDays must be one of 1, 3, 5, 7, 14/);
  });

  it('rejects filters on unknown parties or severities', () => {
    expect(problemsOf({ alertFilter: { parties: ['china'] } })).toEqual([
      'alertFilter.parties has unknown values china; allowed: russia, ukraine, us, europe',
    ]);
    expect(problemsOf({ alertEmails: [{ address: 'a@example.org', filter: { severities: ['urgent'] } }] })[0]).toMatch(
      /alertEmails\[0\]\.filter\.severities has unknown values urgent/,
    );
  });

  it('reports every problem at once and points at missing bundled files', () => {
    const problems = problemsOf({
      alertEmails: ['x'],
      pollRateMinutes: -1,
      storiesDir: 'no/such/stories',
    });
    expect(problems).toHaveLength(3);
    expect(problems[2]).toMatch(/storiesDir points to .*no\/such\/stories, which does not exist/);
  });

  it('refuses a stories directory holding a broken story, naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storywatch-stories-'));
    try {
      copyFileSync(join(FIXTURE_CONTEXT.storiesDir, 'infra-sample.json'), join(dir, 'infra-sample.json'));
      writeFileSync(join(dir, 'no-seed.json'), JSON.stringify({ id: 'no-seed', title: 'T', description: 'D' }));
      expect(problemsOf({ storiesDir: dir })).toEqual([
        expect.stringMatching(/^storiesDir: .*no-seed\.json: seedText must be a non-empty string$/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a feed registry that does not validate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storywatch-feeds-'));
    try {
      const registry = join(dir, 'registry.json');
      writeFileSync(registry, JSON.stringify([{ id: 'x', url: 'ftp://example.org/feed' }]));
      expect(problemsOf({ feedRegistry: registry })).toEqual([
        expect.stringMatching(/^feedRegistry: .*registry\.json/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to synthesize alarms nobody hears unless told so, and names both ways out', () => {
    for (const opsEmail of [undefined, '']) {
      const [problem] = problemsOf({ opsEmail });
      expect(problem).toMatch(/^opsEmail is not set, so every alarm would reach nobody/);
      expect(problem).toContain('-c opsEmail=you@example.org');
      expect(problem).toContain('-c allowSilentAlarms=true');
    }
    expect(loadFixtureConfig({ opsEmail: '', allowSilentAlarms: 'true' }).opsEmail).toBeNull();
    expect(problemsOf({ opsEmail: '', allowSilentAlarms: 'yes' })).toContain(
      'allowSilentAlarms must be true or false, got "yes"',
    );
  });

  it('takes a retained table and key to redeploy onto, and rejects what cannot name them', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(
      loadFixtureConfig({ existingTableName: 'StorywatchData-TableCD117FA1-1ABC', existingKeyArn: keyArn }),
    ).toMatchObject({
      existingTableName: 'StorywatchData-TableCD117FA1-1ABC',
      existingKeyArn: keyArn,
    });
    const problems = problemsOf({ existingTableName: 'no spaces allowed', existingKeyArn: 'alias/storywatch' });
    expect(problems[0]).toMatch(/^existingTableName must be a DynamoDB table name/);
    expect(problems[1]).toMatch(/^existingKeyArn must be a KMS key ARN/);
  });

  it('rejects the same address listed twice', () => {
    expect(problemsOf({ alertEmails: ['a@example.org', 'a@example.org'] })).toEqual([
      'alertEmails lists a@example.org twice',
    ]);
  });
});

describe('infra/app.ts', () => {
  it('exits with the validation message before synthesizing anything when the context is invalid', () => {
    const result = runAppProcess({ alertEmails: ['desk-at-example.org'] });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid storywatch context');
    expect(result.stderr).toContain('alertEmails[0] is not a valid email address: "desk-at-example.org"');
    expect(result.written).toEqual([]);
  });
});
