import { BYTE_LIMITS, type LinkBound, TooLargeError, utf8Bytes } from '../../../core/text-limits';
import type { AttributeValue, Row } from '../attributes';

/** The links a row keeps, tried in order: all, the short ones, none. */
const LINK_STEPS: readonly LinkBound[] = ['all', BYTE_LIMITS.nestedLink, 0];

/** The size DynamoDB counts for a value: UTF-8 bytes of strings, about one byte per two digits of numbers. */
function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
  if (value.M !== undefined) return 3 + rowBytes(value.M);
  if (value.L !== undefined) return 3 + value.L.reduce((total, entry) => total + 1 + valueBytes(entry), 0);
  return utf8Bytes(JSON.stringify(value));
}

/** A row's size as DynamoDB measures it against its 400 KB limit: every attribute's name and value. */
export function rowBytes(row: Row): number {
  let total = 0;
  for (const [name, value] of Object.entries(row)) total += utf8Bytes(name) + valueBytes(value);
  return total;
}

/** Throws TooLargeError for a key DynamoDB would refuse; keys.ts bounds ids so this only guards the rest. */
export function checkKey(row: Row): Row {
  const pk = utf8Bytes(row.pk?.S ?? '');
  const sk = utf8Bytes(row.sk?.S ?? '');
  if (pk > BYTE_LIMITS.partitionKey || sk > BYTE_LIMITS.sortKey) {
    throw new TooLargeError(
      `a key of ${pk} + ${sk} bytes passes DynamoDB's ${BYTE_LIMITS.partitionKey}/${BYTE_LIMITS.sortKey}`,
    );
  }
  return row;
}

/**
 * The row `build` makes with all its links when it fits DynamoDB's 400 KB, else with only the short ones, else with
 * none; past that a TooLargeError names the row, so the one item or alert carrying it fails alone.
 */
export function fittedRow(kind: string, build: (links: LinkBound) => Row): Row {
  let bytes = 0;
  for (const links of LINK_STEPS) {
    const row = checkKey(build(links));
    bytes = rowBytes(row);
    if (bytes <= BYTE_LIMITS.row) return row;
  }
  throw new TooLargeError(`a ${kind} row of ${bytes} bytes passes DynamoDB's 400 KB limit even without its links`);
}
