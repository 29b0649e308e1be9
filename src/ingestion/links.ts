/** Query parameters that only track the click; two links differing in them point at the same story. */
const TRACKING_PARAMETERS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  'traffic_source',
  'ref_src',
  'ref_url',
  'cmpid',
  'ocid',
  'at_medium',
  'at_campaign',
  'at_custom1',
  'at_custom2',
  'at_custom3',
  'at_custom4',
  'xtor',
  'ito',
  'smid',
  'ns_mchannel',
  'ns_source',
  'ns_campaign',
  'ns_linkname',
  'ns_fee',
]);

function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMETERS.has(lower);
}

/**
 * Links the URL parser would hand back unchanged: http(s), a lowercase host whose last label starts with a letter
 * (no IPv4 shorthand to rewrite) and that is no punycode to check, no port, userinfo or fragment, a path without
 * dot segments and an optional query, both only of characters the parser keeps as they are. Most feed links look
 * like this, and parsing every item's link was the largest part of normalizing an item.
 */
const NORMALIZED_HTTP_URL =
  /^https?:\/\/(?![^/]*xn--)(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*\/(?!.*\/\.)(?!.*%2[eE])[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~%!$&()*+,;=:@/?]+)?$/;

/** An absolute http(s) URL for a feed-supplied link, or null (javascript:, data:, mailto:, garbage). */
export function safeHttpLink(raw: string | null | undefined, base: string): string | null {
  const trimmed = raw?.trim();
  if (!trimmed) return null;
  if (NORMALIZED_HTTP_URL.test(trimmed)) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.href;
}

/** The link without tracking parameters and fragment; the form used for ids and dedup keys. */
export function canonicalLink(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href;
  }
  url.hash = '';
  const kept = [...url.searchParams].filter(([name]) => !isTrackingParameter(name));
  url.search = '';
  for (const [name, value] of kept) url.searchParams.append(name, value);
  return url.href;
}
