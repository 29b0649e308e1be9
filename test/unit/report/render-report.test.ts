import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { escapeHtml, REPORT_CSP, REPORT_CSP_HEADER, renderReport, safeHref } from '../../../src/report/render-report';
import { buildLanes, type ReportData } from '../../../src/report/report-data';

function loadFixture(): ReportData {
  const url = new URL('../../fixtures/report/hostile-report-data.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as ReportData;
}

/** Control and bidi characters (the line break and tab aside, which HTML source uses). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the test's point.
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function matchesOf(html: string, pattern: RegExp): string[] {
  return [...html.matchAll(pattern)].map((match) => match[1] ?? '');
}

describe('renderReport', () => {
  it('draws exactly one lane per party, in the order the story lists them', () => {
    const data = loadFixture();
    const html = renderReport(data);
    expect(matchesOf(html, /<div class="lane" data-party="([^"]*)"/g)).toEqual(data.parties.map((party) => party.id));
  });

  it('escapes markup in feed titles, summaries, quotes and party names instead of emitting it', () => {
    const html = renderReport(loadFixture());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<i>Council/);
    expect(html).toContain('&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt; Dockers walk out');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('City &lt;i&gt;Council&lt;/i&gt;');
    expect(html).toContain('Harbour strike &lt;b&gt;talks&lt;/b&gt; &amp; &quot;arbitration&quot;');
  });

  it('leaves no control or bidi characters from stored text in the report', () => {
    const data = loadFixture();
    const [first] = data.history;
    if (first?.evidence) first.evidence.quote = 'We reject \u001b[2Jthe \u202eoffer\u202c\u0007 now';
    data.story.title = 'Harbour\u0085 strike\u2066 talks\u2069';
    const html = renderReport(data);
    expect(html).toContain('We reject [2Jthe offer now');
    expect(html).toContain('Harbour strike talks');
    expect(html).not.toMatch(UNPRINTABLE);
  });

  it('never turns a javascript: link from a feed into an href', () => {
    const html = renderReport(loadFixture());
    expect(html).not.toMatch(/href="javascript:/i);
    const hrefs = matchesOf(html, /href="([^"]*)"/g);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
  });

  it('marks each label change on its lane and links it to the evidence article when the link is safe', () => {
    const html = renderReport(loadFixture());
    const unionMarkers = matchesOf(html, /<(a|span)[^>]*class="change-point" data-party="union"/g);
    const operatorMarkers = matchesOf(html, /<(a|span)[^>]*class="change-point" data-party="operators"/g);
    const cityMarkers = matchesOf(html, /<(a|span)[^>]*class="change-point" data-party="city"/g);
    // The operators' conditions-only change is not a label change, so it gets no marker of its own.
    expect(unionMarkers).toEqual(['a']);
    expect(operatorMarkers).toEqual(['span']);
    expect(cityMarkers).toEqual([]);
    expect(html).toMatch(
      /<a href="https:\/\/quayside\.example\.org\/2031\/02\/10\/walkout" rel="noopener noreferrer" class="change-point"/,
    );
  });

  it('loads nothing from outside the file: no scripts, stylesheets, fonts or remote images', () => {
    const html = renderReport(loadFixture());
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<[a-z][^>]*\ssrc=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('styles both colour schemes and stacks the lanes on narrow screens', () => {
    const html = renderReport(loadFixture());
    expect(html).toContain('@media (prefers-color-scheme:dark)');
    expect(html).toMatch(/@media \(max-width:\d+px\)/);
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
  });

  it('lists the story without crashing when nothing has been stored yet', () => {
    const data: ReportData = { ...loadFixture(), history: [], followUps: [], alerts: [], currentStances: [] };
    const html = renderReport(data);
    expect(matchesOf(html, /<div class="lane" data-party="([^"]*)"/g)).toHaveLength(3);
    expect(html).toContain('No stance has changed yet.');
    expect(html).toContain('No follow-ups stored yet.');
    expect(html).toContain('No alerts.');
  });
});

describe('buildLanes', () => {
  it('splits a lane into periods at each label change, starting from the label before the first change', () => {
    const lanes = buildLanes(loadFixture());
    const union = lanes.find((lane) => lane.party.id === 'union');
    expect(union?.periods).toEqual([
      { label: 'supports', start: '2031-02-01T00:00:00.000Z', end: '2031-02-10T09:00:00Z' },
      { label: 'opposes', start: '2031-02-10T09:00:00Z', end: '2031-03-01T00:00:00Z' },
    ]);
  });

  it('ignores conditions-only changes when drawing periods', () => {
    const lanes = buildLanes(loadFixture());
    const operators = lanes.find((lane) => lane.party.id === 'operators');
    expect(operators?.periods.map((period) => period.label)).toEqual(['conditional', 'supports']);
    expect(operators?.changes.map((change) => change.at)).toEqual(['2031-02-20T15:30:00Z']);
  });

  it('takes the current label for a party that never changed', () => {
    const data = loadFixture();
    data.currentStances = [
      {
        storyId: data.story.id,
        party: 'city',
        label: 'conditional',
        confidence: 0.7,
        since: '2031-02-01T00:00:00Z',
        conditions: [],
        evidence: [],
        pending: [],
        observedUntil: '2031-02-01T00:00:00Z',
        lastChangeAt: null,
        version: 0,
      },
    ];
    const city = buildLanes(data).find((lane) => lane.party.id === 'city');
    expect(city?.periods).toEqual([
      { label: 'conditional', start: '2031-02-01T00:00:00.000Z', end: '2031-03-01T00:00:00Z' },
    ]);
  });
});

describe("the report's policy and feed links", () => {
  it('declares REPORT_CSP in its meta tag, and the header form adds only frame-ancestors', () => {
    const html = renderReport(loadFixture());
    expect(matchesOf(html, /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)).toEqual([REPORT_CSP]);
    expect(REPORT_CSP_HEADER).toBe(`${REPORT_CSP}; frame-ancestors 'none'`);
  });

  it('links both Atom feeds in the head and visibly when it knows where they are', () => {
    const feeds = { changes: 'harbour.changes.atom', followUps: 'https://example.org/s/harbour.follow-ups.atom' };
    const html = renderReport(loadFixture(), { feeds });
    const head = html.slice(0, html.indexOf('</head>'));
    expect(
      matchesOf(head, /<link rel="alternate" type="application\/atom\+xml" title="[^"]+" href="([^"]*)">/g),
    ).toEqual([feeds.changes, feeds.followUps]);
    expect(matchesOf(html, /<a class="feed-link" type="application\/atom\+xml" href="([^"]*)">/g)).toEqual([
      feeds.changes,
      feeds.followUps,
    ]);
  });

  it('escapes a feed address and links no feed when it is not told of any', () => {
    const html = renderReport(loadFixture(), { feeds: { changes: 'a"><script>x', followUps: 'b.atom' } });
    expect(html).not.toContain('<script>x');
    expect(html).toContain('href="a&quot;&gt;&lt;script&gt;x"');
    const plain = renderReport(loadFixture());
    expect(plain).not.toContain('rel="alternate"');
    expect(plain).not.toContain('feed-link');
  });
});

describe('escaping helpers', () => {
  it('escapes the five characters that matter in HTML text and attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('keeps only absolute http and https links', () => {
    expect(safeHref('https://example.org/a?b=1')).toBe('https://example.org/a?b=1');
    expect(safeHref('http://example.org/')).toBe('http://example.org/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,hi')).toBeNull();
    expect(safeHref('/relative/path')).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});
