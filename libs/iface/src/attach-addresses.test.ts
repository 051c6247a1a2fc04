import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { formatIP4 } from '@flannel-ts/ip';
import { attachAddresses } from './attach-addresses.js';

function ipv4(address: string, netmask: string): NetworkInterfaceInfo {
  return { address, netmask, family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: null };
}

describe('attachAddresses', () => {
  const links = [
    { name: 'eth1', index: 3, mtu: 1500 },
    { name: 'lo', index: 1, mtu: 65536 },
    { name: 'eth0', index: 2, mtu: 1400 },
  ];

  it('attaches IPv4 addresses in order, credits alias labels to their device and sorts by index', () => {
    const result = attachAddresses(links, {
      lo: [ipv4('127.0.0.1', '255.0.0.0')],
      eth0: [
        ipv4('192.0.2.11', '255.255.255.0'),
        { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 2 },
      ],
      'eth0:web': [ipv4('192.0.2.80', '255.255.255.255')],
      'ghost0': [ipv4('203.0.113.1', '255.255.255.0')],
    });
    expect(result.map((i) => ({ ...i, addrs: i.addrs.map((a) => `${formatIP4(a.ip)}/${a.prefixLen}`) }))).toEqual([
      { name: 'lo', index: 1, mtu: 65536, addrs: ['127.0.0.1/8'] },
      { name: 'eth0', index: 2, mtu: 1400, addrs: ['192.0.2.11/24', '192.0.2.80/32'] },
      { name: 'eth1', index: 3, mtu: 1500, addrs: [] },
    ]);
  });
});
