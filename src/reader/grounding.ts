/**
 * Never trust a model blindly: an answer entry becomes a reading only when every stance names a party and label of
 * the story, every condition is one the story tracks, and every quote is found verbatim in what the model was shown.
 */
import type { FeedItem } from '../core/feed';
import type { Reading } from '../core/ports/reader';
import type { FollowUpSummary, StanceObservation } from '../core/story';
import { clipText } from '../core/text-limits';
import type { StoryDefinition } from '../detection/story';
import { isStanceLabel, toWireItem, type WireAnswerItem } from './wire';

/**
 * The wire carries no confidence. A grounded model stance is as sure as the rules' confident ones: above the
 * tracking threshold, and for the party's own words above the bar that lets one statement move its label.
 */
export const MODEL_STANCE_CONFIDENCE = 0.85;
/** How long a model-written summary may be, in characters. */
export const SUMMARY_LIMIT = 400;
const MIN_QUOTE_LENGTH = 3;

export const REJECTION_REASONS = [
  'malformed',
  'unknown_party',
  'unknown_label',
  'unknown_condition',
  'missing_quote',
  'ungrounded_quote',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type Grounded = { ok: true; reading: Reading } | { ok: false; reason: RejectionReason; detail: string };

const DOUBLE_QUOTES = /[“”„‟«»″〝〞＂]/g;
const SINGLE_QUOTES = /[‘’‚‛‹›′`]/g;

/** Whitespace runs become one space and every quote mark its ASCII form: the only liberties a quote may take. */
export function normalizeForQuote(text: string): string {
  return text.replace(DOUBLE_QUOTES, '"').replace(SINGLE_QUOTES, "'").replace(/\s+/g, ' ').trim();
}

/** Models often wrap the span in a pair of quote marks of their own; those are not part of the item's text. */
function unwrap(quote: string): string {
  const trimmed = quote.trim();
  const wrapped = /^(["'])(.*)\1$/s.exec(trimmed);
  return wrapped ? (wrapped[2] ?? '') : trimmed;
}

// Control and bidi characters have no place in an alert; the summary is the model's own text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

function cleanSummary(summary: string): string {
  const clean = summary.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return clipText(clean, SUMMARY_LIMIT);
}

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

interface StanceCheck {
  stances: StanceObservation[];
  failure?: { reason: RejectionReason; detail: string };
}

function checkStances(answer: WireAnswerItem, story: StoryDefinition, shownText: string): StanceCheck {
  const haystack = normalizeForQuote(shownText);
  const conditionIds = new Set(story.conditions.map((condition) => condition.id));
  const stances: StanceObservation[] = [];
  const seen = new Set<string>();
  for (const stance of answer.stances) {
    const party = story.parties.find((candidate) => candidate.id === stance.party);
    if (!party) return { stances, failure: { reason: 'unknown_party', detail: stance.party } };
    if (!isStanceLabel(stance.label)) return { stances, failure: { reason: 'unknown_label', detail: stance.label } };
    const unknown = stance.conditions.find((condition) => !conditionIds.has(condition));
    if (unknown !== undefined) return { stances, failure: { reason: 'unknown_condition', detail: unknown } };
    const quote = normalizeForQuote(unwrap(stance.quote));
    if (quote.length < MIN_QUOTE_LENGTH) return { stances, failure: { reason: 'missing_quote', detail: party.id } };
    if (!haystack.includes(quote)) return { stances, failure: { reason: 'ungrounded_quote', detail: quote } };
    if (seen.has(party.id)) continue;
    seen.add(party.id);
    stances.push({
      party: party.id,
      label: stance.label,
      confidence: MODEL_STANCE_CONFIDENCE,
      evidence: quote,
      conditions: [...new Set(stance.conditions)].sort(),
      // The party speaks itself when one of its own officials is named in the quote.
      direct: party.selfSpeakers.some((speaker) => mentions(quote, speaker)),
    });
  }
  return { stances };
}

function summaryOf(item: FeedItem, rules: Reading, stances: StanceObservation[], text: string): FollowUpSummary {
  const parties = [...new Set([...stances.map((stance) => stance.party), ...(rules.summary?.parties ?? [])])];
  return {
    storyId: rules.storyId,
    itemId: item.id,
    source: item.source,
    link: item.link,
    title: normalizeForQuote(item.title),
    published: item.published,
    score: rules.score,
    summary: cleanSummary(text) || (rules.summary?.summary ?? normalizeForQuote(item.title)),
    parties,
    stances,
    conditions: [...new Set(stances.flatMap((stance) => stance.conditions))].sort(),
    quotes: stances.map((stance) => stance.evidence),
    keyTerms: rules.summary?.keyTerms ?? [],
    reasons: rules.reasons,
  };
}

/**
 * The model's reading of one item, or why it is rejected. The rules reading supplies the score (the gate's
 * evidence) and its reasons, which stay useful to whoever reads an alert.
 */
export function ground(
  item: FeedItem,
  answer: WireAnswerItem,
  story: StoryDefinition,
  rules: Reading,
  identity: { reader: string; promptVersion: string },
): Grounded {
  const shown = toWireItem(item);
  const { stances, failure } = checkStances(answer, story, `${shown.title}\n${shown.description}`);
  if (failure) return { ok: false, ...failure };
  const reasons = [...rules.reasons, `read by ${identity.reader}`];
  if (!answer.followUp) {
    // Stances on an item that is not a follow-up would move a ledger on an item the story does not contain.
    const reading: Reading = { ...baseOf(rules, reasons, identity), followUp: false, stances: [] };
    return { ok: true, reading };
  }
  const summary = summaryOf(item, { ...rules, reasons }, stances, answer.summary);
  return { ok: true, reading: { ...baseOf(rules, reasons, identity), followUp: true, stances, summary } };
}

function baseOf(rules: Reading, reasons: string[], identity: { reader: string; promptVersion: string }) {
  return {
    storyId: rules.storyId,
    itemId: rules.itemId,
    score: rules.score,
    reasons,
    reader: identity.reader,
    promptVersion: identity.promptVersion,
  };
}
