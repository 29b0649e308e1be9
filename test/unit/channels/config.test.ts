import { describe, expect, it } from 'vitest';
import { ChannelConfigError, parseChannelsFile, resolveChannelEntry } from '../../../src/channels/config';
import { afterFailure, firstDelivery, isDue } from '../../../src/channels/delivery-policy';
import { matchesFilter } from '../../../src/channels/filter';
import { sampleAlert } from '../../support/channel-alerts';

const parse = (value: unknown) => parseChannelsFile(JSON.stringify(value));

describe('channels file', () => {
  it('reads the example from the issue and numbers repeated types', () => {
    const entries = parse([
      { type: 'webhook', url: 'https://hooks.example.com/in', secretEnv: 'HOOK_SECRET' },
      { type: 'slack', urlEnv: 'SLACK_URL', severities: ['high'] },
      { type: 'slack', urlEnv: 'SLACK_URL_2', parties: ['russia'], digest: 'immediate' },
    ]);
    expect(entries.map((entry) => entry.id)).toEqual(['webhook', 'slack', 'slack-2']);
    expect(entries[2]).toMatchObject({ filter: { parties: ['russia'] }, digest: 'immediate' });
  });

  it('takes "digest": "daily", and "immediate" when it is left out', () => {
    const entries = parse([
      { type: 'slack', urlEnv: 'SLACK_URL', digest: 'daily', parties: ['russia'] },
      { type: 'webhook', url: 'https://hooks.example.com/in', secretEnv: 'HOOK_SECRET' },
    ]);
    expect(entries.map((entry) => [entry.id, entry.digest])).toEqual([
      ['slack', 'daily'],
      ['webhook', 'immediate'],
    ]);
    const [slack] = entries;
    if (!slack) throw new Error('no entry');
    expect(resolveChannelEntry(slack, { SLACK_URL: 'https://hooks.slack.com/services/x' }).digest).toBe('daily');
  });

  it('takes secrets from the named env vars only and says which one is missing', () => {
    const [hook] = parse([{ type: 'webhook', url: 'https://hooks.example.com/in', secretEnv: 'HOOK_SECRET' }]);
    if (!hook) throw new Error('no entry');
    expect(resolveChannelEntry(hook, { HOOK_SECRET: 'abc' }).secret).toBe('abc');
    expect(() => resolveChannelEntry(hook, {})).toThrow(/HOOK_SECRET is not set/);
  });

  it.each([
    [{ type: 'slack', url: 'https://hooks.slack.com/services/x' }, /secret; name its env var/],
    [{ type: 'webhook', url: 'https://x.example', secret: 'inline' }, /secrets never go in the file/],
    [{ type: 'webhook', url: 'https://x.example' }, /needs "secretEnv"/],
    [{ type: 'pager', urlEnv: 'X' }, /"type" must be one of/],
    [{ type: 'teams', urlEnv: 'X', severities: ['urgent'] }, /unknown severity "urgent"/],
    [{ type: 'teams', urlEnv: 'X', id: 'notifier' }, /reserved/],
    [{ type: 'teams', urlEnv: 'lower-case-not-ok' }, /"urlEnv" is not valid/],
    [{ type: 'slack', urlEnv: 'SLACK_URL', digest: 'weekly' }, /"digest" is not valid: "weekly"/],
  ])('refuses %j', (entry, message) => {
    expect(() => parse([entry])).toThrow(message);
  });

  it('refuses two channels with one id and a file that is not an array', () => {
    expect(() =>
      parse([
        { type: 'teams', urlEnv: 'A', id: 'ops' },
        { type: 'slack', urlEnv: 'B', id: 'ops' },
      ]),
    ).toThrow(/two channels have the id "ops"/);
    expect(() => parseChannelsFile('{"type":"slack"}')).toThrow(ChannelConfigError);
    expect(() => parseChannelsFile('[')).toThrow(/not JSON/);
  });
});

describe('channel filters and retries', () => {
  it('matches like an SNS filter policy: empty lists match everything', () => {
    const alert = sampleAlert({ party: 'russia', severity: 'low' });
    expect(matchesFilter({}, alert)).toBe(true);
    expect(matchesFilter({ parties: ['russia'], severities: [] }, alert)).toBe(true);
    expect(matchesFilter({ severities: ['high'] }, alert)).toBe(false);
    expect(matchesFilter({ parties: ['ukraine'] }, alert)).toBe(false);
  });

  it('doubles the wait after each failure and parks after the last attempt', () => {
    const now = new Date('2025-03-17T00:00:00.000Z');
    const policy = { baseDelayMs: 1000, maxDelayMs: 3000, maxAttempts: 4 };
    let delivery = firstDelivery('a', 'slack');
    const waits: number[] = [];
    for (let failure = 0; failure < 3; failure += 1) {
      delivery = afterFailure(delivery, 'HTTP 503', now, policy);
      waits.push(Date.parse(delivery.nextAttemptAt ?? '') - now.getTime());
      expect(isDue(delivery, now)).toBe(false);
    }
    expect(waits).toEqual([1000, 2000, 3000]);
    delivery = afterFailure(delivery, 'HTTP 503', now, policy);
    expect(delivery).toMatchObject({ status: 'parked', attempts: 4, lastError: 'HTTP 503' });
    expect(isDue(delivery, new Date('2030-01-01T00:00:00.000Z'))).toBe(false);
  });
});
