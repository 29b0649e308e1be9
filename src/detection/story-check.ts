import type { FeedItem } from '../core/feed';
import {
  classifierPredictor,
  formatSliceTable,
  type LabeledItem,
  languageOf,
  monthOf,
  predictAll,
  sliceBy,
} from './evaluation';
import { compileStory, scanLexicon, type TermRoles } from './lexicon';
import type { StoryDefinition } from './story';
import { cleanText } from './text';

/**
 * `storywatch story check`: what a story's vocabulary does on a sample of items, and with labels how well it
 * finds follow-ups and stances month by month, so a user tunes a story on evidence.
 */

const SHOWN_TERMS = 8;

function rolesOf(roles: TermRoles): string[] {
  const groups: string[] = [];
  if (roles.party !== undefined) groups.push(`party ${roles.party}`);
  if (roles.topicWeight !== undefined) groups.push('topic');
  if (roles.conflict) groups.push('conflict terms');
  if (roles.otherStory) groups.push('other stories');
  if (roles.condition !== undefined) groups.push(`condition ${roles.condition}`);
  return groups;
}

/** How many of the sample items each term fires on, grouped by what the term does in the story. */
export function termFirings(story: StoryDefinition, items: readonly FeedItem[]): Map<string, Map<string, number>> {
  const compiled = compileStory(story);
  const groups = new Map<string, Map<string, number>>();
  for (const item of items) {
    const text = cleanText(`${item.title}\n${item.description}`);
    const seen = new Set<string>();
    for (const hit of scanLexicon(compiled, text)) {
      for (const group of rolesOf(hit.roles)) {
        const key = `${group}\u0000${hit.roles.label}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const terms = groups.get(group) ?? new Map<string, number>();
        terms.set(hit.roles.label, (terms.get(hit.roles.label) ?? 0) + 1);
        groups.set(group, terms);
      }
    }
  }
  return groups;
}

function groupSizes(story: StoryDefinition): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const party of story.parties)
    sizes.set(`party ${party.id}`, new Set([...party.aliases, ...party.selfSpeakers]).size);
  sizes.set('topic', new Set(story.topic.map((entry) => entry.term)).size);
  sizes.set('conflict terms', new Set(story.conflictTerms).size);
  sizes.set('other stories', new Set(story.otherStories).size);
  for (const condition of story.conditions) sizes.set(`condition ${condition.id}`, condition.terms.length);
  return sizes;
}

export function describeStory(story: StoryDefinition, origin: string): string {
  const aliases = story.parties.reduce((sum, party) => sum + party.aliases.length, 0);
  return (
    `ok: ${origin} is story "${story.id}": ${story.parties.length} parties (${aliases} aliases), ` +
    `${story.topic.length} topic terms, ${story.conflictTerms.length} conflict terms, ` +
    `${story.otherStories.length} other-story signs, ${story.conditions.length} conditions, ` +
    `${story.matter.length} matter words`
  );
}

/** One line per group of the story: the terms that fire most, and how many never fire on the sample. */
export function formatFirings(story: StoryDefinition, items: readonly FeedItem[], sampleName: string): string {
  const firings = termFirings(story, items);
  const lines = [`on ${items.length} items of ${sampleName} (items a term fires on):`];
  for (const [group, size] of groupSizes(story)) {
    const terms = firings.get(group) ?? new Map<string, number>();
    const top = [...terms.entries()].sort((a, b) => b[1] - a[1]).slice(0, SHOWN_TERMS);
    const shown = top.length > 0 ? top.map(([term, count]) => `${term} ${count}`).join(', ') : 'nothing fires';
    const silent = Math.max(0, size - terms.size);
    lines.push(`  ${group.padEnd(28)} ${shown}${silent > 0 ? ` (${silent} of ${size} never fire)` : ''}`);
  }
  return lines.join('\n');
}

/** Follow-up and stance figures overall, per month and per language, against labeled items. */
export function formatLabeledFigures(story: StoryDefinition, items: LabeledItem[]): string {
  const predictions = predictAll(items, classifierPredictor(story));
  const parties = story.parties.map((party) => party.id);
  return [
    formatSliceTable('overall', [['all', items]], predictions, parties),
    formatSliceTable('per month', sliceBy(items, monthOf), predictions, parties),
    formatSliceTable('per language', sliceBy(items, languageOf), predictions, parties),
  ].join('\n\n');
}
