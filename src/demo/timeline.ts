import type { StanceLabel } from '../core/story';
import timelineItems from './timeline-items.json';

/**
 * An invented news timeline for the offline demo. The outlets, headlines and wording are fiction written for
 * this project; the sequence loosely follows how the 2025 ceasefire story unfolded so the demo feels familiar.
 * Links point at subdomains of example.org (reserved for documentation), so nothing here resolves to a real site.
 */

export type DemoFeedFormat = 'rss' | 'atom';

export interface DemoOutlet {
  id: string;
  name: string;
  publisher: string;
  /** Primary language subtag, as the feed announces it. */
  language: string;
  format: DemoFeedFormat;
}

/**
 * - follow-up: about the tracked ceasefire effort.
 * - distractor: another conflict's ceasefire, war news without a talks angle, or unrelated news.
 * - hedged: speculation about a party's position that must not move its stance.
 */
export type DemoItemRole = 'follow-up' | 'distractor' | 'hedged';

export interface DemoItem {
  outlet: string;
  /** Unique slug inside the outlet; the guid and the link are derived from it. */
  slug: string;
  published: string;
  title: string;
  description: string;
  role: DemoItemRole;
}

export interface PlannedStanceChange {
  party: string;
  from: StanceLabel | null;
  to: StanceLabel;
  /** Slug of the item whose statement confirms the change. */
  causeSlug: string;
}

export interface DemoTimeline {
  storyId: string;
  outlets: DemoOutlet[];
  items: DemoItem[];
  /** Exactly the label changes the demo must produce, in order. */
  plannedChanges: PlannedStanceChange[];
}

export function demoItemGuid(item: Pick<DemoItem, 'outlet' | 'slug'>): string {
  return `urn:storywatch-demo:${item.outlet}:${item.slug}`;
}

export function demoItemLink(item: Pick<DemoItem, 'outlet' | 'slug' | 'published'>): string {
  const day = item.published.slice(0, 10).replaceAll('-', '/');
  return `https://${item.outlet}.example.org/${day}/${item.slug}`;
}

const outlets: DemoOutlet[] = [
  {
    id: 'northbridge-wire',
    name: 'Northbridge Wire — World',
    publisher: 'Northbridge Wire (invented news agency)',
    language: 'en',
    format: 'rss',
  },
  {
    id: 'harbour-chronicle',
    name: 'The Harbour Chronicle — International',
    publisher: 'Harbour Chronicle (invented newspaper)',
    language: 'en',
    format: 'atom',
  },
  {
    id: 'obzor-daily',
    name: 'Обзор Дня — Мир',
    publisher: 'Obzor Daily (invented Russian-language outlet)',
    language: 'ru',
    format: 'rss',
  },
  {
    id: 'vechirnii-kurier',
    name: 'Вечірній кур’єр — Новини',
    publisher: 'Vechirnii Kurier (invented Ukrainian-language outlet)',
    language: 'uk',
    format: 'rss',
  },
];

/** The articles of the timeline, oldest first: plain data, kept beside this file as JSON. */
const items = timelineItems as DemoItem[];

export const DEMO_TIMELINE: DemoTimeline = {
  storyId: 'ceasefire-2025',
  outlets,
  items,
  plannedChanges: [
    { party: 'europe', from: null, to: 'supports', causeSlug: 'starmer-coalition-backs-truce' },
    { party: 'russia', from: 'conditional', to: 'opposes', causeSlug: 'peskov-rejects-energy-extension' },
    { party: 'us', from: 'supports', to: 'conditional', causeSlug: 'trump-deadline-walk-away' },
    { party: 'ukraine', from: 'supports', to: 'conditional', causeSlug: 'zelensky-guarantees-first' },
  ],
};
