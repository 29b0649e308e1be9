import type { StanceLabel, StanceObservation } from '../core/story';
import type { Sentence } from './text';

export interface RawObservation {
  party: string;
  label: StanceLabel;
  confidence: number;
  sentenceIndex: number;
  direct: boolean;
  /** Someone's forecast of the party's position: kept only when nothing firmer is said about the party. */
  speculative: boolean;
}

/** One stance per party from everything the text said about it: "yes, but" is conditional, firm beats forecast. */
export function mergeObservations(
  observations: RawObservation[],
  sentences: Sentence[],
  conditionsByParty: Map<string, Set<string>>,
): StanceObservation[] {
  const byParty = new Map<string, RawObservation[]>();
  for (const observation of observations) {
    const list = byParty.get(observation.party) ?? [];
    list.push(observation);
    byParty.set(observation.party, list);
  }
  const result: StanceObservation[] = [];
  for (const [party, all] of byParty) {
    const firm = all.filter((entry) => !entry.speculative);
    const list = firm.length > 0 ? firm : all;
    const best = (label: StanceLabel) =>
      list.filter((entry) => entry.label === label).sort((a, b) => b.confidence - a.confidence)[0];
    const supports = best('supports');
    const conditional = best('conditional');
    const opposes = best('opposes');
    let chosen: RawObservation | undefined;
    let confidence = 0;
    if (conditional && (!opposes || conditional.confidence >= opposes.confidence - 0.1)) {
      // "Yes, but": support plus conditions from the same party is the conditional stance.
      chosen = conditional;
      confidence = Math.min(0.95, conditional.confidence + (supports ? 0.05 : 0));
    } else if (supports && opposes) {
      const gap = supports.confidence - opposes.confidence;
      if (Math.abs(gap) < 0.05 && supports.sentenceIndex !== 0 && opposes.sentenceIndex !== 0) continue;
      chosen = gap >= 0 ? supports : opposes;
      confidence = Math.max(0.3, chosen.confidence - 0.2);
    } else {
      chosen = supports ?? opposes;
      confidence = chosen?.confidence ?? 0;
    }
    if (!chosen) continue;
    result.push({
      party,
      label: chosen.label,
      confidence: Math.round(confidence * 100) / 100,
      evidence: sentences[chosen.sentenceIndex]?.text ?? '',
      // Conditions belong to a "yes, but" or a refusal; on plain support they would be noise.
      conditions: chosen.label === 'supports' ? [] : [...(conditionsByParty.get(party) ?? [])].sort(),
      direct: list.some((entry) => entry.direct && entry.label === chosen.label),
    });
  }
  return result;
}
