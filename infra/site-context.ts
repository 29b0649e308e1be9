/** At least 16 URL-safe characters (e.g. `openssl rand -hex 16`): a prefix short enough to guess hides nothing. */
const SITE_PREFIX_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The optional `sitePathPrefix` context key: the first path segment of the hosted pages (obscurity, not access
 * control). Unset or empty means none; anything else that does not match is a problem for loadConfig's list.
 */
export function readSitePathPrefix(raw: unknown, problems: string[]): string | null {
  const value = typeof raw === 'string' ? raw.trim().replace(/^"(.*)"$/, '$1') : raw;
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' && SITE_PREFIX_PATTERN.test(value)) return value;
  problems.push(
    `sitePathPrefix must be 16 to 128 letters, digits, _ or - (e.g. the output of \`openssl rand -hex 16\`), ` +
      `got ${JSON.stringify(raw)}`,
  );
  return null;
}
