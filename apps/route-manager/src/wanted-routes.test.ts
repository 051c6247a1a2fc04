import { describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import type { Lease } from '@flannel-ts/subnet';
import { wantedRoutes } from './wanted-routes.js';

const scope = { network: parseIP4Net('10.244.0.0/16'), subnetLen: 24 };
const lease = (subnet: string, publicIp: string, modRevision = '10'): Lease => ({
  subnet: parseIP4Net(subnet),
  attrs: { publicIp: parseIP4(publicIp) },
  etcdLeaseId: '7',
  modRevision,
  value: `{"PublicIP":"${publicIp}"}`,
});

describe('wantedRoutes', () => {
  it('maps every lease PublicIP → its subnet, ordered by subnet', () => {
    const w = wantedRoutes([lease('10.244.3.0/24', '192.0.2.3'), lease('10.244.1.0/24', '192.0.2.1')], scope);
    expect([...w.routes]).toEqual([
      ['192.0.2.1', '10.244.1.0/24'],
      ['192.0.2.3', '10.244.3.0/24'],
    ]);
    expect(w.notes).toEqual([]);
  });

  it('skips leases that are not SubnetLen subnets of the network, saying why', () => {
    const w = wantedRoutes([lease('10.9.1.0/24', '192.0.2.1'), lease('10.244.2.0/25', '192.0.2.2')], scope);
    expect(w.routes.size).toBe(0);
    expect(w.notes).toEqual([
      'Skipping lease 10.9.1.0/24: not a /24 subnet of 10.244.0.0/16',
      'Skipping lease 10.244.2.0/25: not a /24 subnet of 10.244.0.0/16',
    ]);
  });

  it('routes one subnet per PublicIP: the most recently written lease, the lower subnet on a tie', () => {
    const shared = [lease('10.244.5.0/24', '192.0.2.1', '30'), lease('10.244.2.0/24', '192.0.2.1', '99'), lease('10.244.1.0/24', '192.0.2.1', '30')];
    for (const order of [shared, [...shared].reverse()]) {
      const w = wantedRoutes(order, scope);
      expect([...w.routes]).toEqual([['192.0.2.1', '10.244.2.0/24']]);
      expect(w.notes).toEqual(['PublicIP 192.0.2.1 holds the leases 10.244.1.0/24, 10.244.2.0/24, 10.244.5.0/24; routing only the newest, 10.244.2.0/24']);
    }
    const tie = wantedRoutes([lease('10.244.5.0/24', '192.0.2.1', '30'), lease('10.244.4.0/24', '192.0.2.1', '30')], scope);
    expect([...tie.routes]).toEqual([['192.0.2.1', '10.244.4.0/24']]);
  });
});
