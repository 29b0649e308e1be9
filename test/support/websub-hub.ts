/**
 * A WebSub hub on 127.0.0.1 that speaks the W3C wire format, for tests and the latency bench: it takes
 * form-encoded subscription requests, answers 202, verifies intent with a GET to the callback (hub.challenge must
 * come back), and delivers published content by POST with `X-Hub-Signature: sha256=<HMAC>` and Link headers.
 * Knobs make it misbehave the ways real hubs do: wrong or missing signatures, short leases, denials, silence.
 *
 *   const hub = await startLoopbackHub({ leaseSeconds: 3600 });
 *   ...subscribe with hub.url...
 *   await hub.verified(topic);
 *   await hub.publish(topic, rssText, 'application/rss+xml');
 *   await hub.close();
 */
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubSubscription {
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number;
  verifiedAt: number;
}

export type SignatureBehaviour = 'valid' | 'wrong' | 'missing';

export interface LoopbackHubOptions {
  /** Lease granted, whatever the subscriber asked. Default: what it asked, else 1 day. */
  leaseSeconds?: number;
  /** 'silent' never verifies (a hub that accepted and forgot); 'deny' sends hub.mode=denied. */
  verification?: 'normal' | 'silent' | 'deny';
  signatures?: SignatureBehaviour;
}

export interface LoopbackHub {
  url: string;
  options: LoopbackHubOptions;
  /** Subscription requests received, in order. */
  readonly requests: URLSearchParams[];
  subscriptions(topic?: string): HubSubscription[];
  /** Resolves once `topic` has a verified subscriber (or `count` of them). */
  verified(topic: string, count?: number): Promise<void>;
  /** Delivers to every verified subscriber of the topic; the callbacks' status codes. */
  publish(topic: string, body: string | Uint8Array, contentType: string): Promise<number[]>;
  close(): Promise<void>;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function signature(behaviour: SignatureBehaviour, secret: string | null, body: Uint8Array): string | null {
  if (behaviour === 'missing' || secret === null) return null;
  const key = behaviour === 'wrong' ? `${secret}-not` : secret;
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/** Tells the subscriber its request was denied (a GET with hub.mode=denied); its answer does not matter. */
async function sendDenial(callback: URL, topic: string): Promise<void> {
  callback.searchParams.set('hub.mode', 'denied');
  callback.searchParams.set('hub.topic', topic);
  callback.searchParams.set('hub.reason', 'this hub only serves its own publishers');
  await fetch(callback).catch(() => undefined);
}

/** Whether the subscriber answered the verification GET with a 2xx whose body is the challenge. */
async function echoesChallenge(callback: URL, challenge: string): Promise<boolean> {
  const answer = await fetch(callback).catch(() => null);
  if (!answer || answer.status < 200 || answer.status > 299) return false;
  return (await answer.text()) === challenge;
}

export async function startLoopbackHub(options: LoopbackHubOptions = {}): Promise<LoopbackHub> {
  const requests: URLSearchParams[] = [];
  const active: HubSubscription[] = [];
  const waiters: (() => void)[] = [];
  let url = '';

  /** Adds the verified subscription, or renews the one with the same callback and topic, and wakes the waiters. */
  function remember(entry: HubSubscription): void {
    const existing = active.findIndex((known) => known.callback === entry.callback && known.topic === entry.topic);
    if (existing >= 0) active[existing] = entry;
    else active.push(entry);
    for (const wake of waiters.splice(0)) wake();
  }

  async function verify(form: URLSearchParams): Promise<void> {
    const topic = form.get('hub.topic') ?? '';
    const callback = new URL(form.get('hub.callback') ?? '');
    if (options.verification === 'silent') return;
    if (options.verification === 'deny') return sendDenial(callback, topic);
    const challenge = randomBytes(12).toString('hex');
    const leaseSeconds = options.leaseSeconds ?? (Number(form.get('hub.lease_seconds')) || 86_400);
    callback.searchParams.set('hub.mode', 'subscribe');
    callback.searchParams.set('hub.topic', topic);
    callback.searchParams.set('hub.challenge', challenge);
    callback.searchParams.set('hub.lease_seconds', String(leaseSeconds));
    if (!(await echoesChallenge(callback, challenge))) return;
    remember({
      topic,
      callback: form.get('hub.callback') ?? '',
      secret: form.get('hub.secret'),
      leaseSeconds,
      verifiedAt: Date.now(),
    });
  }

  const server = createServer((request, response) => {
    readForm(request).then((form) => {
      requests.push(form);
      const mode = form.get('hub.mode');
      if (request.method !== 'POST' || mode !== 'subscribe' || !form.get('hub.topic') || !form.get('hub.callback')) {
        response.writeHead(400).end('bad subscription request');
        return;
      }
      response.writeHead(202).end();
      // Verification happens after the 202, as the Recommendation has it.
      setImmediate(() => void verify(form));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const subscriptions = (topic?: string) => active.filter((entry) => topic === undefined || entry.topic === topic);
  return {
    url,
    options,
    requests,
    subscriptions,
    async verified(topic, count = 1) {
      while (subscriptions(topic).length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async publish(topic, body, contentType) {
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
      const statuses: number[] = [];
      for (const entry of subscriptions(topic)) {
        const headers: Record<string, string> = {
          'content-type': contentType,
          link: `<${url}>; rel="hub", <${topic}>; rel="self"`,
        };
        const signed = signature(options.signatures ?? 'valid', entry.secret, bytes);
        if (signed) headers['x-hub-signature'] = signed;
        const answer = await fetch(entry.callback, { method: 'POST', headers, body: bytes });
        await answer.arrayBuffer();
        statuses.push(answer.status);
      }
      return statuses;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
