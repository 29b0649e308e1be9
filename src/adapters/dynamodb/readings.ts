import type { Clock } from '../../core/ports/clock';
import type { ReadingKey, Readings } from '../../core/ports/readings';
import { keyOfRow, n, type RowKey } from './attributes';
import { keys } from './keys';
import type { TableRequests } from './requests';
import { readingFromRow, readingRow } from './rows/reading-rows';

export interface ReadingsOptions {
  clock: Clock;
  retentionDays: number;
}

const keyText = (key: RowKey) => `${key.pk}\n${key.sk}`;

export function createDynamoReadings(table: TableRequests, options: ReadingsOptions): Readings {
  const retentionSeconds = options.retentionDays * 86_400;
  const expiresAt = () => n(Math.floor(options.clock.now().getTime() / 1000) + retentionSeconds);
  return {
    async getReadings(wanted: ReadingKey[]) {
      if (wanted.length === 0) return [];
      const rowKeys = wanted.map(keys.reading);
      // BatchGetItem refuses a key asked twice; two stories never share a key, but one item may come twice.
      const unique = [...new Map(rowKeys.map((key) => [keyText(key), key])).values()];
      const rows = await table.batchGet(unique);
      const found = new Map(rows.map((row) => [keyText(keyOfRow(row)), readingFromRow(row)]));
      return rowKeys.map((key) => found.get(keyText(key)) ?? null);
    },
    async saveReadings(entries) {
      if (entries.length === 0) return;
      const at = expiresAt();
      await table.batchPut(entries.map((entry) => readingRow(entry, at)));
    },
  };
}
