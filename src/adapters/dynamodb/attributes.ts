import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type { AttributeValue };

/** One DynamoDB row as the SDK carries it. */
export type Row = Record<string, AttributeValue>;

export interface RowKey {
  pk: string;
  sk: string;
}

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });
export const keyOf = (key: RowKey): Row => ({ pk: s(key.pk), sk: s(key.sk) });
export const text = (row: Row | undefined, name: string): string | undefined => row?.[name]?.S;
/** The key a row is stored under: what `keyOf` made it from. */
export const keyOfRow = (row: Row): RowKey => ({ pk: text(row, 'pk') ?? '', sk: text(row, 'sk') ?? '' });
/** A row's key as one string, to find rows by key in a Map (no key holds a NUL). */
export const rowIdentity = (row: Row): string => `${text(row, 'pk')}\u0000${text(row, 'sk')}`;
/** The JSON body most rows keep in `data`. */
export const data = <T>(row: Row): T => JSON.parse(row.data?.S ?? 'null') as T;
export const withData = (value: unknown): Row => ({ data: s(JSON.stringify(value)) });
