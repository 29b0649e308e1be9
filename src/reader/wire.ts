/**
 * The wire contract shared by every LLM reader (issue 16, point 10). Evaluation tools outside this repository
 * rely on it: change it only with a new prompt template version.
 */
import type { FeedItem } from '../core/feed';
import { STANCE_LABELS, type StanceLabel } from '../core/story';
import type { StoryPrompt } from './prompt';

/** Feeds rarely carry more; a long full-text body would only add cost, and the labels judge title + description. */
const DESCRIPTION_LIMIT = 1500;

export interface WireItem {
  ref: string;
  title: string;
  description: string;
  published: string | null;
  source: string;
}

export interface WireStance {
  party: string;
  label: string;
  quote: string;
  conditions: string[];
}

export interface WireAnswerItem {
  ref: string;
  followUp: boolean;
  stances: WireStance[];
  summary: string;
}

/** What the model is shown of an item; grounding checks quotes against exactly this text. */
export function toWireItem(item: FeedItem): WireItem {
  const description = item.description.trim() !== '' ? item.description : (item.content ?? '');
  return {
    ref: item.id,
    title: item.title,
    description: description.slice(0, DESCRIPTION_LIMIT),
    published: item.published,
    source: item.source,
  };
}

/** The user message's text: `{"items": [...]}`. */
export function userMessage(items: FeedItem[]): string {
  return JSON.stringify({ items: items.map(toWireItem) });
}

/** JSON schema of the answer, with the story's own party and condition ids as enums. */
export function answerSchema(prompt: StoryPrompt): Record<string, unknown> {
  const conditionItems =
    prompt.conditionIds.length > 0 ? { type: 'string', enum: prompt.conditionIds } : { type: 'string' };
  const stance = {
    type: 'object',
    additionalProperties: false,
    required: ['party', 'label', 'quote', 'conditions'],
    properties: {
      party: { type: 'string', enum: prompt.partyIds },
      label: { type: 'string', enum: [...STANCE_LABELS] },
      quote: { type: 'string' },
      conditions: { type: 'array', items: conditionItems },
    },
  };
  const item = {
    type: 'object',
    additionalProperties: false,
    required: ['ref', 'followUp', 'stances', 'summary'],
    properties: {
      ref: { type: 'string' },
      followUp: { type: 'boolean' },
      stances: { type: 'array', items: stance },
      summary: { type: 'string' },
    },
  };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['items'],
    properties: { items: { type: 'array', items: item } },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStance(value: unknown): WireStance | null {
  if (!isRecord(value)) return null;
  const { party, label, quote, conditions } = value;
  if (typeof party !== 'string' || typeof label !== 'string' || typeof quote !== 'string') return null;
  const list = conditions === undefined ? [] : conditions;
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string')) return null;
  return { party, label, quote, conditions: list };
}

/** One answer entry, or null when its shape breaks the schema (that item then falls back as `malformed`). */
export function parseAnswerItem(value: unknown): WireAnswerItem | null {
  if (!isRecord(value) || typeof value.ref !== 'string' || typeof value.followUp !== 'boolean') return null;
  const rawStances = value.stances === undefined ? [] : value.stances;
  if (!Array.isArray(rawStances)) return null;
  const stances = rawStances.map(parseStance);
  if (stances.some((stance) => stance === null)) return null;
  const summary = value.summary === undefined ? '' : value.summary;
  if (typeof summary !== 'string') return null;
  return { ref: value.ref, followUp: value.followUp, stances: stances as WireStance[], summary };
}

export interface ParsedAnswer {
  /** Entries by ref; a ref answered twice keeps its first entry. */
  byRef: Map<string, WireAnswerItem>;
  /** Refs whose entry broke the schema. */
  malformedRefs: Set<string>;
  /** Entries without a readable ref: nothing to attach them to. */
  unreadable: number;
}

/** The answer document (tool input or message content), or null when it is not `{"items": [...]}` at all. */
export function parseAnswer(document: unknown): ParsedAnswer | null {
  const value = typeof document === 'string' ? safeJson(document) : document;
  if (!isRecord(value) || !Array.isArray(value.items)) return null;
  const parsed: ParsedAnswer = { byRef: new Map(), malformedRefs: new Set(), unreadable: 0 };
  for (const entry of value.items) {
    const item = parseAnswerItem(entry);
    if (item) {
      if (!parsed.byRef.has(item.ref)) parsed.byRef.set(item.ref, item);
    } else if (isRecord(entry) && typeof entry.ref === 'string') {
      parsed.malformedRefs.add(entry.ref);
    } else {
      parsed.unreadable++;
    }
  }
  return parsed;
}

function safeJson(text: string): unknown {
  // Some OpenAI-compatible servers wrap JSON in a code fence even under a schema.
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/```$/, '');
  try {
    return JSON.parse(unfenced);
  } catch {
    return null;
  }
}

export function isStanceLabel(label: string): label is StanceLabel {
  return (STANCE_LABELS as readonly string[]).includes(label);
}
