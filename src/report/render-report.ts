import { stripControlCharacters } from '../core/plain-text';
import type { Alert, StanceEvidence } from '../core/stance-state';
import { type FollowUpSummary, type StanceLabel, stanceName } from '../core/story';
import { buildLanes, type ChangePoint, type PartyLane, type ReportData } from './report-data';

/**
 * The policy the report declares in its meta tag: inline styles and data: images, nothing else, so a quote that
 * slipped past escaping still could not run or fetch anything. Servers send it as a header (REPORT_CSP_HEADER).
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * The same policy as an HTTP header for the served and hosted page, plus frame-ancestors: browsers honour that
 * directive only from a header (and warn about it in a meta tag), so the page declares the rest and servers add it.
 */
export const REPORT_CSP_HEADER = `${REPORT_CSP}; frame-ancestors 'none'`;

/** Where the story's two Atom feeds are, relative to the page or absolute; the page links both when given. */
export interface ReportFeedLinks {
  changes: string;
  followUps: string;
}

/**
 * Renders the whole report as one self-contained HTML document: inline CSS, no scripts, no external fetches,
 * so it can be mailed or opened from disk. Every piece of feed text passes through escapeHtml and every link
 * through safeHref, because titles and quotes come from untrusted feeds.
 */
export function renderReport(data: ReportData, options: { feeds?: ReportFeedLinks } = {}): string {
  const lanes = buildLanes(data);
  const range = timeRange(data, lanes);
  const changes = lanes.flatMap((lane) => lane.changes).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const partyNames = new Map(data.parties.map((party) => [party.id, party.name]));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<title>${escapeHtml(data.story.title)} — storywatch report</title>
${options.feeds ? renderFeedAlternates(options.feeds) : ''}<style>${STYLES}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.story.title)}</h1>
<p class="lede">${escapeHtml(data.story.description)}</p>
<p class="meta">Story <code>${escapeHtml(data.story.id)}</code> · from ${formatDay(data.story.startDate)} to ${formatDay(data.until)} · generated ${escapeHtml(formatDateTime(data.generatedAt))}</p>
${options.feeds ? renderFeedLinks(options.feeds) : ''}</header>
<main>
<section aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Stances over time</h2>
${renderLegend()}
<div class="timeline">
${renderAxis(range)}
${lanes.map((lane) => renderLane(lane, range)).join('\n')}
</div>
${renderChangeList(changes, partyNames)}
</section>
<section aria-labelledby="alerts-heading">
<h2 id="alerts-heading">Alerts <span class="count">${data.alerts.length}</span></h2>
${renderAlerts(data.alerts, partyNames)}
</section>
<section aria-labelledby="followups-heading">
<h2 id="followups-heading">Follow-ups <span class="count">${data.followUps.length}</span></h2>
${renderFollowUps(data.followUps, partyNames)}
</section>
</main>
<footer><p>Made by storywatch from stored follow-ups; stances change only on confirmed statements.</p></footer>
</body>
</html>
`;
}

const FEED_TITLES = { changes: 'Stance changes', followUps: 'Follow-ups' } as const;

/** Lets feed readers and browsers discover both feeds from the page's address alone. */
function renderFeedAlternates(feeds: ReportFeedLinks): string {
  return `${(['changes', 'followUps'] as const)
    .map(
      (kind) =>
        `<link rel="alternate" type="application/atom+xml" title="${FEED_TITLES[kind]} (Atom)" href="${escapeHtml(feeds[kind])}">`,
    )
    .join('\n')}\n`;
}

function renderFeedLinks(feeds: ReportFeedLinks): string {
  const links = (['changes', 'followUps'] as const).map(
    (kind) =>
      `<a class="feed-link" type="application/atom+xml" href="${escapeHtml(feeds[kind])}">${FEED_TITLES[kind]} (Atom)</a>`,
  );
  return `<p class="meta feeds">Follow in a feed reader: ${links.join(' · ')}</p>\n`;
}

interface TimeRange {
  start: number;
  end: number;
}

function timeRange(data: ReportData, lanes: PartyLane[]): TimeRange {
  const start = Date.parse(`${data.story.startDate.slice(0, 10)}T00:00:00Z`);
  const ends = lanes.flatMap((lane) => lane.periods.map((period) => Date.parse(period.end)));
  const end = Math.max(Date.parse(data.until), ...ends);
  // A zero-length range would divide by zero; a single day still gets a visible width.
  return { start, end: Math.max(end, start + 86_400_000) };
}

function percentOf(range: TimeRange, at: string): number {
  const ratio = (Date.parse(at) - range.start) / (range.end - range.start);
  return Math.round(Math.min(1, Math.max(0, ratio)) * 10_000) / 100;
}

function renderLegend(): string {
  const labels: (StanceLabel | null)[] = ['supports', 'conditional', 'opposes', null];
  return `<ul class="legend" aria-label="Colour legend">${labels
    .map((label) => `<li><span class="swatch ${labelClass(label)}"></span>${labelText(label)}</li>`)
    .join('')}</ul>`;
}

function renderAxis(range: TimeRange): string {
  const ticks: string[] = [];
  const cursor = new Date(range.start);
  cursor.setUTCDate(1);
  cursor.setUTCHours(0, 0, 0, 0);
  if (cursor.getTime() < range.start) cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  const months = Math.max(1, Math.round((range.end - range.start) / (30 * 86_400_000)));
  // On a long story every month would crowd a phone screen; keep about six labels.
  const every = Math.max(1, Math.ceil(months / 6));
  let index = 0;
  while (cursor.getTime() <= range.end) {
    if (index % every === 0) {
      const left = percentOf(range, cursor.toISOString());
      // Short month names keep the labels apart on a phone; the year shows where it starts or changes.
      const withYear = ticks.length === 0 || cursor.getUTCMonth() === 0;
      const text = cursor.toLocaleDateString('en-GB', {
        month: 'short',
        ...(withYear ? { year: 'numeric' } : {}),
        timeZone: 'UTC',
      });
      // A label at the very right edge hangs to the left of its tick so it never widens the page.
      const side = left > 92 ? 'tick tick-end' : 'tick';
      ticks.push(`<span class="${side}" style="left:${left}%">${escapeHtml(text)}</span>`);
    }
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
    index += 1;
  }
  return `<div class="axis" aria-hidden="true"><span class="lane-name"></span><div class="axis-track">${ticks.join('')}</div></div>`;
}

function renderLane(lane: PartyLane, range: TimeRange): string {
  const current = lane.periods.at(-1)?.label ?? null;
  const periods = lane.periods
    .map((period) => {
      const left = percentOf(range, period.start);
      const width = Math.max(0.5, percentOf(range, period.end) - left);
      const title = `${lane.party.name}: ${labelText(period.label)} from ${formatDay(period.start)} to ${formatDay(period.end)}`;
      return `<span class="period ${labelClass(period.label)}" style="left:${left}%;width:${width}%" title="${escapeHtml(title)}"></span>`;
    })
    .join('');
  const markers = lane.changes
    .map((change) => {
      const left = percentOf(range, change.at);
      const label = `${lane.party.name}: ${labelText(change.from)} → ${labelText(change.to)} on ${formatDay(change.at)}`;
      const attributes = `class="change-point" data-party="${escapeHtml(lane.party.id)}" style="left:${left}%" title="${escapeHtml(label)}" aria-label="${escapeHtml(label)}"`;
      const href = safeHref(change.evidence?.link);
      return href
        ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer" ${attributes}></a>`
        : `<span ${attributes}></span>`;
    })
    .join('');
  return `<div class="lane" data-party="${escapeHtml(lane.party.id)}">
<span class="lane-name">${escapeHtml(lane.party.name)} <span class="chip ${labelClass(current)}">${labelText(current)}</span></span>
<div class="lane-track">${periods}${markers}</div>
</div>`;
}

function renderChangeList(changes: ChangePoint[], partyNames: Map<string, string>): string {
  if (changes.length === 0) return '<p class="empty">No stance has changed yet.</p>';
  const rows = changes.map(
    (change) => `<li class="change" data-party="${escapeHtml(change.party)}">
<time datetime="${escapeHtml(change.at)}">${formatDay(change.at)}</time>
<strong>${escapeHtml(partyNames.get(change.party) ?? change.party)}</strong>
<span class="chip ${labelClass(change.from)}">${labelText(change.from)}</span> → <span class="chip ${labelClass(change.to)}">${labelText(change.to)}</span>
${renderEvidence(change.evidence)}
</li>`,
  );
  return `<h3>Change points</h3><ol class="changes">${rows.join('\n')}</ol>`;
}

function renderEvidence(evidence: StanceEvidence | null): string {
  if (!evidence) return '';
  const quote = evidence.quote ? `<blockquote>${escapeHtml(evidence.quote)}</blockquote>` : '';
  const link = safeHref(evidence.link);
  // The article's host names the outlet better than the feed URL, which may be a shared aggregator.
  const source = sourceName(link ?? evidence.source);
  const cite = link
    ? `<a href="${escapeHtml(link)}" rel="noopener noreferrer">${escapeHtml(source)}</a>`
    : escapeHtml(source);
  return `${quote}<p class="cite">— ${cite}</p>`;
}

function renderAlerts(alerts: Alert[], partyNames: Map<string, string>): string {
  if (alerts.length === 0) return '<p class="empty">No alerts.</p>';
  const sorted = [...alerts].sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id),
  );
  const rows = sorted.map((alert) => {
    const party = escapeHtml(partyNames.get(alert.party) ?? alert.party);
    const what =
      alert.kind === 'stance_change'
        ? `<span class="chip ${labelClass(alert.from)}">${labelText(alert.from)}</span> → <span class="chip ${labelClass(alert.to)}">${labelText(alert.to)}</span>`
        : renderConditionChange(alert);
    const when = alert.evidence.published ?? alert.createdAt;
    return `<li class="alert severity-${alert.severity === 'high' ? 'high' : 'low'}">
<p><time datetime="${escapeHtml(when)}">${formatDay(when)}</time> <strong>${party}</strong> ${what}
<span class="status">${statusText(alert.status)} · ${alert.severity === 'high' ? 'high' : 'low'}</span></p>
${renderEvidence(alert.evidence)}
</li>`;
  });
  return `<ol class="alerts">${rows.join('\n')}</ol>`;
}

/** A fixed word per status: whatever the stored value, nothing else reaches the page. */
function statusText(status: Alert['status']): string {
  if (status === 'sent') return 'sent';
  return status === 'parked' ? 'not delivered' : 'pending';
}

function renderConditionChange(alert: Alert): string {
  const added = alert.conditionsAdded.map((id) => `+${escapeHtml(id)}`);
  const dropped = alert.conditionsDropped.map((id) => `−${escapeHtml(id)}`);
  return `conditions <span class="conditions">${[...added, ...dropped].join(' ') || 'changed'}</span>`;
}

function renderFollowUps(followUps: FollowUpSummary[], partyNames: Map<string, string>): string {
  if (followUps.length === 0) return '<p class="empty">No follow-ups stored yet.</p>';
  const sorted = [...followUps].sort(
    (a, b) => Date.parse(b.published ?? '') - Date.parse(a.published ?? '') || a.itemId.localeCompare(b.itemId),
  );
  const rows = sorted.map((followUp) => {
    const link = safeHref(followUp.link);
    const title = link
      ? `<a href="${escapeHtml(link)}" rel="noopener noreferrer">${escapeHtml(followUp.title)}</a>`
      : escapeHtml(followUp.title);
    const stances = followUp.stances
      .map(
        (stance) =>
          `<li><span class="chip ${labelClass(stance.label)}">${escapeHtml(partyNames.get(stance.party) ?? stance.party)}: ${labelText(stance.label)}</span></li>`,
      )
      .join('');
    const conditions = followUp.conditions.length
      ? `<p class="conditions">Conditions: ${followUp.conditions.map(escapeHtml).join(', ')}</p>`
      : '';
    return `<li class="follow-up">
<h3>${title}</h3>
<p class="meta">${followUp.published ? `<time datetime="${escapeHtml(followUp.published)}">${formatDay(followUp.published)}</time> · ` : ''}${escapeHtml(sourceName(link ?? followUp.source))} · score ${followUp.score.toFixed(2)}</p>
<p>${escapeHtml(followUp.summary)}</p>
${stances ? `<ul class="stances">${stances}</ul>` : ''}${conditions}
</li>`;
  });
  return `<ol class="follow-ups">${rows.join('\n')}</ol>`;
}

/** Only absolute http(s) links survive: feeds can carry javascript: or data: URLs. */
export function safeHref(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** HTML-escaped text, without the control and bidi characters stored text may still carry (older rows, archives). */
export function escapeHtml(text: string): string {
  return stripControlCharacters(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function sourceName(source: string): string {
  try {
    return new URL(source).host;
  } catch {
    return source;
  }
}

function labelClass(label: StanceLabel | null): string {
  return label ? `stance-${label}` : 'stance-unknown';
}

function labelText(label: StanceLabel | null): string {
  return stanceName(label);
}

function formatDay(at: string): string {
  const time = Date.parse(at);
  if (!Number.isFinite(time)) return 'unknown date';
  return new Date(time).toISOString().slice(0, 10);
}

function formatDateTime(at: string): string {
  const time = Date.parse(at);
  if (!Number.isFinite(time)) return 'unknown time';
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const STYLES = `
:root{color-scheme:light dark;--bg:#fbfbf8;--fg:#1d1f21;--muted:#5c6166;--card:#ffffff;--line:#d9dcd6;--track:#eceee8;
--supports:#2e8540;--conditional:#c77c02;--opposes:#c0392b;--unknown:#8a9096;--link:#1a5fb4;--chip-fg:#ffffff}
@media (prefers-color-scheme:dark){:root{--bg:#15171a;--fg:#e6e6e3;--muted:#a2a8ae;--card:#1e2125;--line:#33373c;--track:#2a2e33;
--supports:#4cb862;--conditional:#e0a030;--opposes:#e5604f;--unknown:#7d848b;--link:#8ab4f8;--chip-fg:#111315}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
header,main,footer{max-width:960px;margin:0 auto;padding:0 16px}
header{padding-top:24px}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 8px}
h2{font-size:1.25rem;margin:32px 0 12px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1rem;margin:16px 0 8px}
.lede{margin:0 0 8px}
.meta,.cite,.status,.empty,footer{color:var(--muted);font-size:.875rem}
a{color:var(--link)}
code{font-size:.875em}
.count{font-weight:normal;color:var(--muted);font-size:.9rem}
.legend{display:flex;flex-wrap:wrap;gap:12px;list-style:none;padding:0;margin:0 0 12px;font-size:.875rem}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:14px;height:14px;border-radius:3px}
.timeline{display:flex;flex-direction:column;gap:10px;padding-right:8px}
.lane,.axis{display:grid;grid-template-columns:minmax(0,9rem) minmax(0,1fr);gap:8px;align-items:center}
.lane-name{font-weight:600;font-size:.9rem;display:flex;flex-wrap:wrap;gap:4px;align-items:center}
.lane-track,.axis-track{position:relative;min-width:0}
.lane-track{height:26px;background:var(--track);border-radius:4px}
.axis-track{height:18px;font-size:.75rem;color:var(--muted)}
.tick{position:absolute;top:0;white-space:nowrap;border-left:1px solid var(--line);padding-left:3px}
.tick-end{transform:translateX(-100%);border-left:0;border-right:1px solid var(--line);padding:0 3px 0 0}
.period{position:absolute;top:0;bottom:0}
.change-point{position:absolute;top:50%;width:16px;height:16px;margin:-8px 0 0 -8px;border-radius:50%;background:var(--card);border:3px solid var(--fg);display:block}
a.change-point:focus,a.change-point:hover{outline:2px solid var(--link);outline-offset:2px}
.stance-supports{background:var(--supports)}
.stance-conditional{background:var(--conditional)}
.stance-opposes{background:var(--opposes)}
.stance-unknown{background:var(--unknown)}
.chip{display:inline-block;padding:0 6px;border-radius:10px;font-size:.75rem;font-weight:600;color:var(--chip-fg);line-height:1.6}
ol,ul{padding-left:0}
.changes,.alerts,.follow-ups{list-style:none;margin:0;display:flex;flex-direction:column;gap:10px}
.change,.alert,.follow-up{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.alert.severity-high{border-left:4px solid var(--opposes)}
.alert p,.change p,.follow-up p{margin:4px 0}
.follow-up h3{margin:0 0 4px}
blockquote{margin:6px 0;padding-left:10px;border-left:3px solid var(--line);font-style:italic}
.stances{list-style:none;display:flex;flex-wrap:wrap;gap:6px;margin:6px 0 0}
.conditions{font-size:.875rem}
footer{padding-bottom:24px;margin-top:32px}
@media (max-width:600px){
.lane,.axis{grid-template-columns:minmax(0,1fr);gap:4px}
.axis .lane-name{display:none}
h1{font-size:1.35rem}
}
`;
