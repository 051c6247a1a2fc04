import { describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { planPeers } from './peer-plan.js';
import type { VxlanPeer } from './peer-set.js';

const peer = (subnet: string, ip: string, mac: string): VxlanPeer => ({ subnet: parseIP4Net(subnet), publicIp: parseIP4(ip), vtepMac: mac });
const peers = [peer('10.244.2.0/24', '192.0.2.12', '0a:00:00:00:00:02'), peer('10.244.3.0/24', '198.51.100.13', '0a:00:00:00:00:03')];

describe('planPeers', () => {
  it('gives each peer an ARP entry, an fdb entry and an onlink route via its .0 on the vxlan device', () => {
    const plan = planPeers(peers, { vxlanIndex: 5, extIndex: 2, direct: () => false });
    expect(plan.arp).toEqual([
      { ip: '10.244.2.0', mac: '0a:00:00:00:00:02' },
      { ip: '10.244.3.0', mac: '0a:00:00:00:00:03' },
    ]);
    expect(plan.fdb).toEqual([
      { mac: '0a:00:00:00:00:02', dst: '192.0.2.12' },
      { mac: '0a:00:00:00:00:03', dst: '198.51.100.13' },
    ]);
    expect(plan.routes.map((r) => `${formatIP4Net(r.dst)} via ${formatIP4(r.gateway)} #${r.oif}${r.onlink ? ' onlink' : ''}`)).toEqual([
      '10.244.2.0/24 via 10.244.2.0 #5 onlink',
      '10.244.3.0/24 via 10.244.3.0 #5 onlink',
    ]);
  });

  it('routes a directly reachable peer via its PublicIP on the external interface, with no tunnel entries', () => {
    const plan = planPeers(peers, { vxlanIndex: 5, extIndex: 2, direct: (p) => formatIP4(p.publicIp) === '192.0.2.12' });
    expect(plan.arp.map((a) => a.ip)).toEqual(['10.244.3.0']);
    expect(plan.fdb.map((f) => f.dst)).toEqual(['198.51.100.13']);
    expect(plan.routes.map((r) => `${formatIP4Net(r.dst)} via ${formatIP4(r.gateway)} #${r.oif}${r.onlink ? ' onlink' : ''}`)).toEqual([
      '10.244.2.0/24 via 192.0.2.12 #2',
      '10.244.3.0/24 via 10.244.3.0 #5 onlink',
    ]);
  });
});
