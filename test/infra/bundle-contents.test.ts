import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_NAMES, type HandlerName, PROJECT_ROOT } from '../../infra/handlers';
import { bundleHandler } from '../../scripts/measure-bundles';

/** What each function's bundle carries, from esbuild's metafile: what ends up in a cold start is what it imports. */
let outdir: string;
const packagesOf = new Map<HandlerName, string[]>();

beforeAll(async () => {
  mkdirSync(join(PROJECT_ROOT, '.storywatch'), { recursive: true });
  outdir = mkdtempSync(join(PROJECT_ROOT, '.storywatch', 'test-bundles-'));
  for (const handler of HANDLER_NAMES) {
    packagesOf.set(handler, (await bundleHandler(handler, outdir)).bundledPackages);
  }
}, 60_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

const FEED_PARSER = ['rss-parser', 'xml2js', 'sax'];
/** The Atom generator of the hosted story site; its XML library (xml-js) brings sax along. */
const FEED_WRITER = ['feed', 'xml-js', 'sax'];
const SITE_PUBLISHERS: HandlerName[] = ['analyzer', 'publisher'];

describe('bundle contents', () => {
  it('puts the feed parser only into the poller and the WebSub callback, the two functions that parse feeds', () => {
    const parsing: HandlerName[] = ['poller', 'websub'];
    for (const handler of parsing) expect(packagesOf.get(handler)).toEqual(expect.arrayContaining(FEED_PARSER));
    for (const handler of HANDLER_NAMES.filter((name) => !parsing.includes(name))) {
      const parser = FEED_PARSER.filter((name) => !(SITE_PUBLISHERS.includes(handler) && FEED_WRITER.includes(name)));
      expect(packagesOf.get(handler)?.filter((name) => parser.includes(name))).toEqual([]);
    }
  });

  it('puts the Atom generator only into the functions that publish the story site', () => {
    for (const handler of HANDLER_NAMES) {
      const writer = packagesOf.get(handler)?.filter((name) => name === 'feed' || name === 'xml-js');
      expect(writer).toEqual(SITE_PUBLISHERS.includes(handler) ? ['feed', 'xml-js'] : []);
    }
  });

  it('leaves every AWS SDK package to the runtime', () => {
    for (const handler of HANDLER_NAMES) {
      expect(packagesOf.get(handler)?.filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
    }
  });
});
