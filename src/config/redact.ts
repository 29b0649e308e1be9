/**
 * Log hygiene for the handlers: subscriber addresses are personal data and feed bodies are large and
 * untrusted, so neither may reach CloudWatch Logs. Applied to every structured log attribute.
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// E.164 and common human spellings (+1 415-555-0100, +44 (20) 7946 0958); needs a leading + to spare ids and counts.
const PHONE = /\+\d[\d\s().-]{6,18}\d/g;

/** Keys whose values are dropped whole: message bodies and free text copied from feeds. */
const BODY_KEYS = new Set(['body', 'content', 'description', 'rawbody', 'feedbody', 'xml', 'html', 'text']);
const MAX_DEPTH = 6;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message) };
  }
  if (Array.isArray(value)) return value.map((entry) => redact(entry, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    result[key] = BODY_KEYS.has(key.toLowerCase()) ? REDACTED : redact(entry, depth + 1);
  }
  return result;
}
