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
