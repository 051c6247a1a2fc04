import { describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { PeerPlanner, planPeers } from './peer-plan.js';
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

describe('PeerPlanner', () => {
  const links = { vxlanIndex: 5, extIndex: 2, direct: () => false };

  it('plans as planPeers does', () => {
    expect(new PeerPlanner().plan(peers, links)).toEqual(planPeers(peers, links));
  });

  it('hands out the same entry objects while a peer and its links stay, and new ones when either changes', () => {
    const planner = new PeerPlanner();
    const first = planner.plan(peers, links);
    const again = planner.plan(peers, links);
    for (const kind of ['routes', 'arp', 'fdb'] as const) again[kind].forEach((entry, i) => expect(entry).toBe(first[kind][i]));

    // A lease change gives the peer a new object: its entries are made anew, the other's kept.
    const moved = peer('10.244.3.0/24', '198.51.100.99', '0a:00:00:00:00:03');
    const afterMove = planner.plan([peers[0]!, moved], links);
    expect(afterMove.fdb[0]).toBe(first.fdb[0]);
    expect(afterMove.fdb[1]).toEqual({ mac: '0a:00:00:00:00:03', dst: '198.51.100.99' });

    // A recreated device (another index) or a peer now reached directly: made anew.
    const newDevice = planner.plan([peers[0]!, moved], { ...links, vxlanIndex: 9 });
    expect(newDevice.routes[0]).not.toBe(afterMove.routes[0]);
    expect(newDevice.routes.map((r) => r.oif)).toEqual([9, 9]);
    const direct = planner.plan([peers[0]!, moved], { ...links, vxlanIndex: 9, direct: (p) => p === moved });
    expect(direct.routes[1]).toEqual({ dst: moved.subnet, gateway: moved.publicIp, oif: 2 });
    expect(direct.arp).toHaveLength(1);

    // A peer gone is forgotten: coming back (the same object) it is planned again.
    planner.plan([moved], links);
    expect(planner.plan([peers[0]!, moved], links).routes[0]).not.toBe(newDevice.routes[0]);
  });
});
