import type { StanceLabel, StanceObservation } from '../core/story';
import type { Sentence } from './text';

export interface RawObservation {
  party: string;
  label: StanceLabel;
  confidence: number;
  sentenceIndex: number;
  /** Read in the headline. */
  lead: boolean;
  direct: boolean;
  /** Someone's forecast of the party's position: kept only when nothing firmer is said about the party. */
  speculative: boolean;
}

interface Choice {
  chosen: RawObservation;
  confidence: number;
}

/** The party's strongest observation of each label. */
function strongest(list: RawObservation[]): Partial<Record<StanceLabel, RawObservation>> {
  const best = (label: StanceLabel) =>
    list.filter((entry) => entry.label === label).sort((a, b) => b.confidence - a.confidence)[0];
  return { supports: best('supports'), conditional: best('conditional'), opposes: best('opposes') };
}

/** Which observation stands for the party, and how sure; none when support and refusal balance out in the body. */
function choose(list: RawObservation[]): Choice | undefined {
  const { supports, conditional, opposes } = strongest(list);
  if (conditional && (!opposes || conditional.confidence >= opposes.confidence - 0.1)) {
    // "Yes, but": support plus conditions from the same party is the conditional stance.
    return { chosen: conditional, confidence: Math.min(0.95, conditional.confidence + (supports ? 0.05 : 0)) };
  }
  if (supports && opposes) {
    const gap = supports.confidence - opposes.confidence;
    if (Math.abs(gap) < 0.05 && !supports.lead && !opposes.lead) return undefined;
    const chosen = gap >= 0 ? supports : opposes;
    return { chosen, confidence: Math.max(0.3, chosen.confidence - 0.2) };
  }
  const chosen = supports ?? opposes;
  return chosen ? { chosen, confidence: chosen.confidence } : undefined;
}

function groupByParty(observations: RawObservation[]): Map<string, RawObservation[]> {
  const byParty = new Map<string, RawObservation[]>();
  for (const observation of observations) {
    const list = byParty.get(observation.party) ?? [];
    list.push(observation);
    byParty.set(observation.party, list);
  }
  return byParty;
}

/** One stance per party from everything the text said about it: "yes, but" is conditional, firm beats forecast. */
export function mergeObservations(
  observations: RawObservation[],
  sentences: Sentence[],
  conditionsByParty: Map<string, Set<string>>,
): StanceObservation[] {
  const result: StanceObservation[] = [];
  for (const [party, all] of groupByParty(observations)) {
    const firm = all.filter((entry) => !entry.speculative);
    const list = firm.length > 0 ? firm : all;
    const choice = choose(list);
    if (!choice) continue;
    const { chosen, confidence } = choice;
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
