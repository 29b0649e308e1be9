import type { Alert, StanceEvidence } from '../core/stance-state';
import { stanceName } from '../core/story';
import { safeLink, sanitizeText } from '../tracking/alert-messages';
import type { AlertDescription } from '../tracking/describe';

/** What every channel says about an alert, cleaned of markup and control characters, links checked. */
export interface AlertText {
  /** "Russia: conditional → opposes", or "Russia: conditions +withdrawal −elections". */
  headline: string;
  partyName: string;
  storyTitle: string;
  change: string;
  severity: string;
  quote: string;
  source: string;
  link: string | null;
  published: string | null;
}

export function describeChange(alert: Alert): string {
  if (alert.kind === 'stance_change') return `${stanceName(alert.from)} → ${stanceName(alert.to)}`;
  const parts = [
    ...alert.conditionsAdded.map((condition) => `+${condition}`),
    ...alert.conditionsDropped.map((condition) => `−${condition}`),
  ];
  return `conditions ${parts.join(' ')}`;
}

/** The title a stance change carries in every channel and feed. */
export function alertHeadline(alert: Alert, partyName: string): string {
  return `${sanitizeText(partyName) || alert.party}: ${sanitizeText(describeChange(alert))}`;
}

export function evidenceText(evidence: StanceEvidence) {
  return {
    quote: sanitizeText(evidence.quote),
    source: sanitizeText(evidence.source),
    link: safeLink(evidence.link),
    published: evidence.published,
  };
}

export function alertText(alert: Alert, description: AlertDescription): AlertText {
  return {
    headline: alertHeadline(alert, description.partyName),
    partyName: sanitizeText(description.partyName) || alert.party,
    storyTitle: sanitizeText(description.storyTitle) || alert.storyId,
    change: sanitizeText(describeChange(alert)),
    severity: alert.severity,
    ...evidenceText(alert.evidence),
  };
}
