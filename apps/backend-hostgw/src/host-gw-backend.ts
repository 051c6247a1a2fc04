import { formatIP4, formatIP4Net, parseIP4Net, subnetKey, type IP4Net } from '@flannel-ts/ip';
import type { Backend, CreateBackend, Lease, PeerEvent } from '@flannel-ts/backend-protocol';
import { netlinkRouteTable, ReconcileLoop, RouteReconciler } from '@flannel-ts/route-reconciler';
import { subscribe } from '@flannel-ts/netlink';
import { hostGwOwnership } from './ownership.js';
import { SegmentCheck } from './segment-check.js';

const RECONCILE_PERIOD_MS = 10_000;

/**
 * host-gw: one route `<peer subnet> via <peer PublicIP> dev <external interface>` per host-gw
 * peer. Requires every host on one L2 segment; a peer that is not gets one error log and no route.
 */
export const createHostGwBackend: CreateBackend = async (init, { log }) => {
  const { iface, config } = init;
  if (iface.extAddr !== iface.ifaceAddr) {
    throw new Error(
      "your PublicIP differs from interface IP, meaning that probably you're on a NAT, which is not supported by host-gw backend",
    );
  }
  const peers = new Map<string, Lease>();
  const ignored = new Set<string>();
  const segment = new SegmentCheck(iface.index, iface.name, log);
  let own: Lease | undefined;
  // Until the first snapshot, "no peers" means "not told yet": reconciling then would delete every
  // route a restart is meant to keep.
  let peersKnown = false;
  // Routes we removed ourselves: their deletion events are no reason for another pass.
  const removedByUs = new Set<string>();

  const reconciler = new RouteReconciler({
    table: netlinkRouteTable(),
    owns: (route) => own !== undefined && hostGwOwnership(config, own.subnet, iface.index)(route),
    log,
    onRemoved: (route) => removedByUs.add(subnetKey(route.dst)),
  });
  const want = (peer: Lease) => {
    if (segment.reachable(peer)) reconciler.set({ dst: peer.subnet, gateway: peer.publicIp, oif: iface.index });
    else reconciler.delete(peer.subnet);
  };
  const fullPass = () => {
    if (!own || !peersKnown) return;
    segment.beginPass();
    reconciler.setAll([]);
    peers.forEach(want);
    const result = reconciler.reconcile();
    if (result.added || result.removed) log.debug({ result }, 'reconciled routes');
  };
  const loop = new ReconcileLoop(fullPass, RECONCILE_PERIOD_MS);
  // Someone deleting one of our routes is repaired at once, not only at the next period.
  const routes = subscribe(['route'], (ev) => {
    if (ev.kind === 'overflow') loop.trigger();
    if (ev.kind !== 'route' || ev.action !== 'del') return;
    if (!removedByUs.delete(subnetKey(parseIP4Net(ev.route.dst)))) loop.trigger();
  });
  routes.unref();

  /** Applies one peer event to `peers`; returns the subnet whose route may change. */
  const apply = (ev: PeerEvent): IP4Net => {
    const key = subnetKey(ev.lease.subnet);
    if (ev.type === 'removed') {
      peers.delete(key);
      segment.forget(ev.lease);
    } else if (ev.lease.backendType !== 'host-gw') {
      peers.delete(key);
      if (!ignored.has(key)) log.info(`Ignoring non-host-gw subnet: type=${ev.lease.backendType ?? ''} (${formatIP4Net(ev.lease.subnet)})`);
      ignored.add(key);
    } else {
      ignored.delete(key);
      peers.set(key, ev.lease);
    }
    return ev.lease.subnet;
  };

  const backend: Backend = {
    propose: async () => ({ backendType: 'host-gw', mtu: iface.mtu }),
    leaseGranted: async (lease) => {
      own = lease;
      log.info(`Lease ${formatIP4Net(lease.subnet)} via ${formatIP4(lease.publicIp)} on ${iface.name}`);
      loop.start();
      fullPass();
    },
    peersSnapshot: async (snapshot) => {
      peersKnown = true;
      peers.clear();
      snapshot.forEach((lease) => apply({ type: 'added', lease }));
      fullPass();
    },
    peersChanged: async (events) => {
      const changed = events.map(apply);
      if (!own || !peersKnown) return;
      segment.beginPass();
      for (const dst of changed) {
        const peer = peers.get(subnetKey(dst));
        if (peer) want(peer);
        else reconciler.delete(dst);
      }
      reconciler.reconcileOnly(changed);
    },
    close: async () => {
      loop.stop();
      routes.close();
    },
    status: () => ({ counters: { peers: peers.size, routes: reconciler.size }, detail: `${reconciler.size} routes` }),
  };
  return backend;
};
