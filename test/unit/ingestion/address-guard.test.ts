import { describe, expect, it } from 'vitest';
import { classifyIpAddress, isAddressClassAllowed } from '../../../src/ingestion/address-guard';

describe('classifyIpAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['fd00:ec2::254', 'link_local'],
    ['fd00:ec2::253', 'unique_local'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['255.255.255.255', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2a00:1450:4001:82a::200e', 'public'],
    ['::ffff:93.184.215.14', 'public'],
    ['not-an-ip', 'reserved'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyIpAddress(address)).toBe(expected);
  });
});

describe('classifyIpAddress on IPv6 forms that carry an IPv4 address: the IPv4 address decides', () => {
  it.each([
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::ffff:0:a00:1', 'private'],
    ['::ffff:0:169.254.169.254', 'link_local'],
    ['::ffff:0:8.8.8.8', 'public'],
  ])('SIIT IPv4-translated %s is %s', (address, expected) => {
    expect(classifyIpAddress(address)).toBe(expected);
  });

  it.each([
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:a9fe:a9fe::', 'link_local'],
    ['2002:6440:1::1', 'cgnat'],
    ['2002:808:808::1', 'public'],
  ])('6to4 %s is %s', (address, expected) => {
    expect(classifyIpAddress(address)).toBe(expected);
  });

  it.each([
    ['64:ff9b:1::a9fe:a9fe', 'link_local'],
    ['64:ff9b:1::127.0.0.1', 'loopback'],
    // The /48 layout: 127.0.0.1 in group 3 and the bytes after the always-zero one.
    ['64:ff9b:1:7f00:0:100::', 'loopback'],
    ['64:ff9b:1::808:808', 'public'],
  ])('local-use NAT64 %s is %s', (address, expected) => {
    expect(classifyIpAddress(address)).toBe(expected);
  });

  it.each([
    // The /56 layout: 10.1.2.3 split around the zero byte.
    '64:ff9b:1:a:1:203::',
    // The /64 layout: 192.168.0.1 after the zero byte.
    '64:ff9b:1:0:c0:a800:100:0',
  ])('local-use NAT64 %s with a private IPv4 address in another layout is not public', (address) => {
    expect(classifyIpAddress(address)).not.toBe('public');
  });

  it.each([
    // Client addresses are stored with every bit inverted (RFC 4380): ~127.0.0.1 is 80ff:fffe.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'],
    ['2001:0:4136:e378:8000:63bf:3f57:fefe', 'private'],
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'link_local'],
    // A public client behind a server in private space is still refused.
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'private'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'public'],
  ])('Teredo %s is %s', (address, expected) => {
    expect(classifyIpAddress(address)).toBe(expected);
  });
});

describe('isAddressClassAllowed', () => {
  it('allows only public addresses by default', () => {
    expect(isAddressClassAllowed('public', false)).toBe(true);
    for (const blocked of ['loopback', 'private', 'cgnat', 'unique_local', 'link_local'] as const) {
      expect(isAddressClassAllowed(blocked, false)).toBe(false);
    }
  });

  it('opens loopback and private ranges with allowPrivateNetwork but keeps link-local, multicast and unspecified shut', () => {
    for (const opened of ['loopback', 'private', 'cgnat', 'unique_local'] as const) {
      expect(isAddressClassAllowed(opened, true)).toBe(true);
    }
    for (const shut of ['link_local', 'multicast', 'unspecified', 'reserved'] as const) {
      expect(isAddressClassAllowed(shut, true)).toBe(false);
    }
  });
});
