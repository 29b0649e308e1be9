/**
 * Deterministic synthetic feeds for benchmarks and load tests: news-like items, some about the ceasefire story and
 * most not, so detection and storage see a realistic mix. Text is generated here, not taken from real articles.
 */

const STORY_TITLES = [
  'Kremlin says {n} conditions must be met before any truce with Kyiv',
  'Zelensky ready for 30-day ceasefire if Moscow reciprocates, aide says',
  'US envoy to meet Russian officials in round {n} of ceasefire talks',
  'European leaders discuss security guarantees for Ukraine after a ceasefire',
  'Peskov: Moscow sees reasons for cautious optimism on peace proposal',
];

const OTHER_TITLES = [
  'Central bank holds rates steady for the {n}th month',
  'Storm leaves thousands without power along the coast',
  'Gaza ceasefire talks resume in Cairo, mediators say',
  'Drone strikes hit energy facilities overnight, officials report',
  'Election commission publishes preliminary results in district {n}',
  'Football club signs striker in record transfer',
  'Wildfires force evacuation of {n} villages',
  'Parliament debates new budget amid protests',
];

const DESCRIPTION_SENTENCES = [
  'Officials gave few details about the timetable.',
  'The statement followed several hours of talks behind closed doors.',
  'Analysts said the announcement could shift the debate in the coming weeks.',
  'Local media reported that preparations had been under way for days.',
  'A spokesperson said further comments would follow later in the week.',
];

/** Small deterministic PRNG so every run builds byte-identical feeds. */
function mulberry32(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticItem {
  guid: string;
  title: string;
  description: string;
  link: string;
  published: Date;
}

export function syntheticItems(
  feedIndex: number,
  count: number,
  options: { generation?: number; storyShare?: number } = {},
) {
  const generation = options.generation ?? 0;
  const storyShare = options.storyShare ?? 0.1;
  const items: SyntheticItem[] = [];
  for (let index = 0; index < count; index += 1) {
    // Items are numbered from the newest: a later generation pushes `generation` new items on top.
    const serial = generation + (count - 1 - index);
    const random = mulberry32(feedIndex * 1_000_003 + serial);
    const pool = random() < storyShare ? STORY_TITLES : OTHER_TITLES;
    const title = (pool[Math.floor(random() * pool.length)] as string).replace('{n}', String(1 + (serial % 17)));
    const sentences = [0, 1, 2].map(() => DESCRIPTION_SENTENCES[Math.floor(random() * DESCRIPTION_SENTENCES.length)]);
    items.push({
      guid: `feed-${feedIndex}-item-${serial}`,
      title: `${title} (${feedIndex}/${serial})`,
      description: sentences.join(' '),
      link: `https://news.example.org/feed-${feedIndex}/${serial}?utm_source=rss`,
      published: new Date(Date.UTC(2025, 2, 12) + serial * 600_000 + feedIndex * 1_000),
    });
  }
  return items;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An article body as publishers put it in content:encoded: paragraphs of HTML, here about 3 KB. */
function articleHtml(item: SyntheticItem): string {
  const paragraph = `<p>${item.description} ${DESCRIPTION_SENTENCES.join(' ')}</p>`;
  return `<h2>${escapeXml(item.title)}</h2>${paragraph.repeat(6)}`;
}

/** An RSS 2.0 document; `fullContent` adds each item's article as CDATA HTML in content:encoded. */
export function rssDocument(title: string, items: SyntheticItem[], options: { fullContent?: boolean } = {}): string {
  const entries = items
    .map(
      (item) =>
        `<item><title>${escapeXml(item.title)}</title><link>${escapeXml(item.link)}</link>` +
        `<guid isPermaLink="false">${item.guid}</guid><pubDate>${item.published.toUTCString()}</pubDate>` +
        `<description>${escapeXml(`<p>${item.description}</p>`)}</description>` +
        (options.fullContent ? `<content:encoded><![CDATA[${articleHtml(item)}]]></content:encoded>` : '') +
        '</item>',
    )
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"${options.fullContent ? ' xmlns:content="http://purl.org/rss/1.0/modules/content/"' : ''}><channel><title>${escapeXml(title)}</title>` +
    `<link>https://news.example.org/</link><description>synthetic</description><language>en</language>\n${entries}\n</channel></rss>\n`
  );
}
