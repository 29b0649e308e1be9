import type { FeedItem } from '../core/feed';
import { type CompiledStory, type LexiconHit, scanLexicon } from './lexicon';
import { cleanText, type Sentence, splitSentences, type Tokens, tokenize } from './text';

/** Full-text bodies can be long; the lead carries the news and keeps per-item work bounded. */
const CONTENT_LIMIT = 3000;
const LEAD_LENGTH = 400;

/** What the detector reads of one item: its text (headline, a line break, body), words, sentences and hits. */
export interface Evidence {
  text: string;
  tokens: Tokens;
  titleEnd: number;
  deepStart: number;
  /** The headline's sentences, then the body's. */
  sentences: Sentence[];
  /** How many of `sentences` are the headline's (1 without a headline: the body's first sentence leads). */
  leadSentences: number;
  hits: LexiconHit[];
}

export function gatherEvidence(compiled: CompiledStory, item: FeedItem): Evidence {
  const title = cleanText(item.title ?? '');
  const description = cleanText(item.description ?? '');
  const content = item.content ? cleanText(item.content).slice(0, CONTENT_LIMIT) : '';
  // Descriptions often repeat the first paragraph of the content; reading both would double-count it.
  const body =
    content && !content.startsWith(description.slice(0, 60)) ? `${description} ${content}` : content || description;
  const text = `${title}\n${body}`;
  // "Putin rejects the truce. What comes next?": a statement and a question, each read on its own.
  const sentences: Sentence[] = splitSentences(title);
  const leadSentences = Math.max(1, sentences.length);
  sentences.push(...splitSentences(body, title.length + 1));
  const tokens = tokenize(text);
  // Feeds are judged on what a reader sees first; deep in a long body a passing mention weighs less.
  const deepStart = content ? title.length + 1 + Math.max(description.length, LEAD_LENGTH) : Number.POSITIVE_INFINITY;
  const hits = scanLexicon(compiled, text, tokens);
  return { text, tokens, titleEnd: title.length, deepStart, sentences, leadSentences, hits };
}

/** The whole headline, however many sentences it has. */
export function headlineOf(evidence: Evidence): string {
  return evidence.text.slice(0, evidence.titleEnd);
}

/** The headline's sentences; none for an item without a headline. */
export function headlineSentences(evidence: Evidence): Sentence[] {
  return evidence.titleEnd > 0 ? evidence.sentences.slice(0, evidence.leadSentences) : [];
}
