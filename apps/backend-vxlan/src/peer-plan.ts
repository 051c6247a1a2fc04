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
  for (const peer of peers) addTo(plan, entriesOf(peer, links.direct(peer), links));
  return plan;
}

/** One peer's entries, what they were made for, and the last pass that used them. */
interface PeerEntries {
  readonly vxlanIndex: number;
  readonly extIndex: number;
  readonly direct: boolean;
  readonly route: WantedRoute;
  readonly arp?: WantedArp;
  readonly fdb?: WantedFdb;
  pass: number;
}

/**
 * planPeers for full passes: a peer's entries are made once and handed out again while its
 * VxlanPeer object (a new one for every change of its lease) and links stay the same, so a
 * periodic pass over an unchanged cluster gives the reconcilers the very entries they hold.
 */
export class PeerPlanner {
  // A Map and a pass number rather than a WeakMap: V8 keeps a WeakMap's entries in an ephemeron
  // table that every full collection walks.
  private readonly planned = new Map<VxlanPeer, PeerEntries>();
  private passes = 0;

  plan(peers: Iterable<VxlanPeer>, links: PlanLinks): PeerPlan {
    const pass = ++this.passes;
    const plan: PeerPlan = { routes: [], arp: [], fdb: [] };
    for (const peer of peers) {
      const direct = links.direct(peer);
      let entries = this.planned.get(peer);
      if (entries === undefined || entries.direct !== direct || entries.vxlanIndex !== links.vxlanIndex || entries.extIndex !== links.extIndex) {
        entries = entriesOf(peer, direct, links, pass);
        this.planned.set(peer, entries);
      }
      entries.pass = pass;
      addTo(plan, entries);
    }
    for (const [peer, entries] of this.planned) if (entries.pass !== pass) this.planned.delete(peer);
    return plan;
  }
}

function entriesOf(peer: VxlanPeer, direct: boolean, links: PlanLinks, pass = 0): PeerEntries {
  const { vxlanIndex, extIndex } = links;
  if (direct) return { vxlanIndex, extIndex, direct, route: { dst: peer.subnet, gateway: peer.publicIp, oif: extIndex }, pass };
  return {
    vxlanIndex,
    extIndex,
    direct,
    route: { dst: peer.subnet, gateway: peer.subnet.ip, oif: vxlanIndex, onlink: true },
    arp: { ip: formatIP4(peer.subnet.ip), mac: peer.vtepMac },
    fdb: { mac: peer.vtepMac, dst: formatIP4(peer.publicIp) },
    pass,
  };
}

function addTo(plan: PeerPlan, entries: PeerEntries): void {
  plan.routes.push(entries.route);
  if (entries.arp) plan.arp.push(entries.arp);
  if (entries.fdb) plan.fdb.push(entries.fdb);
}
