import { describe, expect, test } from 'vitest';
import { formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { freeSubnets } from '@flannel-ts/subnet';
import { findFreeSubnets } from './free-subnets.js';

const range = (network: string, subnetLen: number, min: string, max: string) => ({
  network: parseIP4Net(network),
  subnetLen,
  subnetMin: parseIP4(min),
  subnetMax: parseIP4(max),
});

describe('findFreeSubnets', () => {
  test('the same free subnets as the allocator, counted', () => {
    const r = range('10.5.0.0/16', 24, '10.5.1.0', '10.5.255.0');
    const taken = ['10.5.1.0/24', '10.5.3.0/24', '10.5.8.0/22', '10.5.200.128/25', '10.6.0.0/24', '10.0.0.0/12'].map(parseIP4Net);
    const found = findFreeSubnets(r, taken.slice(0, 5), 1000);
    expect(found.listed.map(formatIP4Net)).toEqual(freeSubnets(r, taken.slice(0, 5), 1000).map(formatIP4Net));
    expect(found).toMatchObject({ total: 255, free: 255 - 7 });
    expect(findFreeSubnets(r, taken, 5)).toMatchObject({ total: 255, free: 0, listed: [] });
  });

  test('10.0.0.0/8 of /24s: 65535 subnets, the list cut at the limit', () => {
    const r = range('10.0.0.0/8', 24, '10.0.1.0', '10.255.255.0');
    const found = findFreeSubnets(r, [parseIP4Net('10.0.1.0/24')], 3);
    expect(found.total).toBe(65535);
    expect(found.free).toBe(65534);
    expect(found.listed.map(formatIP4Net)).toEqual(['10.0.2.0/24', '10.0.3.0/24', '10.0.4.0/24']);
  });
});
