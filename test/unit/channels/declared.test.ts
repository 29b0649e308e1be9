import { describe, expect, it } from 'vitest';
import { parseDeclaredChannels, secretSourcesOf } from '../../../src/channels/declared';
import { channelsByPublisher, declaredChannels } from '../../../src/config/env';

describe('declared channels (the channels context key)', () => {
  it('reads where each value is kept, numbers repeated types and keeps the filters', () => {
    const channels = parseDeclaredChannels([
      { type: 'slack', urlFrom: { secret: 'storywatch/slack-url' }, severities: ['high'] },
      { type: 'slack', urlFrom: { parameter: '/storywatch/slack-2' }, parties: ['russia'] },
      { id: 'hook', type: 'webhook', url: 'https://hooks.example.com/in', secretFrom: { parameter: 'hook-key' } },
    ]);
    expect(channels).toEqual([
      {
        id: 'slack',
        type: 'slack',
        urlFrom: { secret: 'storywatch/slack-url' },
        filter: { severities: ['high'] },
        digest: 'immediate',
      },
      {
        id: 'slack-2',
        type: 'slack',
        urlFrom: { parameter: '/storywatch/slack-2' },
        filter: { parties: ['russia'] },
        digest: 'immediate',
      },
      {
        id: 'hook',
        type: 'webhook',
        url: 'https://hooks.example.com/in',
        secretFrom: { parameter: 'hook-key' },
        filter: {},
        digest: 'immediate',
      },
    ]);
    expect(parseDeclaredChannels(undefined)).toEqual([]);
  });

  it('takes "digest": "daily" beside immediate channels', () => {
    const channels = parseDeclaredChannels([
      { type: 'teams', urlFrom: { secret: 'teams-url' }, digest: 'daily' },
      { type: 'teams', urlFrom: { secret: 'teams-url' } },
    ]);
    expect(channels.map((channel) => [channel.id, channel.digest])).toEqual([
      ['teams', 'daily'],
      ['teams-2', 'immediate'],
    ]);
  });

  it('lists each place a value is read from once, for the grants', () => {
    const channels = parseDeclaredChannels([
      { type: 'teams', urlFrom: { secret: 'shared' } },
      { type: 'webhook', urlFrom: { secret: 'shared' }, secretFrom: { parameter: '/k' } },
    ]);
    expect(secretSourcesOf(channels)).toEqual([{ secret: 'shared' }, { parameter: '/k' }]);
  });

  it.each([
    [{ type: 'slack', url: 'https://hooks.slack.com/services/x' }, 'channels[0].url: a slack webhook URL is a secret'],
    [{ type: 'slack' }, 'channels[0].urlFrom: missing'],
    [{ type: 'slack', urlFrom: 'storywatch/x' }, 'channels[0].urlFrom: give {"secret"'],
    [{ type: 'slack', urlFrom: { secret: 'a', parameter: 'b' } }, 'channels[0].urlFrom: give'],
    [{ type: 'slack', urlFrom: { secret: 'https://hooks.slack.com/services/T/B/x' } }, 'that is the value itself'],
    [{ type: 'slack', urlFrom: { secret: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' } }, 'not the ARN'],
    [{ type: 'slack', urlFrom: { parameter: 'has space' } }, 'channels[0].urlFrom.parameter: not a valid name'],
    [{ type: 'slack', urlEnv: 'SLACK_URL' }, 'channels[0].urlEnv: unknown key (in the deploy, name where'],
    [{ type: 'webhook', url: 'https://x.example', signingKey: 'k' }, 'secrets never go in the context'],
    [{ type: 'webhook', url: 'https://x.example' }, 'channels[0].secretFrom: a webhook is signed'],
    [{ type: 'webhook', url: 'http://x.example', secretFrom: { secret: 's' } }, 'channels[0].url: must be https'],
    [{ type: 'teams', urlFrom: { secret: 's' }, secretFrom: { secret: 't' } }, 'only a webhook is signed'],
    [{ type: 'pager', urlFrom: { secret: 's' } }, 'channels[0].type: must be one of slack, teams, webhook'],
    [{ type: 'teams', urlFrom: { secret: 's' }, severities: ['urgent'] }, 'unknown severity "urgent"'],
    [{ type: 'teams', urlFrom: { secret: 's' }, digest: 'hourly' }, 'channels[0].digest: "digest" is not valid'],
  ])('refuses %j, naming the field', (entry, message) => {
    expect(() => parseDeclaredChannels([entry])).toThrow(message);
  });

  it('refuses a value that is not a list, and two channels with one id', () => {
    expect(() => parseDeclaredChannels({ type: 'slack' })).toThrow('channels: must be a list');
    expect(() =>
      parseDeclaredChannels([
        { type: 'teams', urlFrom: { secret: 'a' } },
        { type: 'teams', id: 'teams', urlFrom: { secret: 'b' } },
      ]),
    ).toThrow('two channels have the id "teams"');
  });
});

describe('the channel environment of the functions', () => {
  it('reads the declarations the stack passes and fails loudly when they are missing or broken', () => {
    const json = JSON.stringify([{ id: 's', type: 'slack', urlFrom: { secret: 'x' } }]);
    expect(declaredChannels({ STORYWATCH_CHANNELS: json })).toMatchObject([{ id: 's', urlFrom: { secret: 'x' } }]);
    expect(declaredChannels({ STORYWATCH_CHANNELS: '[]' })).toEqual([]);
    expect(() => declaredChannels({})).toThrow('STORYWATCH_CHANNELS is not set');
    expect(() => declaredChannels({ STORYWATCH_CHANNELS: '[{' })).toThrow('must be a JSON list');
    expect(() => declaredChannels({ STORYWATCH_CHANNELS: '[{"type":"slack"}]' })).toThrow(
      'STORYWATCH_CHANNELS[0].urlFrom: missing',
    );
  });

  it('tells the analyzer whether the publisher delivers to channels', () => {
    expect(channelsByPublisher({ STORYWATCH_CHANNEL_DELIVERY: 'publisher' })).toBe(true);
    expect(channelsByPublisher({ STORYWATCH_CHANNEL_DELIVERY: 'none' })).toBe(false);
    expect(() => channelsByPublisher({})).toThrow('STORYWATCH_CHANNEL_DELIVERY is not set');
    expect(() => channelsByPublisher({ STORYWATCH_CHANNEL_DELIVERY: 'yes' })).toThrow('"publisher" or "none"');
  });
});
