import type { Alert, StanceEvidence } from '../core/stance-state';
import { clipText } from '../core/text-limits';

/** SNS refuses a Publish whose message and attributes together exceed 256 KB. */
export const SNS_MESSAGE_MAX_BYTES = 256 * 1024;

const QUOTE_STEPS = [2_000, 300, 60] as const;
/** A link longer than this is dropped from a shrunk alert: a cut link is useless, the source still names the site. */
const SHRUNK_LINK_MAX_BYTES = 2_048;
const SHRUNK_SOURCE_MAX_CHARS = 300;

function smallerEvidence(evidence: StanceEvidence, quoteChars: number): StanceEvidence {
  const link =
    evidence.link !== null && Buffer.byteLength(evidence.link) <= SHRUNK_LINK_MAX_BYTES ? evidence.link : null;
  return {
    ...evidence,
    quote: clipText(evidence.quote, quoteChars),
    source: clipText(evidence.source, SHRUNK_SOURCE_MAX_CHARS),
    link,
  };
}

/**
 * The same alert with less of what is optional in its message, one step further each time: first the recent
 * statements, then the previous evidence, then the quote, cut shorter and shorter, with an over-long link and
 * source dropped or cut. Null once nothing optional is left. The alert itself (id, party, change, severity) is
 * never touched: a message is made smaller, never dropped.
 */
export function shrinkAlertMessage(alert: Alert, step: number): Alert | null {
  if (step === 0) return alert.recentStatements.length > 0 ? { ...alert, recentStatements: [] } : alert;
  const bare: Alert = { ...alert, recentStatements: [], previousEvidence: null };
  if (step === 1) return bare;
  const quoteChars = QUOTE_STEPS[step - 2];
  if (quoteChars === undefined) return null;
  return { ...bare, evidence: smallerEvidence(alert.evidence, quoteChars) };
}

/**
 * The first of the alert's shrunk forms (the alert itself first) whose message `size` measures within `maxBytes`,
 * or the smallest form when none does: the caller still sends it, and SNS answers for what cannot fit.
 */
export function alertFittingMessage(alert: Alert, size: (candidate: Alert) => number, maxBytes: number): Alert {
  let smallest = alert;
  if (size(alert) <= maxBytes) return alert;
  for (let step = 0; ; step++) {
    const candidate = shrinkAlertMessage(alert, step);
    if (candidate === null) return smallest;
    smallest = candidate;
    if (size(candidate) <= maxBytes) return candidate;
  }
}
