import type { Row } from './attributes';

export interface RowMemory {
  set(itemId: string, row: Row): void;
  take(itemId: string): Row | undefined;
}

/**
 * Item rows claimed (or found unfinished) and not marked yet, so the mark can put them back without reading them
 * first. Bounded: a poller claims and never marks, so the oldest are forgotten past the cap.
 */
export function createRowMemory(capacity: number): RowMemory {
  const rows = new Map<string, Row>();
  return {
    set(itemId: string, row: Row) {
      rows.delete(itemId);
      rows.set(itemId, row);
      if (rows.size > capacity) {
        const oldest = rows.keys().next().value;
        if (oldest !== undefined) rows.delete(oldest);
      }
    },
    take(itemId: string): Row | undefined {
      const row = rows.get(itemId);
      rows.delete(itemId);
      return row;
    },
  };
}
