import type { Cue } from './cues';
import type { PartyMention } from './stance-context';

/**
 * Go-betweens hold no position of their own. A party that brokers or mediates between two others ("X-brokered
 * A-B talks", "X mediates between A and B") is bringing them together, which says nothing about what it wants
 * from the outcome; a deal it brokered with nobody named between ("X-brokered truce") is still its own. Language
 * only: how English, Russian and Ukrainian say that someone stands between others.
 */
const MEDIATION = /broker|mediat|посредни|посередни/iu;
const RELAY = /^(?:pass|relay|convey|transmit|переда)/iu;
// "A asks B to pass on its offer": A is who speaks through the go-between.
const REQUEST =
  /(?<!\p{L})(?:ask(?:s|ed|ing)?|request(?:s|ed|ing)?|попрос\p{L}*|просит\p{L}*|просить|просять)(?!\p{L})/iu;
const PAIR_JOIN = /^(?:\s*[-–‐]\s*|\s+(?:and|&|и|і|та)\s+(?:the\s+)?)$/iu;
// Right after the cue ("-brokered Russia-Ukraine talks") or a few words on, after "between" ("talks between").
const PAIR_AFTER_CUE = /^\s*(?:the\s+)?$|^\s+(?:[\p{L}-]+\s+){0,3}?(?:between|among|между|між)\s+(?:the\s+)?$/iu;
// Before a passive cue only (an "X-brokered" deal comes after its broker): "Russia-Ukraine talks brokered by", "talks between A and B, mediated by".
const PAIR_BEFORE_CUE = /^[\s,]+(?:[\p{L}-]+[\s,]+){0,2}$/u;

/** Two different parties, neither of them the broker, named as a pair ("A-B", "A and B"). */
function pairs(text: string, mentions: readonly PartyMention[], broker: string): [PartyMention, PartyMention][] {
  const found: [PartyMention, PartyMention][] = [];
  for (let i = 0; i + 1 < mentions.length; i++) {
    const first = mentions[i] as PartyMention;
    const second = mentions[i + 1] as PartyMention;
    if (first.party === broker || second.party === broker || first.party === second.party) continue;
    if (PAIR_JOIN.test(text.slice(first.end, second.start))) found.push([first, second]);
  }
  return found;
}

/**
 * Whether the holder of a cue is a go-between: it relays what someone else offers ("B passes on the offer") unless
 * it asked for the relay itself ("A asks B to pass on"), or it brokers between two other parties named beside the cue.
 */
export function standsBetween(
  text: string,
  cue: Cue,
  mentions: readonly PartyMention[],
  holder: PartyMention,
): boolean {
  const cueText = text.slice(cue.start, cue.end);
  if (RELAY.test(cueText)) return !REQUEST.test(text.slice(holder.end, Math.max(holder.end, cue.start)));
  if (!MEDIATION.test(cueText)) return false;
  return pairs(text, mentions, holder.party).some(
    ([first, second]) =>
      (first.start >= cue.end && PAIR_AFTER_CUE.test(text.slice(cue.end, first.start))) ||
      (cue.rule.kind === 'by' && second.end <= cue.start && PAIR_BEFORE_CUE.test(text.slice(second.end, cue.start))),
  );
}
