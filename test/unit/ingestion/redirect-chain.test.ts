import { describe, expect, it } from 'vitest';
import { RedirectChain } from '../../../src/ingestion/http';

function caught(action: () => unknown): { kind?: string; message?: string; details?: unknown } {
  try {
    action();
  } catch (error) {
    return error as { kind: string; message: string; details: unknown };
  }
  throw new Error('expected a FeedError');
}

describe('RedirectChain', () => {
  it('resolves relative locations against the current URL', () => {
    const chain = new RedirectChain('https://feeds.example.org/a/rss', 5);
    expect(chain.follow(302, '../b/rss?x=1').href).toBe('https://feeds.example.org/b/rss?x=1');
  });

  it('refuses a downgrade from https to http', () => {
    const chain = new RedirectChain('https://feeds.example.org/rss', 5);
    expect(caught(() => chain.follow(301, 'http://feeds.example.org/rss'))).toMatchObject({
      kind: 'insecure_redirect',
    });
  });

  it('allows an upgrade from http to https', () => {
    const chain = new RedirectChain('http://feeds.example.org/rss', 5);
    expect(chain.follow(301, 'https://feeds.example.org/rss').protocol).toBe('https:');
  });

  it('detects a loop back to any earlier URL, ignoring fragments', () => {
    const chain = new RedirectChain('https://a.example/rss', 5);
    chain.follow(302, 'https://b.example/rss');
    expect(caught(() => chain.follow(302, 'https://a.example/rss#again'))).toMatchObject({ kind: 'redirect_loop' });
  });

  it('allows exactly the configured number of hops', () => {
    const chain = new RedirectChain('https://a.example/0', 2);
    chain.follow(302, '/1');
    chain.follow(302, '/2');
    expect(caught(() => chain.follow(302, '/3'))).toMatchObject({ kind: 'too_many_redirects' });
  });

  it('refuses every redirect when the limit is 0', () => {
    const chain = new RedirectChain('https://a.example/rss', 0);
    expect(caught(() => chain.follow(301, '/elsewhere'))).toMatchObject({
      kind: 'too_many_redirects',
      message: expect.stringMatching(/disabled/),
    });
  });

  it('refuses non-http schemes in Location', () => {
    const chain = new RedirectChain('https://a.example/rss', 5);
    expect(caught(() => chain.follow(302, 'file:///etc/passwd'))).toMatchObject({ kind: 'invalid_url' });
  });

  it('records the permanent target only while every hop so far was 301 or 308', () => {
    const permanent = new RedirectChain('https://a.example/rss', 5);
    permanent.follow(301, 'https://b.example/rss');
    permanent.follow(308, 'https://c.example/rss');
    expect(permanent.permanentUrl).toBe('https://c.example/rss');

    const broken = new RedirectChain('https://a.example/rss', 5);
    broken.follow(301, 'https://b.example/rss');
    broken.follow(302, 'https://c.example/rss');
    broken.follow(301, 'https://d.example/rss');
    expect(broken.permanentUrl).toBe('https://b.example/rss');

    const temporary = new RedirectChain('https://a.example/rss', 5);
    temporary.follow(307, 'https://b.example/rss');
    expect(temporary.permanentUrl).toBeNull();
  });
});
