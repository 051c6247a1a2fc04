import { describe, expect, it } from 'vitest';
import { formatIP4Net, ip4Net, overlaps, parseIP4, parseIP4Net, type IP4Net } from '@flannel-ts/ip';
import { freeSubnets, isCompatible, isFree, leaseOfPublicIp, pickRandom, type AllocationRange } from './allocation.js';
import type { Lease } from './lease.js';

const range: AllocationRange = {
  network: parseIP4Net('10.1.0.0/16'),
  subnetLen: 24,
  subnetMin: parseIP4('10.1.1.0'),
  subnetMax: parseIP4('10.1.255.0'),
};

function lease(subnet: string, publicIp = '192.0.2.1'): Lease {
  return { subnet: parseIP4Net(subnet), attrs: { publicIp: parseIP4(publicIp) }, etcdLeaseId: '1', modRevision: '1', value: '' };
}

describe('allocation', () => {
  it('knows which subnets the config can hand out', () => {
    expect(isCompatible(range, parseIP4Net('10.1.1.0/24'))).toBe(true);
    expect(isCompatible(range, parseIP4Net('10.1.255.0/24'))).toBe(true);
    expect(isCompatible(range, parseIP4Net('10.1.0.0/24'))).toBe(false);
    expect(isCompatible(range, parseIP4Net('10.1.1.0/25'))).toBe(false);
    expect(isCompatible(range, parseIP4Net('10.2.1.0/24'))).toBe(false);
  });

  it('skips subnets overlapping any lease, whatever its length', () => {
    const taken = [lease('10.1.1.0/24'), lease('10.1.2.128/25'), lease('10.1.0.0/22')].map((l) => l.subnet);
    const free = freeSubnets(range, taken, 3).map(formatIP4Net);
    expect(free).toEqual(['10.1.4.0/24', '10.1.5.0/24', '10.1.6.0/24']);
    expect(isFree(parseIP4Net('10.1.3.0/24'), taken)).toBe(false);
    expect(isFree(parseIP4Net('10.1.4.0/24'), taken)).toBe(true);
  });

  it('stops at 100 candidates and at SubnetMax', () => {
    expect(freeSubnets(range, [])).toHaveLength(100);
    const narrow = { ...range, subnetMin: parseIP4('10.1.250.0') };
    expect(freeSubnets(narrow, []).map(formatIP4Net).at(-1)).toBe('10.1.255.0/24');
    expect(freeSubnets(narrow, [])).toHaveLength(6);
  });

  it('finds the same free subnets as checking every candidate against every lease (randomized)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const naive = (r: AllocationRange, taken: IP4Net[], limit: number) => {
      const out: string[] = [];
      for (let ip = r.subnetMin; ip <= r.subnetMax && out.length < limit; ip += 2 ** (32 - r.subnetLen)) {
        const candidate = ip4Net(ip, r.subnetLen);
        if (taken.every((t) => !overlaps(t, candidate))) out.push(formatIP4Net(candidate));
      }
      return out;
    };
    for (let round = 0; round < 300; round++) {
      const subnetLen = 22 + Math.floor(random() * 6);
      const r: AllocationRange = { network: parseIP4Net('10.1.0.0/16'), subnetLen, subnetMin: parseIP4('10.1.0.0') + 2 ** (32 - subnetLen), subnetMax: parseIP4('10.1.255.255') - 2 ** (32 - subnetLen) + 1 };
      const taken = Array.from({ length: Math.floor(random() * 400) }, () => ip4Net(parseIP4('10.1.0.0') + Math.floor(random() * 65536), 18 + Math.floor(random() * 14)));
      const limit = 1 + Math.floor(random() * 150);
      expect(freeSubnets(r, taken, limit).map(formatIP4Net), `round ${round}`).toEqual(naive(r, taken, limit));
    }
  });

  it('finds the lease of a public IP and picks uniformly', () => {
    const leases = [lease('10.1.1.0/24', '192.0.2.1'), lease('10.1.2.0/24', '192.0.2.2')];
    expect(formatIP4Net(leaseOfPublicIp(leases, parseIP4('192.0.2.2'))!.subnet)).toBe('10.1.2.0/24');
    expect(leaseOfPublicIp(leases, parseIP4('192.0.2.3'))).toBeUndefined();
    const items: IP4Net[] = freeSubnets(range, [], 4);
    expect(pickRandom(items, () => 0.99)).toBe(items[3]);
    expect(pickRandom(items, () => 0)).toBe(items[0]);
    expect(pickRandom([], () => 0)).toBeUndefined();
  });
});
