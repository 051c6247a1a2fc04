import { describe, expect, it } from 'vitest';
import { podAddresses } from './pod-addresses.js';

describe('podAddresses', () => {
  it('puts the gateway on .1 and the pod on .2 of FLANNEL_SUBNET', () => {
    expect(podAddresses('10.244.7.1/24')).toEqual({
      subnet: '10.244.7.0/24',
      prefixLen: 24,
      gateway: '10.244.7.1',
      podIp: '10.244.7.2',
    });
    expect(podAddresses('10.5.0.0/16')).toMatchObject({ gateway: '10.5.0.1', podIp: '10.5.0.2' });
    expect(podAddresses('10.244.7.9/30')).toMatchObject({ subnet: '10.244.7.8/30', gateway: '10.244.7.9', podIp: '10.244.7.10' });
  });

  it('rejects text that is no CIDR and subnets too small for a pod', () => {
    expect(() => podAddresses('10.244.7.1')).toThrow('pod subnet "10.244.7.1" is not an IPv4 CIDR');
    expect(() => podAddresses('10.244.7.1/33')).toThrow(/not an IPv4 CIDR/);
    expect(() => podAddresses('10.244.7.1/31')).toThrow('pod subnet 10.244.7.1/31 is too small');
  });
});
