import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedAddress } from './address-guard';

/**
 * Connections kept open between the polls of one batch, so feeds on one host share a TCP (and TLS) connection
 * instead of paying for a handshake each. One agent per scheme, host, port and checked address: a socket is only
 * reused for the host name it was opened for, at the address the guard passed for that name, so pooling never
 * lets a request skip the address guard. `close()` ends the batch; a container frozen between invocations must
 * not come back to sockets the far end has long since closed.
 */
export class ConnectionPool {
  private readonly agents = new Map<string, HttpAgent>();

  agentFor(url: URL, pinned: ResolvedAddress): HttpAgent {
    const key = `${url.protocol}//${url.host} ${pinned.address}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      // lifo: the most recently used socket is the one least likely to have been closed by the server.
      const options = { keepAlive: true, scheduling: 'lifo' as const };
      agent = url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection; the next request opens new ones. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
