import { formatIP4, formatIP4Net, subnetKey } from '@flannel-ts/ip';
import type { Backend, CreateBackend, Lease, PeerEvent } from '@flannel-ts/backend-protocol';
import { deleteLink, getLink, setLinkUp, subscribe, type NetlinkEvent } from '@flannel-ts/netlink';
import { releaseMemorySoon } from '@flannel-ts/sys';
import {
  addResults,
  addsOffThread,
  chunksOf,
  settleSideBySide,
  KernelLedger,
  netlinkRouteTable,
  NOTHING_DONE,
  passLine,
  ReconcileLoop,
  routeEntries,
  type PassOutcome,
  type PassReason,
  type ReconcileResult,
} from '@flannel-ts/route-reconciler';
import { ensureDeviceAddress } from './device-address.js';
import type { VxlanDeviceSpec } from './device-compat.js';
import { DirectRouting } from './direct-routing.js';
import { arpTable, fdbTable } from './neigh-tables.js';
import { ownsRoute, type OwnershipScope } from './ownership.js';
import { PeerPlanner, planPeers } from './peer-plan.js';
import { PeerSet, type VxlanPeer } from './peer-set.js';
import { VtepMacFile } from './vtep-mac-file.js';
import { VXLAN_OVERHEAD, vxlanConfig } from './vxlan-config.js';
import { ensureVxlanDevice, type VxlanDevice } from './vxlan-device.js';

const RECONCILE_PERIOD_MS = 10_000;

/**
 * vxlan, Go flanneld v0.20's static scheme: a kernel vxlan device `flannel.<VNI>` holding
 * `<lease IP>/32`, and per vxlan peer a permanent ARP entry, an fdb entry and an onlink route
 * (or, with DirectRouting, a plain route to a peer on the same segment). Wire-compatible with Go
 * flanneld on the same VNI and port.
 */
export const createVxlanBackend: CreateBackend = async (init, context) => {
  const { log } = context;
  const { iface, config } = init;
  const cfg = vxlanConfig(config.backend);
  const spec: VxlanDeviceSpec = {
    name: `flannel.${cfg.vni}`,
    vni: cfg.vni,
    local: formatIP4(iface.ifaceAddr),
    vtepIndex: iface.index,
    port: cfg.port,
    learning: cfg.learning,
    gbp: cfg.gbp,
    mtu: cfg.mtu ?? iface.mtu - VXLAN_OVERHEAD,
  };
  const macFile = new VtepMacFile(init.stateDir, cfg.vni);
  const peers = new PeerSet(log);
  const planner = new PeerPlanner();
  const direct = cfg.directRouting ? new DirectRouting(iface.index, log) : undefined;
  let device: VxlanDevice | undefined;
  let own: Lease | undefined;
  // Until the first snapshot, "no peers" means "not told yet": reconciling then would delete
  // every entry a restart is meant to keep.
  let peersKnown = false;

  const scope = (): OwnershipScope => {
    if (!own || !device) throw new Error('the vxlan device and lease are not ready yet');
    return { config, own: own.subnet, vxlanIndex: device.index, extIndex: iface.index };
  };
  // Entries we removed ourselves: their deletion events are no reason for a full pass (with thousands
  // of peers, a pass per deleted peer would fall behind a busy cluster).
  const removedByUs = new Set<string>();
  const ledger = new KernelLedger(() => context.reportStatus());
  const routes = ledger.reconciler('route', {
    table: routeEntries(netlinkRouteTable(), (r) => ownsRoute(scope(), r)),
    log,
    onRemoved: (r) => removedByUs.add(`route ${formatIP4Net(r.dst)}`),
  });
  const arp = ledger.reconciler('neighbour', { table: arpTable(scope, spec.name), log, onRemoved: (n) => removedByUs.add(`inet ${n.ip}`) });
  const fdb = ledger.reconciler('fdb', { table: fdbTable(scope, spec.name), log, onRemoved: (n) => removedByUs.add(`bridge ${n.mac}`) });

  /** Someone deleted the device while we run: bring it back with the same MAC and address. */
  const restoreDevice = async (current: VxlanDevice, lease: Lease): Promise<VxlanDevice> => {
    if (getLink(current.index)?.name === current.name) return current;
    log.warn(`The vxlan device ${current.name} (index ${current.index}) is gone; recreating it`);
    const restored = await ensureVxlanDevice(spec, macFile, log);
    if (restored.mac !== current.mac) log.error(`${restored.name} came back with MAC ${restored.mac}, not ${current.mac}`);
    ensureDeviceAddress(restored.index, lease.subnet, config.network, log);
    return restored;
  };

  /**
   * One pass over routes, ARP and fdb entries; throws when the tables cannot be read or the device
   * cannot be restored. Logged, with why it ran, at info when it changed something or followed a
   * peer snapshot, at warn when the kernel refused a change (the next pass tries again).
   */
  const reconcile = async (reason: PassReason | 'lease' | 'snapshot' | 'peer change'): Promise<PassOutcome> => {
    if (!own || !device || !peersKnown) return;
    const started = process.hrtime.bigint(); // not performance.now(): that global loads perf_hooks
    device = await restoreDevice(device, own);
    const links = { vxlanIndex: device.index, extIndex: iface.index };
    const plan = planner.plan(peers.values(), { ...links, direct: (p) => direct?.isDirect(p) ?? false });
    direct?.retain(new Set([...peers.values()].map((p) => subnetKey(p.subnet))));
    arp.setAll(plan.arp);
    fdb.setAll(plan.fdb);
    routes.setAll(plan.routes);
    // Neighbour and fdb entries first, so a new route never sends traffic into an ARP miss. Thousands
    // of entries are settled in steps, each table's dump one of them: peer changes go in between.
    const results = { neighbours: NOTHING_DONE, fdb: NOTHING_DONE, routes: NOTHING_DONE };
    type Table = { relist(): string[]; reconcileOnly(keys: string[]): ReconcileResult };
    const settle = (kind: keyof typeof results, reconciler: Table, keys: string[]) => {
      if (keys.length > 0) results[kind] = addResults(results[kind], reconciler.reconcileOnly(keys));
    };
    const stepsOf = (kind: keyof typeof results, reconciler: Table) => () => chunksOf(reconciler.relist()).map((keys) => () => settle(kind, reconciler, keys));
    /**
     * Many routes to add (a join): each run of peers goes to the kernel as one batch from a pool
     * thread, its neighbour and fdb entries before its routes, while the main thread prepares the
     * next run's. The main thread thus never waits on the kernel's locks (a route's insertion walks
     * every route before it on the device, so its cost grows with the table), and the batches of
     * the pool's threads go in side by side. One step: peer changes wait until it is done.
     */
    const peerByPeer = (routeKeys: string[]) => async () => {
      const arpLeft = new Set(arp.relist());
      const fdbLeft = new Set(fdb.relist());
      const take = (left: Set<string>, keys: string[]) => keys.filter((key) => left.delete(key));
      const runs = chunksOf(routeKeys).map((keys) => {
        const of = keys.flatMap((key) => peers.get(key) ?? []);
        return [
          { reconciler: arp, keys: take(arpLeft, of.map((p) => formatIP4(p.subnet.ip))) },
          { reconciler: fdb, keys: take(fdbLeft, of.map((p) => p.vtepMac)) },
          { reconciler: routes, keys },
        ];
      });
      const settling = settleSideBySide(runs);
      // Entries of no peer with a route to settle: ours to remove.
      settle('neighbours', arp, [...arpLeft]);
      settle('fdb', fdb, [...fdbLeft]);
      for (const [n, f, r] of await settling) {
        results.neighbours = addResults(results.neighbours, n!);
        results.fdb = addResults(results.fdb, f!);
        results.routes = addResults(results.routes, r!);
      }
    };
    const routesFirstListed = () => {
      const routeKeys = routes.relist();
      if (addsOffThread(routes)) return [peerByPeer(routeKeys)];
      return [stepsOf('neighbours', arp), stepsOf('fdb', fdb), ...chunksOf(routeKeys).map((keys) => () => settle('routes', routes, keys))];
    };
    const report = () => {
      const changed = Object.values(results).some((r) => r.added || r.removed);
      const failed = Object.values(results).reduce((n, r) => n + r.failed, 0);
      const line = passLine('vxlan', peers.size, started, reason, results);
      if (failed > 0) log.warn(`${line}; ${failed} kernel change(s) failed (logged above), the next pass tries again`);
      else log[changed || reason === 'snapshot' ? 'info' : 'debug'](line);
    };
    return [routesFirstListed, report];
  };
  /**
   * A pass over the entries of the peers one change touched, `before` and `after` it: a few netlink
   * calls instead of three table dumps. What others changed meanwhile waits for the next full pass.
   */
  const partialPass = (before: readonly VxlanPeer[], after: readonly VxlanPeer[]): void => {
    if (!own || !device || !peersKnown) return;
    const links = { vxlanIndex: device.index, extIndex: iface.index };
    const previous = planPeers(before, { ...links, direct: () => false });
    const next = planPeers(after, { ...links, direct: (p) => direct?.isDirect(p) ?? false });
    // A VtepMAC another peer still uses keeps its fdb entry.
    arp.update(previous.arp, next.arp);
    fdb.update(previous.fdb.filter((e) => !peers.usesMac(e.mac)), next.fdb);
    routes.update(previous.routes, next.routes);
  };
  const loop = new ReconcileLoop({
    pass: reconcile,
    periodMs: RECONCILE_PERIOD_MS,
    context,
    log,
    what: `the vxlan entries of ${spec.name}`,
    onPass: ledger.passStarted,
    // A pass over thousands of entries leaves megabytes of garbage V8 would otherwise keep.
    afterFullPass: () => releaseMemorySoon(),
  });

  /** A deletion of what may be ours, by someone else: a route on either link, a neighbour or fdb entry of the device. */
  const deletesOurs = (ev: NetlinkEvent): boolean => {
    if (!device || (ev.kind !== 'route' && ev.kind !== 'neigh') || ev.action !== 'del') return false;
    if (ev.kind === 'route') {
      if (removedByUs.delete(`route ${ev.route.dst}`)) return false;
      return ev.route.oif === device.index || ev.route.oif === iface.index;
    }
    if (removedByUs.delete(`${ev.neigh.family} ${ev.neigh.family === 'bridge' ? ev.neigh.mac : ev.neigh.ip}`)) return false;
    return ev.neigh.index === device.index;
  };
  // Someone deleting one of our entries is repaired at once, not only at the next period.
  const onKernelEvent = (ev: NetlinkEvent): void => {
    if (ev.kind === 'error') log.warn(`netlink notifications stopped (${ev.error.message}); repairs wait for the periodic pass`);
    else if (ev.kind === 'overflow' || deletesOurs(ev)) loop.trigger();
  };
  // Only deletions: the thousands of entries a pass adds would each wake the listener for nothing.
  const events = subscribe(['route', 'neigh'], onKernelEvent, { deletionsOnly: true });
  events.unref();

  const backend: Backend = {
    propose: async () => {
      device = await ensureVxlanDevice(spec, macFile, log);
      return { backendType: 'vxlan', backendData: { VNI: cfg.vni, VtepMAC: device.mac }, mtu: device.mtu };
    },
    leaseGranted: async (lease) => {
      if (!device) throw new Error('a lease came before the vxlan device was prepared');
      own = lease;
      ensureDeviceAddress(device.index, lease.subnet, config.network, log);
      if (!getLink(device.index)?.up) setLinkUp(device.index);
      log.info(`Lease ${formatIP4Net(lease.subnet)} on ${device.name} (${formatIP4(lease.subnet.ip)}/32, VtepMAC ${device.mac})`);
      loop.start();
      await loop.runNow('lease');
    },
    peersSnapshot: async (snapshot) => {
      peersKnown = true;
      peers.replaceAll(snapshot);
      await loop.runNow('snapshot');
    },
    peersChanged: async (changes: readonly PeerEvent[]) => {
      const touched = [...new Set(changes.map((ev) => subnetKey(ev.lease.subnet)))];
      const peersOf = () => touched.flatMap((key) => peers.get(key) ?? []);
      const before = peersOf();
      changes.forEach((ev) => peers.apply(ev));
      await loop.runNow('peer change', () => partialPass(before, peersOf()));
    },
    close: async () => {
      loop.stop();
      events.close();
    },
    // The device takes its routes, neighbour and fdb entries with it; DirectRouting's routes sit on
    // the external interface and go first. The VtepMAC file stays: the lease keeps that MAC.
    removeState: async () => {
      if (own && device) {
        routes.setAll([]);
        routes.reconcile();
      }
      const link = getLink(spec.name);
      if (link) deleteLink(link.index);
      log.info(`Deleted ${spec.name} and its routes`);
    },
    status: () => ({
      counters: { peers: peers.size, routes: routes.size, neighbours: arp.size, fdbEntries: fdb.size },
      detail: `${peers.size} vxlan peers on ${spec.name}`,
      metrics: { schema: 1, samples: ledger.samples() },
      kernel: ledger.report(),
    }),
  };
  return backend;
};
