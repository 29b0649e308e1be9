import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FeedError } from './errors';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'unique_local'
  | 'link_local'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Injected in tests to simulate a hostname that resolves to a private address. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface AddressCandidate {
  /** Host as written in the URL (brackets removed). */
  hostname: string;
  address: string;
  addressClass: AddressClass;
}

/**
 * Overrides the guard's decision for one resolved address. Deployments can use it for an allowlist;
 * tests use it to let a named loopback host stand in for a public site, so the checks on the
 * redirect hops that follow can be exercised without a real network.
 */
export type AddressPolicy = (candidate: AddressCandidate, allowedByDefault: boolean) => boolean;

export const systemResolver: HostResolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/** Classes that `allowPrivateNetwork` opens. Link-local (cloud metadata), multicast and unspecified stay shut. */
const PRIVATE_NETWORK_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'cgnat', 'unique_local']);

export function isAddressClassAllowed(addressClass: AddressClass, allowPrivateNetwork: boolean): boolean {
  if (addressClass === 'public') return true;
  return allowPrivateNetwork && PRIVATE_NETWORK_CLASSES.has(addressClass);
}

function parseIPv4(address: string): number[] | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  return octets.every((octet) => octet >= 0 && octet <= 255) ? octets : null;
}

/** Expands an IPv6 address (with optional embedded IPv4 tail and zone id) into eight 16-bit groups. */
function parseIPv6(input: string): number[] | null {
  let address = input.split('%')[0] ?? '';
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    // Rewrite an embedded IPv4 tail (::ffff:1.2.3.4) as two hex groups so one parser handles both forms.
    const v4 = parseIPv4(tail);
    if (!v4) return null;
    const high = (((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16);
    const low = (((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16);
    address = `${address.slice(0, lastColon + 1)}${high}:${low}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parseHalf = (half: string | undefined) =>
    half ? half.split(':').map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? Number.parseInt(group, 16) : -1)) : [];
  const head = parseHalf(halves[0]);
  const rest = halves.length === 2 ? parseHalf(halves[1]) : [];
  if ([...head, ...rest].some((group) => group < 0)) return null;
  const explicitCount = head.length + rest.length;
  if (halves.length === 2) {
    if (explicitCount > 7) return null;
    return [...head, ...new Array<number>(8 - explicitCount).fill(0), ...rest];
  }
  return explicitCount === 8 ? head : null;
}

/** IPv4 blocks that are not the public internet, as CIDR ranges; they do not overlap, so order does not matter. */
const IPV4_BLOCKS: readonly [cidr: string, addressClass: AddressClass][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['127.0.0.0/8', 'loopback'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['169.254.0.0/16', 'link_local'],
  ['224.0.0.0/4', 'multicast'],
  // IETF protocol assignments, benchmarking, documentation and the old class E space: never a news site.
  ['192.0.0.0/24', 'reserved'],
  ['198.18.0.0/15', 'reserved'],
  ['240.0.0.0/4', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
];

function ipv4Number(octets: readonly number[]): number {
  return octets.reduce((value, octet) => value * 256 + octet, 0);
}

const IPV4_RANGES = IPV4_BLOCKS.map(([cidr, addressClass]) => {
  const [base = '', bits = '0'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = ipv4Number(base.split('.').map(Number));
  return { start, end: start + size, addressClass };
});

function classifyIPv4(octets: number[]): AddressClass {
  const value = ipv4Number(octets);
  return IPV4_RANGES.find((range) => value >= range.start && value < range.end)?.addressClass ?? 'public';
}

function middleGroupsZero(groups: number[]): boolean {
  return groups.slice(2, 7).every((group) => group === 0);
}

/** The IPv4 address held in two 16-bit groups, high group first. */
function ipv4Of(high: number, low: number): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

/** The class of the first address that is not public, else public: for forms that embed more than one IPv4. */
function strictestOf(addresses: number[][]): AddressClass {
  for (const address of addresses) {
    const addressClass = classifyIPv4(address);
    if (addressClass !== 'public') return addressClass;
  }
  return 'public';
}

/**
 * Local-use NAT64 (64:ff9b:1::/48, RFC 8215) may use any RFC 6052 prefix length from 48 on, so where the IPv4
 * sits depends on the operator. The /96 layout leaves groups 3-5 zero; for any other layout every position the
 * address could hold is checked, and the strictest wins.
 */
function classifyLocalNat64(groups: number[]): AddressClass {
  const g = (index: number) => groups[index] ?? 0;
  if (g(3) === 0 && g(4) === 0 && g(5) === 0) return classifyIPv4(ipv4Of(g(6), g(7)));
  // Bits 64-71 (the high byte of group 4) are always zero in RFC 6052 layouts; the address skips them.
  const prefix48 = [g(3) >> 8, g(3) & 0xff, g(4) & 0xff, g(5) >> 8];
  const prefix56 = [g(3) & 0xff, g(4) & 0xff, g(5) >> 8, g(5) & 0xff];
  const prefix64 = [g(4) & 0xff, g(5) >> 8, g(5) & 0xff, g(6) >> 8];
  return strictestOf([prefix48, prefix56, prefix64]);
}

/**
 * Teredo (2001:0::/32, RFC 4380): the server's IPv4 in groups 2-3, the client's in groups 6-7 with every bit
 * inverted. Traffic to the address reaches the client through its NAT, so the client decides, then the server.
 */
function classifyTeredo(groups: number[]): AddressClass {
  const client = ipv4Of(~(groups[6] ?? 0) & 0xffff, ~(groups[7] ?? 0) & 0xffff);
  const server = ipv4Of(groups[2] ?? 0, groups[3] ?? 0);
  return strictestOf([client, server]);
}

const group = (groups: number[], index: number) => groups[index] ?? 0;
const allZeroUpTo = (groups: number[], count: number) => groups.slice(0, count).every((value) => value === 0);
const lastTwoGroups = (groups: number[]) => classifyIPv4(ipv4Of(group(groups, 6), group(groups, 7)));

/** Forms that reach an IPv4 host, in the order they are recognised: the embedded IPv4 address decides. */
const EMBEDDED_IPV4_FORMS: readonly {
  matches: (groups: number[]) => boolean;
  classify: (groups: number[]) => AddressClass;
}[] = [
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d).
  { matches: (groups) => allZeroUpTo(groups, 5) && groups[5] === 0xffff, classify: lastTwoGroups },
  { matches: (groups) => allZeroUpTo(groups, 6), classify: lastTwoGroups },
  // SIIT IPv4-translated (::ffff:0:a.b.c.d, RFC 2765).
  {
    matches: (groups) => allZeroUpTo(groups, 4) && groups[4] === 0xffff && groups[5] === 0,
    classify: lastTwoGroups,
  },
  // Well-known NAT64 (64:ff9b::/96, RFC 6052).
  {
    matches: (groups) =>
      group(groups, 0) === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((value) => value === 0),
    classify: lastTwoGroups,
  },
  {
    matches: (groups) => group(groups, 0) === 0x64 && groups[1] === 0xff9b && groups[2] === 1,
    classify: classifyLocalNat64,
  },
  // 6to4 (2002::/16, RFC 3056): the site's IPv4 address in groups 1-2.
  {
    matches: (groups) => group(groups, 0) === 0x2002,
    classify: (groups) => classifyIPv4(ipv4Of(group(groups, 1), group(groups, 2))),
  },
  { matches: (groups) => group(groups, 0) === 0x2001 && groups[1] === 0, classify: classifyTeredo },
];

/** IPv6 blocks by their first group: [mask, value] pairs, tried in order after the embedded-IPv4 forms. */
const IPV6_FIRST_GROUP_BLOCKS: readonly [mask: number, value: number, addressClass: AddressClass][] = [
  [0xfe00, 0xfc00, 'unique_local'],
  [0xffc0, 0xfe80, 'link_local'],
  [0xffc0, 0xfec0, 'private'],
  [0xff00, 0xff00, 'multicast'],
];

/** AWS's IPv6 instance-metadata endpoint (fd00:ec2::254) sits in unique-local space but is cloud metadata. */
function isCloudMetadata(groups: number[]): boolean {
  return group(groups, 0) === 0xfd00 && groups[1] === 0x0ec2 && middleGroupsZero(groups) && groups[7] === 0x254;
}

function classifyIPv6(groups: number[]): AddressClass {
  if (allZeroUpTo(groups, 8)) return 'unspecified';
  if (allZeroUpTo(groups, 7) && groups[7] === 1) return 'loopback';
  const embedded = EMBEDDED_IPV4_FORMS.find((form) => form.matches(groups));
  if (embedded) return embedded.classify(groups);
  if (isCloudMetadata(groups)) return 'link_local';
  const first = group(groups, 0);
  const block = IPV6_FIRST_GROUP_BLOCKS.find(([mask, value]) => (first & mask) === value);
  if (block) return block[2];
  if (first === 0x2001 && groups[1] === 0x0db8) return 'reserved';
  return 'public';
}

/** Classifies an IP literal; anything unparseable is 'reserved' so it is refused. */
export function classifyIpAddress(address: string): AddressClass {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const version = isIP(bare.split('%')[0] ?? '');
  if (version === 4) {
    const octets = parseIPv4(bare);
    return octets ? classifyIPv4(octets) : 'reserved';
  }
  if (version === 6) {
    const groups = parseIPv6(bare);
    return groups ? classifyIPv6(groups) : 'reserved';
  }
  return 'reserved';
}

export function parseFeedUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    throw new FeedError('invalid_url', `not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedError('invalid_url', `only http and https URLs are fetched, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new FeedError('invalid_url', 'URLs with credentials are refused');
  }
  return url;
}

async function resolve(host: string, resolver: HostResolver): Promise<ResolvedAddress[]> {
  let candidates: ResolvedAddress[];
  try {
    candidates = await resolver(host);
  } catch (error) {
    throw new FeedError('network', `cannot resolve ${host}: ${(error as Error).message}`);
  }
  if (candidates.length === 0) throw new FeedError('network', `cannot resolve ${host}: no addresses`);
  return candidates;
}

/**
 * Resolves the URL's host and returns the one address the connection will be pinned to. Every
 * resolved address must pass, so a hostname with one public and one private record is refused.
 */
export async function resolveAllowedAddress(
  url: URL,
  allowPrivateNetwork: boolean,
  resolver: HostResolver,
  policy?: AddressPolicy,
): Promise<ResolvedAddress> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literalVersion = isIP(host);
  const candidates =
    literalVersion !== 0
      ? [{ address: host, family: literalVersion === 6 ? 6 : 4 } as const]
      : await resolve(host, resolver);
  for (const candidate of candidates) {
    const addressClass = classifyIpAddress(candidate.address);
    const allowedByDefault = isAddressClassAllowed(addressClass, allowPrivateNetwork);
    const allowed = policy
      ? policy({ hostname: host, address: candidate.address, addressClass }, allowedByDefault)
      : allowedByDefault;
    if (!allowed) {
      const via = literalVersion === 0 ? ` (${host} resolves to ${candidate.address})` : '';
      throw new FeedError(
        'blocked_address',
        `refusing ${addressClass.replace('_', '-')} address ${candidate.address}${via}`,
      );
    }
  }
  return candidates[0] as ResolvedAddress;
}
