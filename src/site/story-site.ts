import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { feedFileNames, renderStoryFeeds } from '../feeds/story-feeds';
import { collectReportData, type ReportSource, type ReportStory } from '../report/collect';
import { REPORT_CSP_HEADER, renderReport } from '../report/render-report';

/** The report's own policy (its meta tag), sent as a header too, with the headers the hosted page gets. */
export const SITE_HEADERS = {
  'content-security-policy': REPORT_CSP_HEADER,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
} as const;

export interface StorySiteOptions {
  store: ReportSource;
  story: ReportStory;
  /** 0: any free port. Always bound to 127.0.0.1. */
  port: number;
  clock?: { now(): Date };
}

export interface StorySite {
  url: string;
  close(): Promise<void>;
}

type Page = { type: string; body: string };

/** Every request renders from the store, so the page and feeds show each commit as soon as it is made. */
async function pageFor(path: string, options: StorySiteOptions): Promise<Page | null> {
  const names = feedFileNames(options.story.id);
  const known = new Set(['/', '/index.html', `/${names.changes}`, `/${names.followUps}`]);
  if (!known.has(path)) return null;
  const now = (options.clock ?? { now: () => new Date() }).now();
  const data = await collectReportData(options.store, options.story, { until: now });
  const links = { page: '/', changes: `/${names.changes}`, followUps: `/${names.followUps}` };
  if (path === '/' || path === '/index.html') {
    return { type: 'text/html; charset=utf-8', body: renderReport(data, { feeds: links }) };
  }
  const feeds = renderStoryFeeds(data, links);
  return {
    type: 'application/atom+xml; charset=utf-8',
    body: path.endsWith(names.changes) ? feeds.changes : feeds.followUps,
  };
}

function answer(response: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  response.writeHead(status, { ...SITE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}

async function handle(request: IncomingMessage, response: ServerResponse, options: StorySiteOptions): Promise<void> {
  const head = request.method === 'HEAD';
  if (request.method !== 'GET' && !head) return answer(response, 405, 'text/plain', 'GET only\n', false);
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  try {
    const page = await pageFor(path, options);
    if (!page) return answer(response, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    answer(response, 200, page.type, page.body, head);
  } catch (error) {
    answer(response, 500, 'text/plain; charset=utf-8', `cannot read the store: ${(error as Error).message}\n`, head);
  }
}

/** Serves the story's report page and its two Atom feeds on loopback. */
export async function startStorySite(options: StorySiteOptions): Promise<StorySite> {
  const server: Server = createServer((request, response) => void handle(request, response, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
