import type { Reading } from '../../../core/ports/reader';
import type { StoredReading } from '../../../core/ports/readings';
import { boundedClassification } from '../../../core/text-limits';
import { type AttributeValue, data, keyOf, type Row, s, withData } from '../attributes';
import { keys } from '../keys';
import { TTL_ATTRIBUTE } from '../schema';
import { fittedRow } from './fit-row';

/**
 * A stored reading: the reading as JSON in `data`, bounded like the rows it feeds, beside plain attributes for
 * people reading the console. It expires with the item's claims: past that, the item would be claimed as new.
 */
export function readingRow(entry: StoredReading, expiresAt: AttributeValue): Row {
  return fittedRow('reading', (links) => ({
    ...keyOf(keys.reading(entry.key)),
    storyId: s(entry.key.storyId),
    itemId: s(entry.reading.itemId),
    reader: s(entry.key.reader),
    promptVersion: s(entry.key.promptVersion),
    ...withData(boundedClassification(entry.reading, links)),
    [TTL_ATTRIBUTE]: expiresAt,
  }));
}

export const readingFromRow = (row: Row): Reading => data<Reading>(row);
