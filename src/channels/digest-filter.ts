import type { ChannelFilter } from './filter';

/**
 * The message attribute that says which filter a daily SNS digest was cut to. Each daily subscription on the topic
 * has a filter policy that takes only its own filter's value, so a subscriber gets one digest a day, cut to it.
 */
export const DIGEST_FILTER_ATTRIBUTE = 'digestFilter';

/** A filter as the context gives it: the same fields as a channel's, any strings (the context checks values). */
export interface DigestFilter {
  parties?: readonly string[];
  severities?: readonly string[];
}

const sortedValues = (values: readonly string[] | undefined) => [...new Set(values ?? [])].sort();

/**
 * The value of DIGEST_FILTER_ATTRIBUTE for a filter: `all` without one, else `parties=eu,ukraine;severities=high`.
 * Canonical (values sorted, repeats dropped), so two subscribers who list the same filter differently share one
 * message; an empty list means no filter on that field, as in a channel's filter.
 */
export function digestFilterKey(filter: DigestFilter): string {
  const parts: string[] = [];
  const parties = sortedValues(filter.parties);
  const severities = sortedValues(filter.severities);
  if (parties.length > 0) parts.push(`parties=${parties.join(',')}`);
  if (severities.length > 0) parts.push(`severities=${severities.join(',')}`);
  return parts.length === 0 ? 'all' : parts.join(';');
}

/** The filter in canonical form: the fields it restricts, values sorted. */
export function canonicalDigestFilter(filter: DigestFilter): ChannelFilter {
  const parties = sortedValues(filter.parties);
  const severities = sortedValues(filter.severities) as ChannelFilter['severities'] & string[];
  return { ...(parties.length > 0 ? { parties } : {}), ...(severities.length > 0 ? { severities } : {}) };
}

/** One entry per distinct filter, in key order: the digest messages a day needs. */
export function distinctDigestFilters(filters: readonly DigestFilter[]): ChannelFilter[] {
  const byKey = new Map(filters.map((filter) => [digestFilterKey(filter), canonicalDigestFilter(filter)]));
  return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, filter]) => filter);
}

/** The SNS filter policy of a daily subscription: only the digest cut to its own filter. */
export function digestFilterPolicy(filter: DigestFilter): Record<string, string[]> {
  return { [DIGEST_FILTER_ATTRIBUTE]: [digestFilterKey(filter)] };
}
