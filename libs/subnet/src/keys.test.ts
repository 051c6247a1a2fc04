import { describe, expect, it } from 'vitest';
import { formatIP4Net, parseIP4Net } from '@flannel-ts/ip';
import { configKey, leaseKey, parseLeaseKey, subnetsPrefix } from './keys.js';

describe('etcd keys', () => {
  it('lays keys out as flannel does', () => {
    expect(configKey('/coreos.com/network')).toBe('/coreos.com/network/config');
    expect(configKey('/coreos.com/network/')).toBe('/coreos.com/network/config');
    expect(subnetsPrefix('/x')).toBe('/x/subnets/');
    expect(leaseKey('/coreos.com/network', parseIP4Net('10.1.15.0/24'))).toBe('/coreos.com/network/subnets/10.1.15.0-24');
  });

  it('parses IPv4 and dual-stack lease keys', () => {
    expect(formatIP4Net(parseLeaseKey('/coreos.com/network/subnets/10.1.15.0-24')!)).toBe('10.1.15.0/24');
    expect(formatIP4Net(parseLeaseKey('/p/subnets/10.5.1.0-24&fc00:0:0:1::-64')!)).toBe('10.5.1.0/24');
  });

  it('rejects keys that do not name a subnet', () => {
    for (const key of ['/p/subnets/garbage', '/p/subnets/10.1.15.0-24/x', '/p/subnets/10.1.15.0-33', '/p/subnets/10.1.15.7-24', '/p/subnets/300.1.1.0-24']) {
      expect(parseLeaseKey(key)).toBeUndefined();
    }
  });
});
