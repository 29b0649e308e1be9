import type { Alert, AlertSeverity } from '../core/stance-state';

/** Like an SNS filter policy: an empty or missing list matches every value. */
export interface ChannelFilter {
  parties?: readonly string[];
  severities?: readonly AlertSeverity[];
}

export function matchesFilter(filter: ChannelFilter, alert: Alert): boolean {
  const wants = (list: readonly string[] | undefined, value: string) =>
    list === undefined || list.length === 0 || list.includes(value);
  return wants(filter.parties, alert.party) && wants(filter.severities, alert.severity);
}
