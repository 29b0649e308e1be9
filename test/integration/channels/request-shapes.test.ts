import { webcrypto } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../../src/channels/channel';
import type { ChannelSpec } from '../../../src/channels/config';
import { ChannelError, createJsonPoster } from '../../../src/channels/http-post';
import { createAlertDescriber } from '../../../src/tracking/describe';
import { sampleAlert } from '../../support/channel-alerts';
import { type ChannelReceiver, startChannelReceiver } from '../../support/channel-receiver';

const now = new Date('2025-03-17T09:30:00.000Z');
const clock = { now: () => now };
const describeAlert = createAlertDescriber([
  { id: 'ceasefire-2025', title: 'Ceasefire talks', parties: [{ id: 'russia', name: 'Russia' }] },
]);
const post = createJsonPoster({ allowPrivateNetwork: true, timeoutMs: 2000 });
let receiver: ChannelReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const spec = (type: ChannelSpec['type'], url: string, secret: string | null = null): ChannelSpec => ({
  id: type,
  type,
  url,
  secret,
  filter: {},
  digest: 'immediate',
});

/** The receiver's side of the contract, written with WebCrypto rather than the sender's node:crypto HMAC. */
async function verifySignature(secret: string, timestamp: string, body: string, header: string): Promise<boolean> {
  const key = await webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const hex = header.replace(/^sha256=/, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const bytes = Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  return webcrypto.subtle.verify('HMAC', key, bytes, new TextEncoder().encode(`${timestamp}.${body}`));
}

describe('channel request shapes', () => {
  it('posts a Slack Block Kit message whose texts are plain and whose link is a button', async () => {
    receiver = await startChannelReceiver('slack');
    const alert = sampleAlert({ evidence: { ...sampleAlert().evidence, quote: 'No <!channel> deal, *ever*' } });
    await createChannel(spec('slack', `${receiver.url}/services/T0/B0/secret`), {
      post,
      clock,
      describe: describeAlert,
    }).deliver(alert);

    const [request] = receiver.received;
    expect(request?.path).toBe('/services/T0/B0/secret');
    expect(request?.headers['content-type']).toBe('application/json');
    const message = JSON.parse(request?.body ?? '{}');
    expect(message.text).toContain('Russia: conditional → opposes');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Russia: conditional → opposes', emoji: false },
    });
    const texts = JSON.stringify(message.blocks);
    expect(texts).not.toContain('mrkdwn');
    expect(texts).toContain('No deal, *ever*');
    expect(texts).not.toContain('<!channel>');
    const actions = message.blocks.find((block: { type: string }) => block.type === 'actions');
    expect(actions.elements[0].url).toBe(alert.evidence.link);
  });

  it('posts a Teams Adaptive Card with escaped markdown and the source as an OpenUrl action', async () => {
    receiver = await startChannelReceiver('teams');
    const alert = sampleAlert({ evidence: { ...sampleAlert().evidence, quote: 'see [this](javascript:alert(1))' } });
    await createChannel(spec('teams', `${receiver.url}/workflows/abc`), {
      post,
      clock,
      describe: describeAlert,
    }).deliver(alert);

    const message = JSON.parse(receiver.received[0]?.body ?? '{}');
    expect(message.type).toBe('message');
    const attachment = message.attachments[0];
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content.type).toBe('AdaptiveCard');
    expect(attachment.content.body[0].text).toContain('Russia: conditional → opposes');
    const quote = attachment.content.body.find((block: { isSubtle?: boolean }) => block.isSubtle);
    expect(quote.text).toContain('\\[this\\]\\(javascript:alert\\(1\\)\\)');
    expect(attachment.content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the source', url: alert.evidence.link },
    ]);
  });

  it('signs a webhook body so an independent HMAC check accepts it and a tampered body fails', async () => {
    receiver = await startChannelReceiver('webhook');
    const alert = sampleAlert();
    await createChannel(spec('webhook', `${receiver.url}/hook`, 'hook-secret-1'), {
      post,
      clock,
      describe: describeAlert,
    }).deliver(alert);

    const request = receiver.received[0];
    const timestamp = String(request?.headers['x-storywatch-timestamp']);
    const signature = String(request?.headers['x-storywatch-signature']);
    expect(request?.headers['idempotency-key']).toBe(alert.id);
    expect(timestamp).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(await verifySignature('hook-secret-1', timestamp, request?.body ?? '', signature)).toBe(true);
    expect(await verifySignature('another-secret', timestamp, request?.body ?? '', signature)).toBe(false);
    expect(await verifySignature('hook-secret-1', timestamp, `${request?.body} `, signature)).toBe(false);
    const body = JSON.parse(request?.body ?? '{}');
    expect(body).toMatchObject({ type: 'storywatch.alert', version: 1, headline: 'Russia: conditional → opposes' });
    expect(body.alert.id).toBe(alert.id);
    expect(body.alert.evidence.quote).toBe(alert.evidence.quote);
  });
});

describe('channel transport', () => {
  it('refuses a loopback destination unless the private network is allowed', async () => {
    receiver = await startChannelReceiver('webhook');
    const guarded = createJsonPoster({ allowPrivateNetwork: false });
    await expect(guarded(`${receiver.url.replace('http:', 'https:')}/hook`, '{}')).rejects.toThrow(/loopback/);
    await expect(guarded(`${receiver.url}/hook`, '{}')).rejects.toThrow(/must be https/);
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses the cloud metadata address even with the private network allowed', async () => {
    await expect(post('http://169.254.169.254/latest', '{}')).rejects.toThrow(/link-local/);
  });

  it('reports a refusal as permanent and an outage as worth retrying, naming the host and not the path', async () => {
    receiver = await startChannelReceiver('slack');
    receiver.failNext(1, 503);
    const outage = await post(`${receiver.url}/services/secret-path`, '{}').catch((error: ChannelError) => error);
    expect(outage).toBeInstanceOf(ChannelError);
    expect((outage as ChannelError).permanent).toBe(false);
    expect((outage as ChannelError).message).not.toContain('secret-path');
    receiver.failNext(1, 404);
    const revoked = await post(`${receiver.url}/services/secret-path`, '{}').catch((error: ChannelError) => error);
    expect((revoked as ChannelError).permanent).toBe(true);
  });
});
