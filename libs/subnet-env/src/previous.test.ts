import { parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { previousNetworkFromEnv, previousSubnetFromEnv } from './previous.js';

describe('previousSubnetFromEnv', () => {
  test('masks the first address back to the lease', () => {
    expect(previousSubnetFromEnv({ FLANNEL_SUBNET: '10.5.34.1/24' })).toEqual({ net: parseIP4Net('10.5.34.0/24') });
  });

  test('explains why there is none', () => {
    expect(previousSubnetFromEnv(undefined)).toEqual({ reason: 'FLANNEL_SUBNET is not set' });
    expect(previousSubnetFromEnv({ FLANNEL_SUBNET: '' })).toEqual({ reason: 'FLANNEL_SUBNET is not set' });
    for (const bad of ['10.5.34.1', '10.5.34.1/33', '2001:db8::1/64', 'ten/8']) {
      const result = previousSubnetFromEnv({ FLANNEL_SUBNET: bad });
      expect(result.net).toBeUndefined();
      expect(result.reason).toBe(`FLANNEL_SUBNET="${bad}" is not an IPv4 CIDR`);
    }
  });
});

describe('previousNetworkFromEnv', () => {
  test('reads FLANNEL_NETWORK', () => {
    expect(previousNetworkFromEnv({ FLANNEL_NETWORK: '10.1.0.0/16' })).toEqual({ net: parseIP4Net('10.1.0.0/16') });
    expect(previousNetworkFromEnv({}).reason).toBe('FLANNEL_NETWORK is not set');
  });
});
