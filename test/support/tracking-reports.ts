import { readFileSync } from 'node:fs';
import type { StanceObservation } from '../../src/core/story';
import type { ObservedItem } from '../../src/tracking/stance-machine';

export interface Report {
  observation: StanceObservation;
  item: ObservedItem;
}

type ReportFile = { seed: StanceObservation } & Record<string, Report>;

const file = JSON.parse(
  readFileSync(new URL('../fixtures/tracking/reports.json', import.meta.url), 'utf8'),
) as ReportFile;

export const seedObservation = file.seed;

export function report(name: string): Report {
  const found = file[name];
  if (!found || name === 'seed') throw new Error(`no report fixture "${name}"`);
  return structuredClone(found);
}

/** The same report moved in time or to another outlet, for rules that depend on when and where. */
export function variant(name: string, changes: { itemId: string; published?: string; source?: string }): Report {
  const base = report(name);
  return {
    observation: base.observation,
    item: {
      ...base.item,
      itemId: changes.itemId,
      published: changes.published ?? base.item.published,
      source: changes.source ?? base.item.source,
    },
  };
}
