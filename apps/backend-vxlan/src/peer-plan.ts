import { formatIP4 } from '@flannel-ts/ip';
import type { WantedRoute } from '@flannel-ts/route-reconciler';
import type { WantedArp, WantedFdb } from './neigh-tables.js';
import type { VxlanPeer } from './peer-set.js';

/** The kernel entries that carry traffic to the peers. */
export interface PeerPlan {
  readonly routes: WantedRoute[];
  readonly arp: WantedArp[];
  readonly fdb: WantedFdb[];
}

export interface PlanLinks {
  readonly vxlanIndex: number;
  readonly extIndex: number;
  /** DirectRouting: whether to route to this peer straight over the external interface. */
  readonly direct: (peer: VxlanPeer) => boolean;
}

/**
 * Go flanneld v0.20's static scheme. Per vxlan peer: ARP `<subnet .0> → VtepMAC`, fdb `VtepMAC →
 * PublicIP`, route `<subnet> via <subnet .0> dev flannel.<VNI> onlink`; or, for a peer reached
 * directly, `<subnet> via <PublicIP> dev <ext>` alone.
 */
export function planPeers(peers: Iterable<VxlanPeer>, links: PlanLinks): PeerPlan {
  const plan: PeerPlan = { routes: [], arp: [], fdb: [] };
  for (const peer of peers) {
    if (links.direct(peer)) {
      plan.routes.push({ dst: peer.subnet, gateway: peer.publicIp, oif: links.extIndex });
      continue;
    }
    plan.arp.push({ ip: formatIP4(peer.subnet.ip), mac: peer.vtepMac });
    plan.fdb.push({ mac: peer.vtepMac, dst: formatIP4(peer.publicIp) });
    plan.routes.push({ dst: peer.subnet, gateway: peer.subnet.ip, oif: links.vxlanIndex, onlink: true });
  }
  return plan;
}
